import { z } from 'zod';
import {
  conversationStatuses,
  escalationReasons,
  messageRoles,
  priorities,
  replyModes,
} from './conversation.js';

/**
 * The agent console's desk API (console listener, under /api/tenants/:tenant): the inbox, a conversation with
 * its AI draft, escalations, desk settings, widget keys, and the tenant's live desk events. The renderer and the
 * server both validate against these shapes; they are published in /api/openapi.json.
 *
 * Agents: until SSO brings user accounts, an agent is a display name the console keeps per browser (the
 * `agent` field / query parameter). Assignment and "mine / others" filters are by that name.
 */

const agentName = z
  .string()
  .trim()
  .min(1, 'give the agent a name')
  .max(100, 'an agent name is at most 100 characters');

const citationSchema = z.object({
  docId: z.string(),
  title: z.string(),
  quote: z.string(),
  chunkId: z.string().optional(),
});

export const deskMessageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  role: z.enum(messageRoles),
  text: z.string(),
  citations: z.array(citationSchema),
  createdAt: z.string(),
});
export type DeskMessage = z.infer<typeof deskMessageSchema>;

/** One sentence of a draft and whether the grounding checker found it in the cited passages. */
export const draftSentenceSchema = z.object({
  text: z.string(),
  supported: z.boolean(),
});

export const agentDraftSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  /** The visitor message it answers. */
  messageId: z.string(),
  text: z.string(),
  citations: z.array(citationSchema),
  confidence: z.number().min(0).max(1),
  escalate: z.boolean(),
  priority: z.enum(priorities).nullable(),
  reasons: z.array(z.enum(escalationReasons)),
  /** Sentences the grounding checker did not find in the cited passages (shown flagged). */
  unsupported: z.array(z.string()),
  status: z.enum(['pending', 'sent', 'discarded']),
  createdAt: z.string(),
});
export type AgentDraftView = z.infer<typeof agentDraftSchema>;

export const internalNoteSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  author: z.string(),
  text: z.string(),
  createdAt: z.string(),
});
export type InternalNote = z.infer<typeof internalNoteSchema>;

export const escalationViewSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  priority: z.enum(priorities),
  reasons: z.array(z.enum(escalationReasons)),
  status: z.enum(['open', 'assigned', 'closed']),
  createdAt: z.string(),
});

