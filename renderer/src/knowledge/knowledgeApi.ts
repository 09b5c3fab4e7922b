import {
  consoleRoutes,
  documentVisibilitySchema,
  tenantRoute,
  type DocumentVisibility,
} from '../../../core/contract/console-api.js';
import type { ErrorBody } from '../../../core/contract/errors.js';
import {
  documentListSchema,
  ingestResultSchema,
  knowledgeRoutes,
  knowledgeSourceListSchema,
  passageSchema,
  playgroundResultSchema,
  uploadFilenameHeader,
  type DocumentView,
  type IngestResult,
  type KnowledgeSourceView,
  type Passage,
  type PlaygroundResult,
} from '../../../core/contract/knowledge-api.js';
import { ApiError, request } from '../api.js';

export async function listSources(tenant: string): Promise<KnowledgeSourceView[]> {
  return knowledgeSourceListSchema.parse(await request('GET', tenantRoute(knowledgeRoutes.sources, tenant)))
    .sources;
}

export async function listDocuments(
  tenant: string,
  filter: { source?: string; q?: string },
): Promise<DocumentView[]> {
  const query = new URLSearchParams();
  if (filter.source) query.set('source', filter.source);
  if (filter.q?.trim()) query.set('q', filter.q.trim());
  const text = query.toString();
  const suffix = text ? `?${text}` : '';
  return documentListSchema.parse(
    await request('GET', tenantRoute(knowledgeRoutes.documents, tenant) + suffix),
  ).documents;
}

/** true / false: the admin's choice for the widget; null: follow the source's own permissions again. */
export async function setDocumentPublic(
  tenant: string,
  document: string,
  isPublic: boolean | null,
): Promise<DocumentVisibility> {
  const path = tenantRoute(consoleRoutes.documentVisibility, tenant).replace(
    ':document',
    encodeURIComponent(document),
  );
  return documentVisibilitySchema.parse(await request('PUT', path, { public: isPublic }));
}

export async function runPlayground(tenant: string, q: string, k = 10): Promise<PlaygroundResult> {
  const query = new URLSearchParams({ q, k: String(k) });
  return playgroundResultSchema.parse(
    await request('GET', `${tenantRoute(knowledgeRoutes.playground, tenant)}?${query.toString()}`),
  );
}

export async function readPassage(tenant: string, chunkId: string): Promise<Passage> {
  const path = tenantRoute(knowledgeRoutes.passage, tenant).replace(':chunk', encodeURIComponent(chunkId));
  return passageSchema.parse(await request('GET', path));
}

/** Paths the desktop app's file dialog returned, ingested by the server from this computer. */
export async function ingestPaths(tenant: string, paths: string[]): Promise<IngestResult> {
  return ingestResultSchema.parse(
    await request('POST', tenantRoute(knowledgeRoutes.ingestPaths, tenant), { paths }),
  );
}

/**
 * Uploads one file as raw bytes. XMLHttpRequest, not fetch: only it reports upload progress. `onProgress` gets
 * the sent fraction (0..1); once the bytes are all sent the server is still ingesting, until the promise settles.
 */
export function uploadFile(
  tenant: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<IngestResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', tenantRoute(knowledgeRoutes.uploads, tenant));
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader(uploadFilenameHeader, encodeURIComponent(file.name));
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.upload.onload = () => onProgress(1);
    xhr.onerror = () =>
      reject(
        new ApiError(0, 'unavailable', 'The upload did not reach the airdesk server. Is it still running?'),
      );
    xhr.onload = () => {
      const payload = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(ingestResultSchema.parse(payload));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
        return;
      }
      const body = payload as Partial<ErrorBody> | undefined;
      const message = body?.error?.message ?? `The server answered HTTP ${xhr.status}.`;
      reject(new ApiError(xhr.status, body?.error?.code ?? 'unavailable', message));
    };
    xhr.send(file);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
