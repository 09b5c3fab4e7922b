import type { EscalationDecision, Sentiment } from '../../contract/answer.js';
import {
  escalationReasons,
  priorities,
  type EscalationReason,
  type Priority,
} from '../../contract/conversation.js';

/** What the escalation rules look at: the classifier's verdicts plus the conversation's counters. */
export interface EscalationFacts {
  wantsHuman: boolean;
  /** A critical category was raised (billing, refund, account suspension, legal, security incident). */
  critical: boolean;
  sentiment: Sentiment;
  complex: boolean;
  minutesElapsed: number;
  failedAttempts: number;
  /** The draft's confidence; absent when no draft was made. */
  confidence?: number;
  missingKnowledge?: boolean;
}

/** Below this draft confidence a human is offered (reason `low_confidence`, priority low). */
export const lowConfidenceThreshold = 0.5;

const priorityOf: Record<EscalationReason, Priority> = {
  human_requested: 'high',
  critical_category: 'urgent',
  frustrated_after_attempts: 'high',
  complex_timeout: 'medium',
  repeated_failures: 'medium',
  long_conversation: 'low',
  low_confidence: 'low',
  missing_knowledge: 'medium',
};

/**
 * The escalation rules of the issue, every one checked (reasons accumulate) and the priority the highest of
 * the reasons that fired. No reason: keep resolving (`escalate: false`, priority null). Thresholds are strict
 * where the issue says "more than" (16 minutes is over 15, 15 is not) and inclusive where it says "at least".
 */
export function decideEscalation(facts: EscalationFacts): EscalationDecision {
  const minutes = Number.isFinite(facts.minutesElapsed) ? facts.minutesElapsed : 0;
  const attempts = Number.isFinite(facts.failedAttempts) ? facts.failedAttempts : 0;
  const fired = new Set<EscalationReason>();
  if (facts.wantsHuman) fired.add('human_requested');
  if (facts.critical) fired.add('critical_category');
  if (facts.sentiment === 'frustrated' && attempts >= 1) fired.add('frustrated_after_attempts');
  if (facts.complex && minutes > 15) fired.add('complex_timeout');
  if (attempts >= 3) fired.add('repeated_failures');
  if (minutes > 20 && attempts >= 2) fired.add('long_conversation');
  if (facts.confidence !== undefined && facts.confidence < lowConfidenceThreshold)
    fired.add('low_confidence');
  if (facts.missingKnowledge) fired.add('missing_knowledge');

  const reasons = escalationReasons.filter((r) => fired.has(r));
  if (reasons.length === 0) return { escalate: false, priority: null, reasons: [] };
  const priority = priorities.find((p) => reasons.some((r) => priorityOf[r] === p)) ?? null;
  return { escalate: true, priority, reasons };
}
