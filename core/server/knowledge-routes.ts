import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  consoleRoutes,
  documentVisibilityRequestSchema,
  type DocumentVisibility,
} from '../contract/console-api.js';
import {
  documentListQuerySchema,
  knowledgeRoutes,
  maxUploadBytes,
  playgroundQuerySchema,
  type KnowledgeSourceView,
  type Passage,
  type PlaygroundResult,
  type DocumentView,
} from '../contract/knowledge-api.js';
import type { Store } from '../contract/store.js';
import { tenantIdSchema } from '../contract/tenant.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { actorOf } from './console-auth.js';
import { registerKnowledgeUploads } from './knowledge-uploads.js';
import { documentViews, readPassage, requireTenant, runPlayground, sourceViews } from './knowledge-views.js';

const tenantParams = z.object({ tenant: tenantIdSchema });
const documentParams = z.object({ tenant: tenantIdSchema, document: z.string().min(1).max(200) });
const passageParams = z.object({ tenant: tenantIdSchema, chunk: z.string().min(1).max(500) });

/**
 * The console's Knowledge page API: sources and documents, a document's visibility to the public widget
 * (which an admin sets over the source's permissions; it survives re-syncs and retrieval enforces it), adding
 * files (knowledge-uploads.ts), the search playground and the passage a citation points at.
 */
export function registerKnowledgeRoutes(
  app: FastifyInstance,
  options: { store: Store; knowledge: KnowledgeBase; maxUploadBytes?: number },
): void {
  const { store, knowledge } = options;

  app.get(knowledgeRoutes.sources, async (request): Promise<{ sources: KnowledgeSourceView[] }> => {
    const { tenant } = tenantParams.parse(request.params);
    await requireTenant(store, tenant);
    return { sources: await sourceViews(store, tenant) };
  });

  app.get(knowledgeRoutes.documents, async (request): Promise<{ documents: DocumentView[] }> => {
    const { tenant } = tenantParams.parse(request.params);
    const filter = documentListQuerySchema.parse(request.query);
    await requireTenant(store, tenant);
    return { documents: await documentViews(store, tenant, filter) };
  });

  app.get(knowledgeRoutes.playground, async (request): Promise<PlaygroundResult> => {
    const { tenant } = tenantParams.parse(request.params);
    const { q, k } = playgroundQuerySchema.parse(request.query);
    await requireTenant(store, tenant);
    return runPlayground(knowledge, tenant, q, k);
  });

  app.get(knowledgeRoutes.passage, async (request): Promise<Passage> => {
    const { tenant, chunk } = passageParams.parse(request.params);
    await requireTenant(store, tenant);
    return readPassage(knowledge, tenant, chunk);
  });

  registerKnowledgeUploads(app, {
    store,
    knowledge,
    maxUploadBytes: options.maxUploadBytes ?? maxUploadBytes,
  });

  app.put(consoleRoutes.documentVisibility, async (request): Promise<DocumentVisibility> => {
    const { tenant, document } = documentParams.parse(request.params);
    await requireTenant(store, tenant);
    const body = documentVisibilityRequestSchema.parse(request.body);
    const record = await knowledge.setPublic(tenant, document, body.public);
    await store.audit.append({
      actor: actorOf(request.principal),
      tenantId: tenant,
      action: 'document.visibility',
      target: record.id,
      details: { public: body.public },
    });
    return {
      id: record.id,
      externalId: record.externalId,
      title: record.title,
      isPublic: record.isPublic,
      publicOverride: record.publicOverride,
    };
  });
}
