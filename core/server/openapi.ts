import { z } from 'zod';
import {
  addConnectorRequestSchema,
  answerDraftSchema,
  cancelSyncResultSchema,
  connectionTestResultSchema,
  connectorKindListSchema,
  connectorListSchema,
  connectorViewSchema,
  syncConnectorRequestSchema,
  syncRunListSchema,
  syncRunsQuerySchema,
  syncStartedSchema,
  testConnectorRequestSchema,
  testNewConnectorRequestSchema,
  updateConnectorRequestSchema,
  consoleRoutes,
  documentVisibilityRequestSchema,
  documentVisibilitySchema,
  draftRequestSchema,
  rememberAnswerRequestSchema,
  rememberedAnswerSchema,
  sessionInfoSchema,
  signInRequestSchema,
  similarAnswersQuerySchema,
  similarAnswersSchema,
  tenantListSchema,
} from '../contract/console-api.js';
import { createTenantSchema, tenantIdSchema, tenantSchema } from '../contract/tenant.js';
import { deskPaths } from './openapi-desk.js';

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

function schema(s: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
  return rest;
}

const json = (s: z.ZodType) => ({ content: { 'application/json': { schema: schema(s) } } });
const error = (description: string) => ({ description, ...json(errorSchema) });

/** Fastify's `/a/:name` as OpenAPI's `/a/{name}`. */
const openApiPath = (route: string) => route.replace(/:(\w+)/g, '{$1}');
const tenantParameter = { name: 'tenant', in: 'path', required: true, schema: schema(tenantIdSchema) };

/** One OpenAPI query parameter per field of a zod object. */
function queryParameters(s: z.ZodObject): Record<string, unknown>[] {
  const { properties = {}, required = [] } = schema(s) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: 'query',
      required: required.includes(name),
      schema: rest,
      ...(description ? { description } : {}),
    };
  });
}

const connectorParameter = { name: 'connector', in: 'path', required: true, schema: { type: 'string' } };

const tenantErrors = {
  '400': error('invalid tenant id or body; the message names the field'),
  '401': error('not signed in'),
  '404': error('no such tenant'),
};

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
      [openApiPath(consoleRoutes.drafts)]: {
        post: {
          summary: 'Draft an answer to a customer question, with citations, confidence and escalation',
          description:
            'With `Accept: text/event-stream` the draft streams as server-sent events: `token` events ' +
            '`{"text"}` while a generator writes (none from the extractive composer), then one `draft` event ' +
            'with the draft, or one `error` event with an error body. Closing the connection stops generation.',
          parameters: [tenantParameter],
          requestBody: { required: true, ...json(draftRequestSchema) },
          responses: {
            '200': {
              description: 'the draft',
              content: {
                'application/json': { schema: schema(answerDraftSchema) },
                'text/event-stream': { schema: { type: 'string' } },
              },
            },
            ...tenantErrors,
            '413': error('the question is too long'),
          },
        },
      },
      [openApiPath(consoleRoutes.answers)]: {
        post: {
          summary: 'Remember an answer an agent approved or wrote (answer memory)',
          description:
            'Remembering again for the same conversation, or for the same question without one, replaces ' +
            'the entry: that is how an agent corrects it. Audited with ids only.',
          parameters: [tenantParameter],
          requestBody: { required: true, ...json(rememberAnswerRequestSchema) },
          responses: {
            '201': { description: 'remembered', ...json(rememberedAnswerSchema) },
            ...tenantErrors,
            '404': error('no such tenant or conversation'),
            '503': error('no embedding model is installed'),
          },
        },
      },
      [openApiPath(consoleRoutes.similarAnswers)]: {
        get: {
          summary:
            'Remembered answers to questions like this one, best first (similar resolved conversations)',
          parameters: [tenantParameter, ...queryParameters(similarAnswersQuerySchema)],
          responses: {
            '200': { description: 'matches, best first', ...json(similarAnswersSchema) },
            ...tenantErrors,
            '503': error('no embedding model is installed'),
          },
        },
      },
      [openApiPath(consoleRoutes.documentVisibility)]: {
        put: {
          summary: 'Make a document visible to the public widget, hide it, or follow its source again (null)',
          parameters: [
            tenantParameter,
            { name: 'document', in: 'path', required: true, schema: { type: 'string' } },
          ],
          requestBody: { required: true, ...json(documentVisibilityRequestSchema) },
          responses: {
            '200': {
              description: 'the document and its effective visibility',
              ...json(documentVisibilitySchema),
            },
            ...tenantErrors,
            '404': error('no such tenant or document'),
          },
        },
      },
      ...connectorPaths(),
      ...deskPaths({ json, error, queryParameters, openApiPath, tenantParameter, tenantErrors }),
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

