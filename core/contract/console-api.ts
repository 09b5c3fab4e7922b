import { z } from 'zod';
import type { AnswerDraft } from './answer.js';
import type { SyncRun } from './connector.js';
import { escalationReasons, priorities } from './conversation.js';
import type { AnswerMatch, RememberedAnswer } from './store.js';
import { tenantSchema } from './tenant.js';

/**
 * The console API (served on the console listener under /api). The renderer and the desktop shell use these
 * shapes; the server validates against them and publishes them as OpenAPI at /api/openapi.json.
 */
export const signInRequestSchema = z.object({ token: z.string().min(1).max(512) });
export type SignInRequest = z.infer<typeof signInRequestSchema>;

export const sessionInfoSchema = z.object({
  signedIn: z.literal(true),
  /** `token` when signed in with the console token; `user` once SSO / user accounts exist. */
  method: z.enum(['token', 'user']),
  expiresAt: z.string(),
  version: z.string(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const tenantListSchema = z.object({ tenants: z.array(tenantSchema) });
export type TenantList = z.infer<typeof tenantListSchema>;

export const healthSchema = z.object({ ok: z.literal(true) });

/** The one JSON line `airdesk serve` prints on stdout once both listeners are up (SPEC.md). */
export const listeningEventSchema = z.object({
  event: z.literal('listening'),
  console: z.string().url(),
  widget: z.string().url(),
});
export type ListeningEvent = z.infer<typeof listeningEventSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Answer engine: drafts, answer memory

// No length limit here: the answer engine refuses an over-long question with a message saying what to do (413).
const questionText = z.string().trim().min(1, 'the question is empty; send what the customer asked');

export const historyTurnSchema = z.object({
  role: z.enum(['visitor', 'assistant', 'agent']),
  text: z.string().max(20_000),
});

/** POST /api/tenants/:tenant/drafts. `Accept: text/event-stream` streams the draft (see `draftEvents`). */
export const draftRequestSchema = z.object({
  question: questionText,
  /** The conversation the draft is for: its hallucination detections are filed under it. */
  conversationId: z.string().min(1).max(100).optional(),
  /** The conversation so far, oldest first, without the question itself. */
  history: z.array(historyTurnSchema).max(200).optional(),
  minutesElapsed: z.number().nonnegative().max(525_600).optional(),
  failedAttempts: z.number().int().nonnegative().max(1_000).optional(),
});
export type DraftRequest = z.infer<typeof draftRequestSchema>;

const unit = z.number().min(0).max(1);

/** The draft as `airdesk ask --json` prints it; the server answers with it (`AnswerDraft` in answer.ts). */
export const answerDraftSchema = z.object({
  answer: z.string(),
  citations: z.array(
    z.object({
      marker: z.number().int(),
      kind: z.enum(['kb', 'answered_before']),
      docId: z.string(),
      externalId: z.string(),
      chunkId: z.string().nullable(),
      title: z.string(),
      url: z.string().nullable(),
      quote: z.string(),
    }),
  ),
  sentences: z.array(
    z.object({ text: z.string(), citations: z.array(z.number().int()), supported: z.boolean() }),
  ),
  confidence: unit,
  confidenceParts: z.object({ coverage: unit, specificity: unit, noHedging: unit, grounding: unit }),
  escalation: z.object({
    escalate: z.boolean(),
    priority: z.enum(priorities).nullable(),
    reasons: z.array(z.enum(escalationReasons)),
  }),
  grounding: z.object({ supported: unit, unsupported: z.array(z.string()) }),
  retrieval: z.object({
    grade: z.enum(['relevant', 'ambiguous', 'irrelevant']),
    queries: z.array(z.string()),
    hits: z.number().int(),
  }),
  generator: z.object({ id: z.string(), kind: z.enum(['llama', 'openai', 'extractive']) }),
  complete: z.boolean(),
  notices: z.array(z.string()),
  abstained: z.boolean(),
  timings: z.object({ retrievalMs: z.number(), generationMs: z.number(), totalMs: z.number() }),
}) satisfies z.ZodType<AnswerDraft>;

/**
 * Server-sent events of a streamed draft: `token` events `{text}` as the generator writes (none when the
 * extractive composer answers), then exactly one `draft` event with the AnswerDraft, or one `error` event with
 * the usual error body.
 */
export const draftEvents = { token: 'token', draft: 'draft', error: 'error' } as const;
export const draftTokenEventSchema = z.object({ text: z.string() });

/** POST /api/tenants/:tenant/answers: a reply an agent approved or wrote, kept in answer memory. */
export const rememberAnswerRequestSchema = z.object({
  question: questionText,
  answer: z
    .string()
    .trim()
    .min(1, 'the answer is empty')
    .max(50_000, 'the answer is longer than 50,000 characters'),
  /** `approved`: the AI draft was sent as is; `agent_written`: the agent wrote or edited it. */
  origin: z.enum(['approved', 'agent_written']),
  /** Remembering again for the same conversation replaces the entry (the agent corrected it). */
  conversationId: z.string().min(1).max(200).optional(),
});
export type RememberAnswerRequest = z.infer<typeof rememberAnswerRequestSchema>;

export const rememberedAnswerSchema = z.object({
  id: z.string(),
  question: z.string(),
  answer: z.string(),
  origin: z.enum(['approved', 'agent_written']),
  conversationId: z.string().nullable(),
  embeddingModel: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
}) satisfies z.ZodType<RememberedAnswer>;

/** The similarity below which the console's "similar resolved conversations" list stops by default. */
export const defaultSimilarAnswerThreshold = 0.5;

/** GET /api/tenants/:tenant/answers/similar?q=...&limit=5[&minSimilarity=0.5] */
export const similarAnswersQuerySchema = z.object({
  q: questionText,
  limit: z.coerce.number().int().min(1).max(50).default(5),
  /** Cosine similarity of the questions, 0..1; lower shows looser matches. */
  minSimilarity: z.coerce.number().min(0).max(1).default(defaultSimilarAnswerThreshold),
});
export type SimilarAnswersQuery = z.infer<typeof similarAnswersQuerySchema>;

/** Best first. */
export const similarAnswersSchema = z.array(
  z.object({ answer: rememberedAnswerSchema, similarity: z.number() }),
) satisfies z.ZodType<AnswerMatch[]>;

// ---------------------------------------------------------------------------------------------------------------
// Connectors: kinds, configuration, syncs

/**
 * The key that marks a secret field (token, password) in a kind's settings JSON schema. Such a field is a
 * plain string in the add/edit form (sent over the loopback console connection) and goes straight into the
 * secret store; the API never sends it back, only whether one is stored (`storedSecrets`).
 */
export const secretFieldMarker = 'x-airdesk-secret';

/** One connector kind, as GET /api/connector-kinds lists it; a kind whose module cannot load says why. */
export const connectorKindInfoSchema = z.object({
  kind: z.string(),
  displayName: z.string(),
  /** False when the kind's module could not be loaded; `error` says why. Other kinds are unaffected. */
  available: z.boolean(),
  error: z.string().nullable(),
  capabilities: z.object({
    listIds: z.boolean().optional(),
    permissions: z.boolean().optional(),
    createTicket: z.boolean().optional(),
  }),
  secretFields: z.array(z.string()),
  /** JSON Schema (draft 2020-12, input side) of the settings; secret fields carry `x-airdesk-secret: true`. */
  settingsSchema: z.record(z.string(), z.unknown()).nullable(),
});
export type ConnectorKindInfo = z.infer<typeof connectorKindInfoSchema>;
export const connectorKindListSchema = z.object({ kinds: z.array(connectorKindInfoSchema) });

const connectorName = z
  .string()
  .trim()
  .min(1, 'give the connector a name')
  .max(100, 'the name is longer than 100 characters');
/** A cron expression (5 or 6 fields); empty or null: synced only on demand. The server checks it fully. */
const scheduleField = z
  .string()
  .trim()
  .max(200)
  .nullable()
  .transform((s) => (s === null || s === '' ? null : s));

/**
 * POST /api/tenants/:tenant/connectors. Secret fields are plain strings here; `{env}` and `{secretRef}` objects
 * are refused for them (a console user must not make the server read its environment or another connector's
 * secret).
 */
export const addConnectorRequestSchema = z.object({
  kind: z.string().min(1).max(100),
  name: connectorName,
  settings: z.record(z.string(), z.unknown()),
  schedule: scheduleField.optional(),
});
export type AddConnectorRequest = z.input<typeof addConnectorRequestSchema>;

/** PATCH /api/tenants/:tenant/connectors/:connector: a secret field left empty or absent keeps the stored one. */
export const updateConnectorRequestSchema = z
  .object({
    name: connectorName.optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    schedule: scheduleField.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type UpdateConnectorRequest = z.input<typeof updateConnectorRequestSchema>;

/** POST …/:connector/test: the stored settings, or these (secrets left empty are the stored ones). */
export const testConnectorRequestSchema = z.object({
  settings: z.record(z.string(), z.unknown()).optional(),
});
export type TestConnectorRequest = z.infer<typeof testConnectorRequestSchema>;

/** POST /api/tenants/:tenant/connector-test: tests settings before the connector is added. */
export const testNewConnectorRequestSchema = z.object({
  kind: z.string().min(1).max(100),
  settings: z.record(z.string(), z.unknown()),
});
export type TestNewConnectorRequest = z.infer<typeof testNewConnectorRequestSchema>;

export const connectionTestResultSchema = z.object({ ok: z.literal(true), message: z.string() });
export type ConnectionTestResult = z.infer<typeof connectionTestResultSchema>;

/** POST …/:connector/sync. `full`: read everything, not just what changed since the last sync. */
export const syncConnectorRequestSchema = z.object({ full: z.boolean().optional() });

/** The answer to a run-now: the run's id once it started; null while it waits for a free slot. */
export const syncStartedSchema = z.object({
  runId: z.string().nullable(),
  state: z.enum(['running', 'queued']),
});
export type SyncStarted = z.infer<typeof syncStartedSchema>;

export const cancelSyncResultSchema = z.object({ cancelled: z.boolean() });

export const syncRunSchema = z.object({
  id: z.string(),
  connectorId: z.string(),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  added: z.number().int(),
  updated: z.number().int(),
  deleted: z.number().int(),
  /** Per-item failures with their reason (at most 500; a last entry counts the rest). */
  failures: z.array(z.object({ externalId: z.string().optional(), message: z.string() })),
  error: z.string().nullable(),
}) satisfies z.ZodType<SyncRun>;

/** GET …/:connector/runs?limit=20: newest first. */
export const syncRunListSchema = z.object({ runs: z.array(syncRunSchema) });
export const syncRunsQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

/** What this server is doing with a connector: nothing, waiting for a free slot, or syncing it. */
export const connectorStateSchema = z.enum(['idle', 'queued', 'running']);
export type ConnectorState = z.infer<typeof connectorStateSchema>;

/** A connector as the console shows it: settings without secret fields, and which secrets are stored. */
export const connectorViewSchema = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  schedule: z.string().nullable(),
  settings: z.record(z.string(), z.unknown()),
  /** Secret fields that hold a stored secret; their values never leave the server. */
  storedSecrets: z.array(z.string()),
  state: connectorStateSchema,
  lastRun: syncRunSchema.nullable(),
  /** When the schedule fires next (enabled, scheduled connectors only). */
  nextRunAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ConnectorView = z.infer<typeof connectorViewSchema>;
export const connectorListSchema = z.object({ connectors: z.array(connectorViewSchema) });

/** A running sync's counts after each page (and while pruning). */
export const syncProgressSchema = z.object({
  runId: z.string(),
  phase: z.enum(['loading', 'pruning']),
  pages: z.number().int(),
  documents: z.number().int(),
  added: z.number().int(),
  updated: z.number().int(),
  deleted: z.number().int(),
  failed: z.number().int(),
});
export type SyncProgressEvent = z.infer<typeof syncProgressSchema>;

/**
 * Server-sent events of GET …/:connector/events: first one `state` (what is happening now, with the last
 * progress of a running sync), then `started` {run}, `progress` (SyncProgressEvent), `finished` {run} or
 * `failed` (an error body: the run could not start). The stream stays open until the client leaves.
 */
export const connectorEvents = {
  state: 'state',
  started: 'started',
  progress: 'progress',
  finished: 'finished',
  failed: 'failed',
} as const;
export const connectorStateEventSchema = z.object({
  state: connectorStateSchema,
  progress: syncProgressSchema.nullable(),
});
export const connectorRunEventSchema = z.object({ run: syncRunSchema });

/** Console routes, in one place so the server, the OpenAPI file and the renderer agree. */
export const consoleRoutes = {
  session: '/api/session',
  tenants: '/api/tenants',
  drafts: '/api/tenants/:tenant/drafts',
  answers: '/api/tenants/:tenant/answers',
  similarAnswers: '/api/tenants/:tenant/answers/similar',
  documentVisibility: '/api/tenants/:tenant/documents/:document/visibility',
  connectorKinds: '/api/connector-kinds',
  connectors: '/api/tenants/:tenant/connectors',
  connectorTestNew: '/api/tenants/:tenant/connector-test',
  connector: '/api/tenants/:tenant/connectors/:connector',
  connectorTest: '/api/tenants/:tenant/connectors/:connector/test',
  connectorSync: '/api/tenants/:tenant/connectors/:connector/sync',
  connectorCancel: '/api/tenants/:tenant/connectors/:connector/cancel',
  connectorRuns: '/api/tenants/:tenant/connectors/:connector/runs',
  connectorEvents: '/api/tenants/:tenant/connectors/:connector/events',
  openapi: '/api/openapi.json',
  metrics: '/metrics',
  health: '/healthz',
} as const;

/** A tenant-scoped route with the tenant filled in, e.g. `tenantRoute(consoleRoutes.drafts, 'acme')`. */
export function tenantRoute(route: string, tenant: string): string {
  return route.replace(':tenant', encodeURIComponent(tenant));
}

/** A connector route with the tenant and connector filled in. */
export function connectorRoute(route: string, tenant: string, connector: string): string {
  return tenantRoute(route, tenant).replace(':connector', encodeURIComponent(connector));
}

/** Name of the session cookie the console sets after a token sign-in. */
export const sessionCookieName = 'airdesk_session';

/**
 * The console's Content-Security-Policy: everything it needs is bundled and served by its own origin, so nothing
 * else may load; inline styles are the one concession (React `style` props). Sent as a header by the console
 * listener, added again by the desktop shell, and (without `frame-ancestors`, which a <meta> cannot carry)
 * written into the built page.
 */
export const consoleCspDirectives = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
] as const;

export const consoleCsp = consoleCspDirectives.join('; ');

/**
 * PUT /api/tenants/:tenant/documents/:document/visibility: an admin marks a document public (the widget's
 * visitors may be answered from it), not public, or null to follow the source's own permissions again.
 */
export const documentVisibilityRequestSchema = z.object({ public: z.boolean().nullable() }).strict();
export type DocumentVisibilityRequest = z.infer<typeof documentVisibilityRequestSchema>;

export const documentVisibilitySchema = z.object({
  id: z.string(),
  externalId: z.string(),
  title: z.string(),
  /** What retrieval uses: the admin's choice when set, else the source's `public`. */
  isPublic: z.boolean(),
  publicOverride: z.boolean().nullable(),
});
export type DocumentVisibility = z.infer<typeof documentVisibilitySchema>;
