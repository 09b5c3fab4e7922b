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
}

export interface Conversation {
  id: string;
  channel: Channel;
  status: ConversationStatus;
  visitor: Visitor;
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