/** A row of the inbox. */
export const conversationSummarySchema = z.object({
  id: z.string(),
  channel: z.string(),
  status: z.enum(conversationStatuses),
  visitorName: z.string().nullable(),
  /** The priority of the conversation's open escalation, or null when none is open. */
  priority: z.enum(priorities).nullable(),
  assignee: z.string().nullable(),
  /** Visitor messages since an agent last opened the conversation. */
  unread: z.number().int().nonnegative(),
  /** A pending AI draft waits for an agent. */
  hasDraft: z.boolean(),
  lastMessage: z.object({ role: z.enum(messageRoles), text: z.string(), createdAt: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;

export const assignmentFilters = ['all', 'mine', 'others', 'unassigned'] as const;

/**
 * GET /api/tenants/:tenant/conversations. `status` (one status, or `unresolved`) and `priority` filter; `q` searches the visitor's name and
 * the messages' text; `assignment` mine/others needs `agent`. Order: priority (urgent first, none last), then
 * the most recently updated.
 */
/** A status, or `unresolved`: open and waiting for a person (the inbox's default view). */
export const inboxStatuses = [...conversationStatuses, 'unresolved'] as const;

export const conversationListQuerySchema = z.object({
  status: z.enum(inboxStatuses).optional(),
  priority: z.enum(priorities).optional(),
  assignment: z.enum(assignmentFilters).default('all'),
  agent: agentName.optional(),
  unread: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ConversationListQuery = z.input<typeof conversationListQuerySchema>;

/** Counts over the whole tenant (not the filtered page), for the queue badges. */
export const inboxCountsSchema = z.object({
  byStatus: z.object({ open: z.number(), pending_human: z.number(), resolved: z.number() }),
  /** Unresolved conversations with an open escalation, per priority. */
  byPriority: z.object({ urgent: z.number(), high: z.number(), medium: z.number(), low: z.number() }),
  /** Unresolved conversations with unread visitor messages. */
  unread: z.number(),
});
export type InboxCounts = z.infer<typeof inboxCountsSchema>;

export const conversationListSchema = z.object({
  conversations: z.array(conversationSummarySchema),
  counts: inboxCountsSchema,
});
export type ConversationList = z.infer<typeof conversationListSchema>;

/** GET /api/tenants/:tenant/conversations/:conversation: everything the conversation view shows. */
export const conversationDetailSchema = z.object({
  conversation: conversationSummarySchema,
  visitor: z.object({
    name: z.string().optional(),
    email: z.string().optional(),
    externalId: z.string().optional(),
  }),
  messages: z.array(deskMessageSchema),
  /** Newest first; the first pending one is the draft the agent works on. */
  drafts: z.array(agentDraftSchema),
  notes: z.array(internalNoteSchema),
  escalations: z.array(escalationViewSchema),
  csat: z
    .object({ rating: z.number().int(), comment: z.string().nullable(), createdAt: z.string() })
    .nullable(),
});
export type ConversationDetail = z.infer<typeof conversationDetailSchema>;

const replyText = z
  .string()
  .trim()
  .min(1, 'the reply is empty; write something or approve the draft')
  .max(10_000, 'a reply is at most 10,000 characters');

/**
 * POST …/conversations/:conversation/reply: the agent sends a message to the visitor. With `draftId` it is that
 * draft approved (text unchanged) or edited (text changed): the draft is marked sent and the reply is kept in
 * answer memory as `approved` or `agent_written`.
 */
export const replyRequestSchema = z
  .object({ text: replyText, draftId: z.string().max(100).optional(), agent: agentName })
  .strict();
export type ReplyRequest = z.infer<typeof replyRequestSchema>;

/** POST …/regenerate: a new AI draft for the latest visitor message (the old pending one is discarded). */
export const regenerateRequestSchema = z.object({ agent: agentName }).strict();

/** POST …/escalate: the agent hands the conversation to a person (e.g. a specialist queue). */
export const escalateRequestSchema = z
  .object({
    agent: agentName,
    priority: z.enum(priorities).default('medium'),
    note: z.string().trim().max(2_000).optional(),
  })
  .strict();
export type EscalateRequest = z.input<typeof escalateRequestSchema>;

/** POST …/resolve */
export const resolveRequestSchema = z.object({ agent: agentName }).strict();

/** POST …/assign: `assignee` null unassigns. */
export const assignRequestSchema = z.object({ agent: agentName, assignee: agentName.nullable() }).strict();

/** POST …/notes: an internal note, never shown to the visitor. */
export const noteRequestSchema = z
  .object({
    agent: agentName,
    text: z.string().trim().min(1, 'the note is empty').max(5_000, 'a note is at most 5,000 characters'),
  })
  .strict();

/** POST …/read: the agent opened the conversation; its unread count drops to 0. */
export const readRequestSchema = z.object({ agent: agentName }).strict();

/**
 * GET /api/tenants/:tenant/escalations?status=open: the queue, highest priority first, then oldest first,
 * with the conversation's summary and the age in seconds.
 */
export const escalationQueueQuerySchema = z.object({
  status: z.enum(['open', 'assigned', 'closed', 'active']).default('active'),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export const escalationQueueSchema = z.object({
  escalations: z.array(
    escalationViewSchema.extend({
      ageSeconds: z.number().nonnegative(),
      conversation: conversationSummarySchema,
    }),
  ),
});
export type EscalationQueue = z.infer<typeof escalationQueueSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Settings: desk and widget keys

/**
 * GET / PUT /api/tenants/:tenant/desk/settings. `handoffReasons`: which escalation reasons hand the conversation
 * to a person (pending_human, the visitor is told); the others only flag the draft for the agent.
 */
export const deskSettingsViewSchema = z.object({
  replyMode: z.enum(replyModes),
  autoReplyThreshold: z.number().min(0).max(1),
  handoffReasons: z.array(z.enum(escalationReasons)),
});
export type DeskSettingsView = z.infer<typeof deskSettingsViewSchema>;
export const updateDeskSettingsSchema = deskSettingsViewSchema.partial().strict();

const originField = z.string().trim().min(1).max(300);

export const widgetKeyViewSchema = z.object({
  id: z.string(),
  origins: z.array(z.string()),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type WidgetKeyView = z.infer<typeof widgetKeyViewSchema>;
export const widgetKeyListSchema = z.object({ keys: z.array(widgetKeyViewSchema) });

/** POST /api/tenants/:tenant/widget-keys: the answer carries the key itself, once; only its hash is kept. */
export const createWidgetKeyRequestSchema = z
  .object({ origins: z.array(originField).min(1, 'allow at least one origin').max(50) })
  .strict();
export const createdWidgetKeySchema = widgetKeyViewSchema.extend({ key: z.string() });
export type CreatedWidgetKey = z.infer<typeof createdWidgetKeySchema>;

/** PUT /api/tenants/:tenant/widget-keys/:key/origins */
export const updateWidgetKeyOriginsSchema = createWidgetKeyRequestSchema;

// ---------------------------------------------------------------------------------------------------------------
// Live desk events: GET /api/tenants/:tenant/desk/events (server-sent events)

/**
 * One event per change, after it is stored; the console refetches what it shows. `conversation` carries the
 * conversation's new summary. The stream starts with a `ready` event; a client that reconnects refetches.
 */
export const deskEventTypes = {
  ready: 'ready',
  conversation: 'conversation',
  escalation: 'escalation',
  draft: 'draft',
} as const;
export type DeskEventType = (typeof deskEventTypes)[keyof typeof deskEventTypes];

export const deskConversationEventSchema = z.object({
  conversationId: z.string(),
  /** What happened: message (visitor/agent/assistant), status, assignment, note, read, csat (a rating). */
  change: z.enum(['message', 'status', 'assignment', 'note', 'read', 'csat']),
  summary: conversationSummarySchema,
});
export const deskEscalationEventSchema = z.object({ escalation: escalationViewSchema });
export const deskDraftEventSchema = z.object({ conversationId: z.string(), draftId: z.string() });
export type DeskEvent =
  | { type: 'ready'; data: Record<string, never> }
  | { type: 'conversation'; data: z.infer<typeof deskConversationEventSchema> }
  | { type: 'escalation'; data: z.infer<typeof deskEscalationEventSchema> }
  | { type: 'draft'; data: z.infer<typeof deskDraftEventSchema> };

/** The desk's console routes. */
export const deskRoutes = {
  conversations: '/api/tenants/:tenant/conversations',
  conversation: '/api/tenants/:tenant/conversations/:conversation',
  reply: '/api/tenants/:tenant/conversations/:conversation/reply',
  regenerate: '/api/tenants/:tenant/conversations/:conversation/regenerate',
  escalate: '/api/tenants/:tenant/conversations/:conversation/escalate',
  resolve: '/api/tenants/:tenant/conversations/:conversation/resolve',
  assign: '/api/tenants/:tenant/conversations/:conversation/assign',
  notes: '/api/tenants/:tenant/conversations/:conversation/notes',
  read: '/api/tenants/:tenant/conversations/:conversation/read',
  escalations: '/api/tenants/:tenant/escalations',
  settings: '/api/tenants/:tenant/desk/settings',
  events: '/api/tenants/:tenant/desk/events',
  widgetKeys: '/api/tenants/:tenant/widget-keys',
  widgetKeyOrigins: '/api/tenants/:tenant/widget-keys/:key/origins',
  widgetKey: '/api/tenants/:tenant/widget-keys/:key',
} as const;

/** A conversation route with tenant and conversation filled in. */
export function conversationRoute(route: string, tenant: string, conversation: string): string {
  return route
    .replace(':tenant', encodeURIComponent(tenant))
    .replace(':conversation', encodeURIComponent(conversation));
}
