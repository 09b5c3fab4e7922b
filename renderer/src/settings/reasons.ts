import type { EscalationReason } from '../../../core/contract/conversation.js';

/** What each escalation reason means, for the hand-off checkboxes: a label and one line of explanation. */
export const reasonText: Record<EscalationReason, { label: string; explanation: string }> = {
  human_requested: {
    label: 'The visitor asks for a person',
    explanation: 'They clicked "Talk to a person" or wrote that they want one.',
  },
  critical_category: {
    label: 'Critical topic',
    explanation: 'Billing, refunds, account suspension, legal questions or a security incident.',
  },
  frustrated_after_attempts: {
    label: 'Frustrated visitor',
    explanation: 'The visitor sounds frustrated after an answer did not help.',
  },
  complex_timeout: {
    label: 'Complex and taking long',
    explanation: 'A complex question is still open after more than 15 minutes.',
  },
  repeated_failures: {
    label: 'Repeated failed answers',
    explanation: 'Three or more answers in the conversation did not help.',
  },
  long_conversation: {
    label: 'Long conversation',
    explanation: 'More than 20 minutes and at least two answers that did not help.',
  },
  low_confidence: {
    label: 'Low confidence',
    explanation: "The AI's confidence in its draft is below 50 %.",
  },
  missing_knowledge: {
    label: 'Missing knowledge',
    explanation: 'No document in the knowledge base covers the question.',
  },
};
