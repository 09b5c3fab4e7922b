import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  assignRequestSchema,
  conversationListQuerySchema,
  deskRoutes,
  escalateRequestSchema,
  escalationQueueQuerySchema,
  noteRequestSchema,
  readRequestSchema,
  regenerateRequestSchema,
  replyRequestSchema,
  resolveRequestSchema,
} from '../contract/desk-api.js';
import { AppError } from '../contract/errors.js';
import type { Store } from '../contract/store.js';
import { tenantIdSchema, type TenantId } from '../contract/tenant.js';
import type { DeskService } from '../desk/desk-service.js';
import { clientLeft } from './answer-routes.js';
import { actorOf } from './console-auth.js';

export interface DeskRoutesOptions {
  store: Store;
  desk: DeskService;
  /** Aborted when the server stops waiting for requests in flight: a regeneration still running stops. */
  shutdown: AbortSignal;
}

const tenantParamsSchema = z.object({ tenant: tenantIdSchema });
const conversationParamsSchema = z.object({
  tenant: tenantIdSchema,
  conversation: z.string().min(1).max(200),
});

/** The tenant named in the path; @throws AppError `not_found` when it does not exist. */
export async function deskTenantOf(store: Store, request: FastifyRequest): Promise<TenantId> {
  const { tenant } = tenantParamsSchema.parse(request.params);
  if (!(await store.tenants.get(tenant))) {
    throw new AppError('not_found', `tenant "${tenant}" does not exist; create it first`);
  }
  return tenant;
}

/**
 * The agent console's desk routes (core/contract/desk-api.ts): the inbox, a conversation, the agent's actions on
 * it and the escalation queue. Every route is tenant-scoped and behind the console's auth hook; every action is
 * audited with ids and the agent's name only (the texts are customer data and stay in the tenant's database).
 */
export function registerDeskRoutes(app: FastifyInstance, options: DeskRoutesOptions): void {
  const { store, desk, shutdown } = options;

  async function conversationOf(request: FastifyRequest): Promise<{ tenant: TenantId; id: string }> {
    const { conversation } = conversationParamsSchema.parse(request.params);
    const tenant = await deskTenantOf(store, request);
    if (!(await store.conversations.get(tenant, conversation))) {
      throw new AppError('not_found', `conversation ${conversation} does not exist in tenant "${tenant}"`);
    }
    return { tenant, id: conversation };
  }

  const audit = (
    request: FastifyRequest,
    tenant: TenantId,
    action: string,
    target: string,
    details: Record<string, unknown>,
  ) => store.audit.append({ actor: actorOf(request.principal), tenantId: tenant, action, target, details });

  app.get(deskRoutes.conversations, async (request) => {
    const tenant = await deskTenantOf(store, request);
    const query = conversationListQuerySchema.parse(request.query);
    return desk.inbox.list(tenant, query);
  });

  app.get(deskRoutes.conversation, async (request) => {
    const { tenant, id } = await conversationOf(request);
    return desk.inbox.detail(tenant, id);
  });

  app.post(deskRoutes.reply, async (request, reply) => {
    const { tenant, id } = await conversationOf(request);
    const body = replyRequestSchema.parse(request.body);
    const message = await desk.agent.reply(tenant, id, body);
    await audit(request, tenant, 'conversation.reply', id, {
      agent: body.agent,
      messageId: message.id,
      ...(body.draftId ? { draftId: body.draftId } : {}),
    });
    return reply.status(201).send(message);
  });

  app.post(deskRoutes.regenerate, async (request, reply) => {
    const { tenant, id } = await conversationOf(request);
    const body = regenerateRequestSchema.parse(request.body);
    const signal = AbortSignal.any([clientLeft(reply), shutdown]);
    const draft = await desk.agent.regenerate(tenant, id, signal);
    await audit(request, tenant, 'conversation.regenerate', id, { agent: body.agent, draftId: draft.id });
    return reply.status(201).send(draft);
  });

  app.post(deskRoutes.escalate, async (request, reply) => {
    const { tenant, id } = await conversationOf(request);
    const body = escalateRequestSchema.parse(request.body);
    const escalation = await desk.agent.escalate(tenant, id, body);
    await audit(request, tenant, 'conversation.escalate', id, {
      agent: body.agent,
      escalationId: escalation.id,
      priority: escalation.priority,
    });
    return reply.status(201).send(escalation);
  });

  app.post(deskRoutes.resolve, async (request) => {
    const { tenant, id } = await conversationOf(request);
    const body = resolveRequestSchema.parse(request.body);
    const summary = await desk.agent.resolve(tenant, id);
    await audit(request, tenant, 'conversation.resolve', id, { agent: body.agent });
    return summary;
  });

  app.post(deskRoutes.assign, async (request) => {
    const { tenant, id } = await conversationOf(request);
    const body = assignRequestSchema.parse(request.body);
    const summary = await desk.agent.assign(tenant, id, body.assignee);
    await audit(request, tenant, 'conversation.assign', id, { agent: body.agent, assignee: body.assignee });
    return summary;
  });

  app.post(deskRoutes.notes, async (request, reply) => {
    const { tenant, id } = await conversationOf(request);
    const body = noteRequestSchema.parse(request.body);
    const note = await desk.agent.note(tenant, id, body.agent, body.text);
    await audit(request, tenant, 'conversation.note', id, { agent: body.agent, noteId: note.id });
    return reply.status(201).send(note);
  });

  // Not audited: an agent opening a conversation is not a change anyone reviews.
  app.post(deskRoutes.read, async (request) => {
    const { tenant, id } = await conversationOf(request);
    readRequestSchema.parse(request.body);
    return desk.agent.read(tenant, id);
  });

  app.get(deskRoutes.escalations, async (request) => {
    const tenant = await deskTenantOf(store, request);
    const query = escalationQueueQuerySchema.parse(request.query);
    return desk.inbox.escalationQueue(tenant, query);
  });
}
