import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { AppError, httpStatusOf, type ErrorBody } from '../contract/errors.js';
import type { ServerMetrics } from './metrics.js';

/**
 * What both listeners share: errors as `{ error: { code, message } }` (SPEC.md), a JSON 404, and request
 * metrics. Unexpected errors are logged in full but answered with a generic message, so nothing internal leaks.
 */
export function installCommonHandlers(
  app: FastifyInstance,
  listener: string,
  metrics: ServerMetrics,
  notFound: (request: FastifyRequest, reply: FastifyReply) => unknown = (request, reply) =>
    reply.status(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler(notFound);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { listener, method: request.method, route };
    metrics.httpRequests.inc({ ...labels, status: String(reply.statusCode) });
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
}

export function errorBody(code: ErrorBody['error']['code'], message: string): ErrorBody {
  return { error: { code, message } };
}

/** The status and body an error is answered with (also written into a draft's event stream). */
export function toErrorResponse(error: FastifyError): { status: number; body: ErrorBody } {
  if (error instanceof AppError) return { status: httpStatusOf[error.code], body: error.toBody() };
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return { status: 400, body: errorBody('invalid_input', `${where}${issue?.message ?? 'invalid input'}`) };
  }
  if (error.statusCode === 413)
    return { status: 413, body: errorBody('too_large', 'request body is too large') };
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: 400, body: errorBody('invalid_input', error.message) };
  }
  return { status: 500, body: errorBody('unavailable', 'internal error; see the server log for details') };
}
