import type { z } from 'zod';
import {
  agentDraftSchema,
  assignRequestSchema,
  conversationDetailSchema,
  conversationListQuerySchema,
  conversationListSchema,
  conversationSummarySchema,
  createdWidgetKeySchema,
  createWidgetKeyRequestSchema,
  deskMessageSchema,
  deskRoutes,
  deskSettingsViewSchema,
  escalateRequestSchema,
  escalationQueueQuerySchema,
  escalationQueueSchema,
  escalationViewSchema,
  internalNoteSchema,
  noteRequestSchema,
  readRequestSchema,
  regenerateRequestSchema,
  replyRequestSchema,
  resolveRequestSchema,
  updateDeskSettingsSchema,
  updateWidgetKeyOriginsSchema,
  widgetKeyListSchema,
  widgetKeyViewSchema,
} from '../contract/desk-api.js';

/** What openapi.ts builds its documents with, passed in so the two files do not import each other. */
export interface OpenApiHelpers {
  json: (s: z.ZodType) => Record<string, unknown>;
  error: (description: string) => Record<string, unknown>;
  queryParameters: (s: z.ZodObject) => Record<string, unknown>[];
  openApiPath: (route: string) => string;
  tenantParameter: Record<string, unknown>;
  tenantErrors: Record<string, unknown>;
}

/** The desk's console routes (core/contract/desk-api.ts) as OpenAPI paths. */
export function deskPaths(h: OpenApiHelpers): Record<string, unknown> {
  const conversationParameter = {
    name: 'conversation',
    in: 'path',
    required: true,
    schema: { type: 'string' },
  };
  const keyParameter = { name: 'key', in: 'path', required: true, schema: { type: 'string' } };
  const both = [h.tenantParameter, conversationParameter];
  const conversationErrors = { ...h.tenantErrors, '404': h.error('no such tenant or conversation') };
  const action = (
    summary: string,
    body: z.ZodType,
    status: string,
    result: z.ZodType,
    extra: Record<string, unknown> = {},
  ) => ({
    post: {
      summary,
      parameters: both,
      requestBody: { required: true, ...h.json(body) },
      responses: { [status]: { description: 'done', ...h.json(result) }, ...conversationErrors, ...extra },
    },
  });
  return {
    [h.openApiPath(deskRoutes.conversations)]: {
      get: {
        summary:
          'The inbox: conversations (priority first, then most recently updated) and tenant-wide counts',
        parameters: [h.tenantParameter, ...h.queryParameters(conversationListQuerySchema)],
        responses: { '200': { description: 'inbox', ...h.json(conversationListSchema) }, ...h.tenantErrors },
      },
    },
    [h.openApiPath(deskRoutes.conversation)]: {
      get: {
        summary: 'A conversation with its messages, drafts (newest first), notes, escalations and rating',
        parameters: both,
        responses: {
          '200': { description: 'conversation', ...h.json(conversationDetailSchema) },
          ...conversationErrors,
        },
      },
    },
    [h.openApiPath(deskRoutes.reply)]: action(
      'Send a reply to the visitor; with draftId, that draft approved (unchanged) or edited',
      replyRequestSchema,
      '201',
      deskMessageSchema,
      { '409': h.error('the draft was already sent or discarded') },
    ),
    [h.openApiPath(deskRoutes.regenerate)]: action(
      'A new AI draft for the latest visitor message; the pending ones are discarded',
      regenerateRequestSchema,
      '201',
      agentDraftSchema,
      { '409': h.error('the visitor has not written anything yet') },
    ),
    [h.openApiPath(deskRoutes.escalate)]: action(
      'Hand the conversation to a person (pending_human); the note is kept as an internal note',
      escalateRequestSchema,
      '201',
      escalationViewSchema,
    ),
    [h.openApiPath(deskRoutes.resolve)]: action(
      'Resolve: escalations close, pending drafts are discarded, the visitor is told',
      resolveRequestSchema,
      '200',
      conversationSummarySchema,
    ),
    [h.openApiPath(deskRoutes.assign)]: action(
      'Assign to an agent (null unassigns); active escalations become assigned (or open again)',
      assignRequestSchema,
      '200',
      conversationSummarySchema,
    ),
    [h.openApiPath(deskRoutes.notes)]: action(
      'Add an internal note (never shown to the visitor)',
      noteRequestSchema,
      '201',
      internalNoteSchema,
    ),
    [h.openApiPath(deskRoutes.read)]: action(
      'The agent opened the conversation: its unread count drops to 0',
      readRequestSchema,
      '200',
      conversationSummarySchema,
    ),
    [h.openApiPath(deskRoutes.escalations)]: {
      get: {
        summary: 'The escalation queue: highest priority first, then oldest first',
        parameters: [h.tenantParameter, ...h.queryParameters(escalationQueueQuerySchema)],
        responses: { '200': { description: 'queue', ...h.json(escalationQueueSchema) }, ...h.tenantErrors },
      },
    },
    [h.openApiPath(deskRoutes.settings)]: {
      get: {
        summary: 'Desk settings: reply mode, auto-reply threshold, handoff reasons',
        parameters: [h.tenantParameter],
        responses: {
          '200': { description: 'settings', ...h.json(deskSettingsViewSchema) },
          ...h.tenantErrors,
        },
      },
      put: {
        summary: 'Change desk settings (the fields given)',
        parameters: [h.tenantParameter],
        requestBody: { required: true, ...h.json(updateDeskSettingsSchema) },
        responses: {
          '200': { description: 'settings', ...h.json(deskSettingsViewSchema) },
          ...h.tenantErrors,
        },
      },
    },
    [h.openApiPath(deskRoutes.events)]: {
      get: {
        summary: 'Live desk events as server-sent events',
        description:
          'Events: `ready` {} first, then `conversation` {conversationId, change, summary}, `escalation` ' +
          '{escalation}, `draft` {conversationId, draftId}. No ids: a client that reconnects refetches.',
        parameters: [h.tenantParameter],
        responses: {
          '200': {
            description: 'event stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...h.tenantErrors,
          '503': h.error('too many streams are open'),
        },
      },
    },
    [h.openApiPath(deskRoutes.widgetKeys)]: {
      get: {
        summary: "The tenant's widget keys (never the keys themselves)",
        parameters: [h.tenantParameter],
        responses: { '200': { description: 'keys', ...h.json(widgetKeyListSchema) }, ...h.tenantErrors },
      },
      post: {
        summary: 'Create a publishable widget key; the answer carries the key, once',
        parameters: [h.tenantParameter],
        requestBody: { required: true, ...h.json(createWidgetKeyRequestSchema) },
        responses: {
          '201': { description: 'created', ...h.json(createdWidgetKeySchema) },
          ...h.tenantErrors,
          '400': h.error('an origin is not an http(s) origin; the message names it'),
        },
      },
    },
    [h.openApiPath(deskRoutes.widgetKeyOrigins)]: {
      put: {
        summary: "Replace a key's allowed origins",
        parameters: [h.tenantParameter, keyParameter],
        requestBody: { required: true, ...h.json(updateWidgetKeyOriginsSchema) },
        responses: {
          '200': { description: 'updated', ...h.json(widgetKeyViewSchema) },
          ...h.tenantErrors,
          '404': h.error('no such tenant or key'),
        },
      },
    },
    [h.openApiPath(deskRoutes.widgetKey)]: {
      delete: {
        summary: 'Revoke a widget key',
        parameters: [h.tenantParameter, keyParameter],
        responses: {
          '204': { description: 'revoked' },
          ...h.tenantErrors,
          '404': h.error('no such tenant or key'),
        },
      },
    },
  };
}
