import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  consoleRoutes,
  documentVisibilityRequestSchema,
  type DocumentVisibility,
} from '../contract/console-api.js';
import { AppError } from '../contract/errors.js';
import type { Store } from '../contract/store.js';
import { tenantIdSchema } from '../contract/tenant.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { actorOf } from './console-auth.js';

const paramsSchema = z.object({ tenant: tenantIdSchema, document: z.string().min(1).max(200) });

/**
 * Knowledge administration on the console API. Today: a document's visibility to the public widget, which an
 * admin sets over the source's permissions (it survives re-syncs) and which retrieval enforces.
 */
export function registerKnowledgeRoutes(
  app: FastifyInstance,
  options: { store: Store; knowledge: KnowledgeBase },
): void {
  const { store, knowledge } = options;
  app.put(consoleRoutes.documentVisibility, async (request): Promise<DocumentVisibility> => {
    const { tenant, document } = paramsSchema.parse(request.params);
    if (!(await store.tenants.get(tenant))) {
      throw new AppError('not_found', `tenant "${tenant}" does not exist; create it first`);
    }
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