/** The connector routes: kinds, add / edit / delete, test, run now, cancel, history, live progress. */
function connectorPaths(): Record<string, unknown> {
  const connectorErrors = { ...tenantErrors, '404': error('no such tenant or connector') };
  const both = [tenantParameter, connectorParameter];
  const testFailed = {
    '400': error('invalid settings (the message names the field), or the connection test failed'),
    '503': error('the source did not answer'),
  };
  return {
    [consoleRoutes.connectorKinds]: {
      get: {
        summary: 'Connector kinds with their settings as JSON Schema (secret fields: x-airdesk-secret)',
        responses: { '200': { description: 'kinds', ...json(connectorKindListSchema) } },
      },
    },
    [openApiPath(consoleRoutes.connectors)]: {
      get: {
        summary: "A tenant's connectors with their state, last run and next scheduled run",
        parameters: [tenantParameter],
        responses: { '200': { description: 'connectors', ...json(connectorListSchema) }, ...tenantErrors },
      },
      post: {
        summary: 'Add a connector; its connection is tested first',
        description:
          'Secret fields are plain strings; they go to the secret store and are never returned. Audited with ids only.',
        parameters: [tenantParameter],
        requestBody: { required: true, ...json(addConnectorRequestSchema) },
        responses: {
          '201': { description: 'added', ...json(connectorViewSchema) },
          ...tenantErrors,
          ...testFailed,
          '409': error('a connector with this name exists'),
        },
      },
    },
    [openApiPath(consoleRoutes.connectorTestNew)]: {
      post: {
        summary: 'Test the connection of settings before adding the connector',
        parameters: [tenantParameter],
        requestBody: { required: true, ...json(testNewConnectorRequestSchema) },
        responses: {
          '200': { description: 'the connection works', ...json(connectionTestResultSchema) },
          ...tenantErrors,
          ...testFailed,
        },
      },
    },
    [openApiPath(consoleRoutes.connector)]: {
      patch: {
        summary: 'Edit settings, schedule or enabled; a secret left empty keeps the stored one',
        parameters: both,
        requestBody: { required: true, ...json(updateConnectorRequestSchema) },
        responses: {
          '200': { description: 'updated', ...json(connectorViewSchema) },
          ...connectorErrors,
          ...testFailed,
        },
      },
      delete: {
        summary: 'Delete the connector, its documents (index and store) and its stored secrets',
        parameters: both,
        responses: { '204': { description: 'deleted' }, ...connectorErrors },
      },
    },
    [openApiPath(consoleRoutes.connectorTest)]: {
      post: {
        summary: 'Test the connection with the stored settings, or with these',
        parameters: both,
        requestBody: { required: false, ...json(testConnectorRequestSchema) },
        responses: {
          '200': { description: 'the connection works', ...json(connectionTestResultSchema) },
          ...connectorErrors,
          ...testFailed,
        },
      },
    },
    [openApiPath(consoleRoutes.connectorSync)]: {
      post: {
        summary: 'Sync now; answers with the run id (null while it waits for a free slot)',
        parameters: both,
        requestBody: { required: false, ...json(syncConnectorRequestSchema) },
        responses: {
          '202': { description: 'started or queued', ...json(syncStartedSchema) },
          ...connectorErrors,
          '409': error('already syncing, or disabled'),
        },
      },
    },
    [openApiPath(consoleRoutes.connectorCancel)]: {
      post: {
        summary: 'Cancel a queued or running sync; the next one resumes from the last saved page',
        parameters: both,
        responses: {
          '200': { description: 'whether one was cancelled', ...json(cancelSyncResultSchema) },
          ...connectorErrors,
        },
      },
    },
    [openApiPath(consoleRoutes.connectorRuns)]: {
      get: {
        summary: 'Sync history, newest first, with per-item failures and their reasons',
        parameters: [...both, ...queryParameters(syncRunsQuerySchema)],
        responses: { '200': { description: 'runs', ...json(syncRunListSchema) }, ...connectorErrors },
      },
    },
    [openApiPath(consoleRoutes.connectorEvents)]: {
      get: {
        summary: 'Live sync progress as server-sent events',
        description:
          'Events: `state` {state, progress} first, then `started` {run}, `progress` {runId, phase, pages, ' +
          'documents, added, updated, deleted, failed}, `finished` {run}, or `failed` (an error body).',
        parameters: both,
        responses: {
          '200': {
            description: 'event stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...connectorErrors,
          '503': error('too many streams are open'),
        },
      },
    },
  };
}
