import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { AppError } from '../contract/errors.js';
import {
  ingestPathsRequestSchema,
  knowledgeRoutes,
  uploadFilenameHeader,
  uploadSourceName,
  type IngestResult,
} from '../contract/knowledge-api.js';
import type { Store } from '../contract/store.js';
import { tenantIdSchema, type TenantId } from '../contract/tenant.js';
import { parseFile, readDocuments, walkPaths } from '../knowledge/ingest/index.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { ingestDocuments, type DocumentIngest } from '../knowledge/pipeline/ingest-run.js';
import { actorOf } from './console-auth.js';
import { saveUpload, tooLargeMessage, uploadFileName } from './knowledge-upload-file.js';
import { ingestResult, requireTenant } from './knowledge-views.js';

const tenantParams = z.object({ tenant: tenantIdSchema });

export interface KnowledgeUploadOptions {
  store: Store;
  knowledge: KnowledgeBase;
  /** Largest accepted upload in bytes (the contract's maxUploadBytes; tests pass a small one). */
  maxUploadBytes: number;
}

/**
 * Adding files from the console: POST uploads (one file's raw bytes per request, so the browser can show each
 * file's progress) and POST ingest-paths (paths the desktop app's native file dialog returned). Both ingest into
 * the tenant's "Uploads" source without pruning: adding a file never removes the others. An upload is known by
 * its file name (uploading faq.md again updates it); a picked file by its absolute path, so /a/faq.md and
 * /b/faq.md are two documents and neither replaces an uploaded faq.md.
 */
export function registerKnowledgeUploads(app: FastifyInstance, options: KnowledgeUploadOptions): void {
  const { store, knowledge, maxUploadBytes } = options;
  const ingestQueue = tenantQueue();

  // Its own scope: the body is streamed to disk as raw bytes, whatever its content type, past the app's 1 MiB
  // JSON limit (saveUpload enforces maxUploadBytes, as Fastify's bodyLimit does not apply to a stream); the
  // other routes keep their JSON parser and limit.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.post(knowledgeRoutes.uploads, async (request, reply) => {
      const body = request.body as Readable | undefined;
      try {
        const { tenant } = tenantParams.parse(request.params);
        await requireTenant(store, tenant);
        const name = uploadFileName(request.headers[uploadFilenameHeader]);
        if (Number(request.headers['content-length'] ?? 0) > maxUploadBytes) {
          throw new AppError('too_large', tooLargeMessage(maxUploadBytes));
        }
        if (!body)
          throw new AppError('invalid_input', 'the upload is empty; choose a file with some content');
        const file = await store.tenantFile(tenant, `uploads/${name}`);
        const bytes = await saveUpload(body, file, maxUploadBytes);
        const result = await ingestQueue(tenant, () =>
          ingestFiles(knowledge, tenant, [file], new Map([[file, name]])),
        );
        await store.audit.append({
          actor: actorOf(request.principal),
          tenantId: tenant,
          action: 'knowledge.upload',
          target: name,
          details: { bytes, added: result.added, updated: result.updated, failed: result.failed.length },
        });
        return result;
      } catch (error) {
        closeIfUnread(reply, body);
        throw error;
      }
    });
  });

  app.post(knowledgeRoutes.ingestPaths, async (request): Promise<IngestResult> => {
    const { tenant } = tenantParams.parse(request.params);
    await requireTenant(store, tenant);
    const { paths } = ingestPathsRequestSchema.parse(request.body);
    await checkPaths(paths);
    const result = await ingestQueue(tenant, () =>
      ingestDocumentsOf(knowledge, tenant, readPickedDocuments(paths)),
    );
    await store.audit.append({
      actor: actorOf(request.principal),
      tenantId: tenant,
      action: 'knowledge.ingest-paths',
      target: null,
      details: { paths, added: result.added, updated: result.updated, failed: result.failed.length },
    });
    return result;
  });
}

/** Reads saved uploads, each known by its file name; `names` shows them by their uploaded name. */
function ingestFiles(
  knowledge: KnowledgeBase,
  tenant: TenantId,
  paths: string[],
  names?: Map<string, string>,
): Promise<IngestResult> {
  return ingestDocumentsOf(knowledge, tenant, readDocuments(paths), names);
}

/** Ingests into the Uploads source, without pruning. */
async function ingestDocumentsOf(
  knowledge: KnowledgeBase,
  tenant: TenantId,
  items: DocumentIngest['items'],
  names?: Map<string, string>,
): Promise<IngestResult> {
  const report = await ingestDocuments(knowledge, {
    tenant,
    sourceName: uploadSourceName,
    items,
    prune: false,
  });
  return ingestResult(report, names);
}

/**
 * Reads picked files and folders with each document known by the absolute path of its file (records in a
 * JSONL/CSV file by that path, "#", and the record's id). The walker's ids (a base name, a path relative to the
 * picked folder) would let two different files with the same name replace each other in the one Uploads source.
 */
export async function* readPickedDocuments(paths: readonly string[]): DocumentIngest['items'] {
  for await (const entry of walkPaths(paths)) {
    if ('skipped' in entry) {
      yield entry;
      continue;
    }
    const file = path.resolve(entry.path);
    for await (const result of parseFile(entry.path, { externalId: file })) {
      if ('failure' in result || result.externalId === file) yield result;
      else yield { ...result, externalId: `${file}#${result.externalId}` };
    }
  }
}

/**
 * Paths come from the desktop app's file dialog, so they are absolute and exist; anything else is refused as a
 * whole, naming each bad path and why, before any file is read.
 */
async function checkPaths(paths: string[]): Promise<void> {
  const problems: string[] = [];
  for (const p of paths) {
    if (!path.isAbsolute(p)) {
      problems.push(
        `"${p}" is a relative path; the server cannot tell what it is relative to, so give the full path`,
      );
      continue;
    }
    try {
      await stat(p);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(
        code === 'ENOENT' ? `"${p}" does not exist on this computer` : `"${p}" cannot be read (${code})`,
      );
    }
  }
  if (problems.length > 0) throw new AppError('invalid_input', problems.join('; '));
}

/**
 * Runs one ingest at a time per tenant: uploads arriving together would otherwise race to create the Uploads
 * source (its name is unique) and interleave their index commits.
 */
function tenantQueue(): <T>(tenant: TenantId, run: () => Promise<T>) => Promise<T> {
  const tails = new Map<TenantId, Promise<unknown>>();
  return (tenant, run) => {
    const next = (tails.get(tenant) ?? Promise.resolve()).then(run);
    const tail = next.catch(() => {});
    tails.set(tenant, tail);
    void tail.then(() => {
      if (tails.get(tenant) === tail) tails.delete(tenant);
    });
    return next;
  };
}

/**
 * A request refused before its body was read: the connection is closed after the answer instead of the server
 * reading (and throwing away) up to the whole file first.
 */
function closeIfUnread(reply: FastifyReply, body: Readable | undefined): void {
  if (body && !body.readableEnded) reply.header('connection', 'close');
}
