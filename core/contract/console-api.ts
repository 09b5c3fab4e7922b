import { z } from 'zod';
import type { AnswerDraft } from './answer.js';
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

/** Console routes, in one place so the server, the OpenAPI file and the renderer agree. */
export const consoleRoutes = {
  session: '/api/session',
  tenants: '/api/tenants',
  drafts: '/api/tenants/:tenant/drafts',
  answers: '/api/tenants/:tenant/answers',
  similarAnswers: '/api/tenants/:tenant/answers/similar',
  openapi: '/api/openapi.json',
  metrics: '/metrics',
  health: '/healthz',
} as const;

/** A tenant-scoped route with the tenant filled in, e.g. `tenantRoute(consoleRoutes.drafts, 'acme')`. */
export function tenantRoute(route: string, tenant: string): string {
  return route.replace(':tenant', encodeURIComponent(tenant));
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
