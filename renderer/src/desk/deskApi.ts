import { consoleRoutes, similarAnswersSchema, tenantRoute } from '../../../core/contract/console-api.js';
import {
  conversationDetailSchema,
  conversationListSchema,
  conversationRoute,
  deskRoutes,
  escalationQueueSchema,
  type ConversationDetail,
  type ConversationList,
  type ConversationListQuery,
  type ConversationSummary,
  type EscalateRequest,
  type EscalationQueue,
} from '../../../core/contract/desk-api.js';
import { knowledgeRoutes, passageSchema, type Passage } from '../../../core/contract/knowledge-api.js';
import { priorities, type Priority } from '../../../core/contract/conversation.js';
import { request } from '../api.js';

// The desk's console API as the agent console calls it. Every answer is validated against the shared contract,
// so a server that drifted from it fails loudly here instead of rendering half a conversation.

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export async function listConversations(
  tenant: string,
  filters: ConversationListQuery,
): Promise<ConversationList> {
  const { unread, ...rest } = filters;
  const path = tenantRoute(deskRoutes.conversations, tenant) + query({ ...rest, unread });
  return conversationListSchema.parse(await request('GET', path));
}

/** The inbox's status choice: one status, every conversation, or the ones still needing the desk. */
export type InboxStatus = ConversationListQuery['status'] | 'unresolved';

const lastPriority = priorities.length;

/** The store's inbox order: priority (urgent first, none last), then the most recently updated, then id. */
function inboxOrder(a: ConversationSummary, b: ConversationSummary): number {
  const rank = (c: ConversationSummary) => (c.priority ? priorities.indexOf(c.priority) : lastPriority);
  return (
    rank(a) - rank(b) ||
    (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * The inbox list. "unresolved" (the default view: open and waiting for a person) is asked as its two statuses
 * and merged in the server's order, because the list API filters on one status; it never fetches the resolved
 * pile, which only grows.
 */
export async function listInbox(
  tenant: string,
  filters: Omit<ConversationListQuery, 'status'> & { status?: InboxStatus },
): Promise<ConversationList> {
  const { status, ...rest } = filters;
  if (status !== 'unresolved') return listConversations(tenant, { ...rest, ...(status ? { status } : {}) });
  const [open, waiting] = await Promise.all([
    listConversations(tenant, { ...rest, status: 'open' }),
    listConversations(tenant, { ...rest, status: 'pending_human' }),
  ]);
  return mergeInboxLists(open, waiting, Number(rest.limit ?? 100));
}

/** Two lists of the inbox as one, in the server's order and at most `limit` rows; the newer counts win. */
export function mergeInboxLists(
  first: ConversationList,
  second: ConversationList,
  limit: number,
): ConversationList {
  return {
    conversations: [...first.conversations, ...second.conversations].sort(inboxOrder).slice(0, limit),
    counts: second.counts,
  };
}

export async function getConversation(tenant: string, id: string): Promise<ConversationDetail> {
  return conversationDetailSchema.parse(
    await request('GET', conversationRoute(deskRoutes.conversation, tenant, id)),
  );
}

export async function listEscalations(tenant: string): Promise<EscalationQueue['escalations']> {
  const path = tenantRoute(deskRoutes.escalations, tenant) + query({ status: 'active' });
  return escalationQueueSchema.parse(await request('GET', path)).escalations;
}

/** The conversation actions: each answers with whatever the server sends; the view refetches afterwards. */
function act(tenant: string, id: string, route: string, body: unknown): Promise<unknown> {
  return request('POST', conversationRoute(route, tenant, id), body);
}

export function sendReply(tenant: string, id: string, agent: string, text: string, draftId?: string) {
  return act(tenant, id, deskRoutes.reply, { agent, text, ...(draftId ? { draftId } : {}) });
}

export function regenerateDraft(tenant: string, id: string, agent: string) {
  return act(tenant, id, deskRoutes.regenerate, { agent });
}

export function escalateConversation(tenant: string, id: string, input: EscalateRequest) {
  return act(tenant, id, deskRoutes.escalate, input);
}

export function resolveConversation(tenant: string, id: string, agent: string) {
  return act(tenant, id, deskRoutes.resolve, { agent });
}

export function assignConversation(tenant: string, id: string, agent: string, assignee: string | null) {
  return act(tenant, id, deskRoutes.assign, { agent, assignee });
}

export function addNote(tenant: string, id: string, agent: string, text: string) {
  return act(tenant, id, deskRoutes.notes, { agent, text });
}

export function markRead(tenant: string, id: string, agent: string) {
  return act(tenant, id, deskRoutes.read, { agent });
}

/** Answers agents sent before to questions like this one (answer memory), best first. */
export async function similarAnswers(tenant: string, question: string) {
  const path =
    tenantRoute(consoleRoutes.similarAnswers, tenant) + query({ q: question.slice(0, 1000), limit: 3 });
  return similarAnswersSchema.parse(await request('GET', path));
}

/** The passage a citation points at. */
export async function getPassage(tenant: string, chunkId: string): Promise<Passage> {
  const path = tenantRoute(knowledgeRoutes.passage, tenant).replace(':chunk', encodeURIComponent(chunkId));
  return passageSchema.parse(await request('GET', path));
}

export type { Priority };
