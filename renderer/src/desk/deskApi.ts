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
  type EscalateRequest,
  type EscalationQueue,
} from '../../../core/contract/desk-api.js';
import { knowledgeRoutes, passageSchema, type Passage } from '../../../core/contract/knowledge-api.js';
import type { Priority } from '../../../core/contract/conversation.js';
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

/** The inbox's status choice: one status, or the ones still needing the desk (`unresolved`). */
export type InboxStatus = ConversationListQuery['status'];

/** The inbox list; "unresolved" (the default view) never fetches the resolved pile, which only grows. */
export async function listInbox(tenant: string, filters: ConversationListQuery): Promise<ConversationList> {
  return listConversations(tenant, filters);
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
