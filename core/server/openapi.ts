import { z } from 'zod';
import {
  consoleRoutes,
  sessionInfoSchema,
  signInRequestSchema,
  tenantListSchema,
} from '../contract/console-api.js';
import { createTenantSchema, tenantSchema } from '../contract/tenant.js';

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

function schema(s: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
  return rest;
}

const json = (s: z.ZodType) => ({ content: { 'application/json': { schema: schema(s) } } });
const error = (description: string) => ({ description, ...json(errorSchema) });

/**
 * The console API as OpenAPI 3.1, generated from the same zod schemas the server validates with, so the
 * document cannot drift from the code. Served at /api/openapi.json.
 */
export function consoleOpenApi(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'airdesk console API',
      version,
      description:
        'Served on 127.0.0.1 only. Authenticate with the console token as a bearer, or a session cookie.',
    },
    components: {
      securitySchemes: {
        consoleToken: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'airdesk_session' },
      },
    },
    security: [{ consoleToken: [] }, { session: [] }],
    paths: {
      [consoleRoutes.session]: {
        get: {
          summary: 'The current session',
          responses: {
            '200': { description: 'signed in', ...json(sessionInfoSchema) },
            '401': error('not signed in'),
          },
        },
        post: {
          summary: 'Sign in with the console token; sets the session cookie',
          security: [],
          requestBody: { required: true, ...json(signInRequestSchema) },
          responses: {
            '200': { description: 'signed in', ...json(sessionInfoSchema) },
            '401': error('wrong token'),
            '429': error('too many failed attempts'),
          },
        },
        delete: { summary: 'Sign out', responses: { '204': { description: 'signed out' } } },
      },
      [consoleRoutes.tenants]: {
        get: {
          summary: 'List tenants',
          responses: { '200': { description: 'tenants', ...json(tenantListSchema) } },
        },
        post: {
          summary: 'Create a tenant',
          requestBody: { required: true, ...json(createTenantSchema) },
          responses: {
            '201': { description: 'created', ...json(tenantSchema) },
            '400': error('invalid id or name'),
            '409': error('exists already'),
          },
        },
      },
      [consoleRoutes.metrics]: {
        get: {
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'text format', content: { 'text/plain': {} } } },
        },
      },
      [consoleRoutes.health]: {
        get: { summary: 'Liveness', security: [], responses: { '200': { description: 'ok' } } },
      },
    },
  };
}
