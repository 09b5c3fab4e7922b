import { z } from 'zod';

export const conversationStatuses = ['open', 'pending_human', 'resolved'] as const;
export type ConversationStatus = (typeof conversationStatuses)[number];

export const messageRoles = ['visitor', 'assistant', 'agent', 'system'] as const;
export type MessageRole = (typeof messageRoles)[number];

export const channels = ['widget', 'console', 'email', 'slack', 'teams', 'discord', 'sms', 'api'] as const;
export type Channel = (typeof channels)[number];

export const visitorSchema = z.object({
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
  externalId: z.string().max(200).optional(),
});
export type Visitor = z.infer<typeof visitorSchema>;

export interface Citation {
  docId: string;
  title: string;
  quote: string;
  chunkId?: string;
  /** The document's web address (http/https only); the widget shows the citation as a link to it. */
  url?: string;
}

export interface Conversation {
  id: string;
  channel: Channel;
  status: ConversationStatus;
  visitor: Visitor;
  /** The agent (display name) working on it, or null. */
  assignee: string | null;
  /** When an agent last opened it; visitor messages after this are unread. */
  agentReadAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Message {
  id: string;
  conversationId: string;
  role: MessageRole;
  text: string;
  citations: Citation[];
  createdAt: string;
}

/** Escalation reasons and priorities of SPEC.md: extend the lists, never rename. */
export const escalationReasons = [
  'human_requested',
  'critical_category',
  'frustrated_after_attempts',
  'complex_timeout',
  'repeated_failures',
  'long_conversation',
  'low_confidence',
  'missing_knowledge',
] as const;
export type EscalationReason = (typeof escalationReasons)[number];

export const priorities = ['urgent', 'high', 'medium', 'low'] as const;
export type Priority = (typeof priorities)[number];

export interface Escalation {
  id: string;
  conversationId: string;
  priority: Priority;
  reasons: EscalationReason[];
  status: 'open' | 'assigned' | 'closed';
  createdAt: string;
}

// ---------------------------------------------------------------------------------------------------------------
// The support desk (widget conversations, drafts for agents, the per-conversation event log)

/** How a tenant's desk answers visitors: 'draft' (the default) lets a person send; 'auto' replies itself. */
export const replyModes = ['draft', 'auto'] as const;
export type ReplyMode = (typeof replyModes)[number];

export interface DeskSettings {
  replyMode: ReplyMode;
  /** In 'auto' mode, a reply is sent only at this confidence (0..1) or above, and never when it escalates. */
  autoReplyThreshold: number;
  /**
   * Escalation reasons that hand the conversation to a person (pending_human, the visitor is told). A draft
   * escalating only for other reasons is flagged for the agent and nothing more.
   */
  handoffReasons: EscalationReason[];
}

export const defaultDeskSettings: DeskSettings = {
  replyMode: 'draft',
  autoReplyThreshold: 0.75,
  handoffReasons: [...escalationReasons],
};

export const deskSettingsSchema = z
  .object({
    replyMode: z.enum(replyModes),
    autoReplyThreshold: z.number().min(0).max(1),
    // Kept in list order without duplicates, so a stored value compares equal whatever order it was sent in.
    handoffReasons: z
      .array(z.enum(escalationReasons))
      .transform((reasons) => escalationReasons.filter((r) => reasons.includes(r))),
  })
  .strict();

/** The server-sent events of a widget conversation (SPEC.md `GET /v1/conversations/:id/events`). */
export const conversationEventTypes = [
  'message.delta',
  'message.completed',
  'conversation.handoff',
  'conversation.resolved',
] as const;
export type ConversationEventType = (typeof conversationEventTypes)[number];

/** One entry of a conversation's event log; ids increase monotonically, so a stream resumes after the last. */
export interface ConversationEvent {
  id: number;
  conversationId: string;
  type: ConversationEventType;
  data: Record<string, unknown>;
  createdAt: string;
}

/** An AI draft kept for an agent (draft mode, or an auto reply held back): not shown to the visitor. */
export interface AgentDraft {
  id: string;
  conversationId: string;
  /** The visitor message it answers. */
  messageId: string;
  text: string;
  citations: Citation[];
  confidence: number;
  escalate: boolean;
  priority: Priority | null;
  reasons: EscalationReason[];
  /** Sentences the grounding checker did not find in the cited passages (the console flags them). */
  unsupported: string[];
  /** 'pending' until an agent sends or discards it. */
  status: 'pending' | 'sent' | 'discarded';
  createdAt: string;
}

export interface CsatRecord {
  conversationId: string;
  rating: number;
  comment: string | null;
  createdAt: string;
}

/** An agent's note on a conversation: never shown to the visitor. */
export interface InternalNote {
  id: string;
  conversationId: string;
  author: string;
  text: string;
  createdAt: string;
}
