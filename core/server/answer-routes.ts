import { PassThrough } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AnswerEngine, AskInput } from '../answer/answer-engine.js';
import type { AnswerDraft } from '../contract/answer.js';
import {
  consoleRoutes,
  draftEvents,
  draftRequestSchema,
  rememberAnswerRequestSchema,
  similarAnswersQuerySchema,
} from '../contract/console-api.js';
import { AppError } from '../contract/errors.js';
import type { AnswerMatch, Store } from '../contract/store.js';
import { tenantIdSchema, type TenantId } from '../contract/tenant.js';
import { actorOf } from './console-auth.js';
import { toErrorResponse } from './http-common.js';

/** The answer engine as the console listener uses it. */
export interface AnswerDesk {
  engine: AnswerEngine;
  /** False when no embedding model is installed: answer memory (remember, similar) answers 503. */
  memory: boolean;
}

export interface AnswerRoutesOptions {
  store: Store;
  answers: AnswerDesk;
  /** Aborted when the server stops waiting for requests in flight: drafts still being written stop. */
  shutdown: AbortSignal;
}

const tenantParamsSchema = z.object({ tenant: tenantIdSchema });

const memoryUnavailable =
  'answer memory needs an embedding model; run "npm run setup:models" or import a model folder, then restart "airdesk serve"';

/**
 * The answer engine on the console API: drafts for an agent, answer memory (what agents approved or wrote) and
 * the "similar resolved conversations" list. Every route is tenant-scoped and behind the console's auth hook.
 */
export function registerAnswerRoutes(app: FastifyInstance, options: AnswerRoutesOptions): void {
  const { store, answers, shutdown } = options;

  async function tenantOf(request: FastifyRequest): Promise<TenantId> {
    const { tenant } = tenantParamsSchema.parse(request.params);
    if (!(await store.tenants.get(tenant))) {
      throw new AppError('not_found', `tenant "${tenant}" does not exist; create it first`);
    }
    return tenant;
  }

  app.post(consoleRoutes.drafts, async (request, reply) => {
    const tenant = await tenantOf(request);
    const body = draftRequestSchema.parse(request.body);
    const signal = AbortSignal.any([clientLeft(reply), shutdown]);
    const ask = (onToken?: (text: string) => void): Promise<AnswerDraft> => {
      const input: AskInput = { ...body, signal, ...(onToken ? { onToken } : {}) };
      return answers.engine.ask(tenant, input).then((draft) => {
        logDraft(request, tenant, draft, signal);
        return draft;
      });
    };
    if (wantsEventStream(request)) return streamDraft(request, reply, ask, signal);
    try {
      return await ask();
    } catch (error) {
      if (signal.aborted) return cancelled(request, reply);
      throw error;
    }
  });

  app.post(consoleRoutes.answers, async (request, reply) => {
    const tenant = await tenantOf(request);
    const body = rememberAnswerRequestSchema.parse(request.body);
    if (!answers.memory) throw new AppError('unavailable', memoryUnavailable);
    const remembered = await answers.engine.remember(tenant, body);
    // Ids only: the question and answer are customer data and stay in the tenant's own database.
    await store.audit.append({
      actor: actorOf(request.principal),
      tenantId: tenant,
      action: 'answer.remember',
      target: remembered.id,
      details: { origin: remembered.origin, conversationId: remembered.conversationId },
    });
    return reply.status(201).send(remembered);
  });

  app.get(consoleRoutes.similarAnswers, async (request): Promise<AnswerMatch[]> => {
    const tenant = await tenantOf(request);
    const query = similarAnswersQuerySchema.parse(request.query);
    if (!answers.memory) throw new AppError('unavailable', memoryUnavailable);
    return answers.engine.recall(tenant, query.q, query.limit, query.minSimilarity);
  });
}

/**
 * A signal that fires when the client goes away before its answer is written, so a generation nobody waits
 * for stops. `close` on the response also fires after a normal finish; `writableFinished` tells them apart.
 */
export function clientLeft(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('the client closed the connection'));
  });
  return controller.signal;
}

function wantsEventStream(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/event-stream');
}

/**
 * Streams a draft as server-sent events: `token` while the generator writes, then one `draft` (or `error`).
 * Bad input and unknown tenants were answered as JSON before the stream opened.
 */
function streamDraft(
  request: FastifyRequest,
  reply: FastifyReply,
  ask: (onToken: (text: string) => void) => Promise<AnswerDraft>,
  signal: AbortSignal,
): FastifyReply {
  const stream = new PassThrough();
  const send = (event: string, data: unknown) => {
    if (!stream.writableEnded && !stream.destroyed) {
      stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    }
  };
  void ask((text) => send(draftEvents.token, { text }))
    .then((draft) => send(draftEvents.draft, draft))
    .catch((error: unknown) => {
      if (signal.aborted) {
        request.log.info('draft cancelled: the client went away or the server is stopping');
        return;
      }
      const { status, body } = toErrorResponse(error as FastifyError);
      if (status >= 500) request.log.error({ err: error }, 'draft failed');
      send(draftEvents.error, body);
    })
    .finally(() => stream.end());
  return reply.type('text/event-stream; charset=utf-8').header('Cache-Control', 'no-store').send(stream);
}

/**
 * Nobody reads this answer (the client left, or the server is stopping): cancellation is not a failure, so it
 * is logged as info and answered with nginx's 499 "client closed request", which keeps it apart in metrics.
 */
function cancelled(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.log.info('draft cancelled: the client went away or the server is stopping');
  return reply.status(499).send();
}

/** One line per draft for operators: numbers only, never the question or the answer (customer data). */
function logDraft(request: FastifyRequest, tenant: TenantId, draft: AnswerDraft, signal: AbortSignal): void {
  request.log.info(
    {
      tenant,
      generator: draft.generator.id,
      confidence: draft.confidence,
      complete: draft.complete,
      abstained: draft.abstained,
      escalate: draft.escalation.escalate,
      cancelled: signal.aborted,
      totalMs: draft.timings.totalMs,
    },
    'draft',
  );
}
