import type {
  ConversationStatus,
  EscalationReason,
  MessageRole,
  Priority,
} from '../../../core/contract/conversation.js';

/** Readable labels for the contract's codes: the console never shows a raw enum value to an agent. */
export const statusLabels: Record<ConversationStatus, string> = {
  open: 'Open',
  pending_human: 'Waiting for a person',
  resolved: 'Resolved',
};

export const priorityLabels: Record<Priority, string> = {
  urgent: 'Urgent',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

export const reasonLabels: Record<EscalationReason, string> = {
  human_requested: 'Asked for a person',
  critical_category: 'Critical topic',
  frustrated_after_attempts: 'Frustrated after several tries',
  complex_timeout: 'Too complex to answer in time',
  repeated_failures: 'Repeated failed answers',
  long_conversation: 'Long conversation',
  low_confidence: 'Low confidence',
  missing_knowledge: 'Missing knowledge',
};

export const roleLabels: Record<MessageRole, string> = {
  visitor: 'Visitor',
  assistant: 'AI assistant',
  agent: 'Agent',
  system: 'System',
};

/** "42 s", "12 min", "3 h", "2 d": short enough for a queue column. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** The age of an ISO time relative to now, as "12 min ago" (or "just now"). */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = (now - Date.parse(iso)) / 1000;
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 30) return 'just now';
  return `${formatAge(seconds)} ago`;
}

export function formatClock(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

/** Confidence bands the draft panel colours: below 0.5 the agent should read the sources before sending. */
export function confidenceBand(confidence: number): 'high' | 'medium' | 'low' {
  if (confidence >= 0.75) return 'high';
  if (confidence >= 0.5) return 'medium';
  return 'low';
}

export function percent(value: number): string {
  return `${Math.round(value * 100)} %`;
}
