import type { AnswerDraft, HistoryTurn } from '../contract/answer.js';
import type { Citation, Conversation, EscalationReason, Message } from '../contract/conversation.js';
import type { NewDraft, Store } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';
import type { DeskEngine } from './desk-service.js';

/** Most history turns given to the engine. */
const maxHistoryTurns = 20;

/** The engine's draft and its knowledge-base citations as the desk keeps them. */
export interface EngineAnswer {
  draft: AnswerDraft;
  citations: Citation[];
}

/**
 * Asks the engine for a public answer (the widget's audience) to a visitor message, with the conversation
 * before it as history and the minutes since it started (long conversations escalate).
 */
export async function askEngine(
  store: Store,
  engine: DeskEngine,
  tenant: TenantId,
  conversation: Conversation,
  message: Message,
  signal: AbortSignal | undefined,
): Promise<EngineAnswer> {
  const all = await store.conversations.messages(tenant, conversation.id);
  const before = all.slice(
    0,
    Math.max(
      0,
      all.findIndex((m) => m.id === message.id),
    ),
  );
  const history: HistoryTurn[] = before
    .filter((m) => m.role !== 'system')
    .map((m) => ({ role: m.role as HistoryTurn['role'], text: m.text }))
    .slice(-maxHistoryTurns);
  const minutesElapsed = Math.max(0, (Date.now() - Date.parse(conversation.createdAt)) / 60_000);
  const draft = await engine.ask(tenant, {
    question: message.text,
    history,
    conversationId: conversation.id,
    audience: { kind: 'public' },
    minutesElapsed,
    ...(signal ? { signal } : {}),
  });
  const citations: Citation[] = draft.citations
    .filter((c) => c.kind === 'kb')
    .map((c) => ({
      docId: c.docId,
      title: c.title,
      quote: c.quote,
      ...(c.chunkId ? { chunkId: c.chunkId } : {}),
      ...(c.url ? { url: c.url } : {}),
    }));
  return { draft, citations };
}

/**
 * Whether an escalation's reasons call a person under the tenant's settings. One that names no reason hands off
 * unless the tenant turned every reason off (it cannot be told apart, so it follows the strictest setting).
 */
export function handsOff(reasons: EscalationReason[], handoffReasons: EscalationReason[]): boolean {
  if (reasons.length === 0) return handoffReasons.length > 0;
  return reasons.some((r) => handoffReasons.includes(r));
}

/** The draft record the desk keeps of an engine answer to visitor message `messageId`. */
export function newDraft(
  conversationId: string,
  messageId: string,
  { draft, citations }: EngineAnswer,
): NewDraft {
  return {
    conversationId,
    messageId,
    text: draft.answer,
    citations,
    confidence: draft.confidence,
    escalate: draft.escalation.escalate,
    priority: draft.escalation.priority,
    reasons: draft.escalation.reasons,
    unsupported: draft.grounding.unsupported,
  };
}
