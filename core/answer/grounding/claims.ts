import { contentStems } from './text.js';

/**
 * Sentences that state nothing about the world and so need no source: greetings, thanks, apologies, offers of
 * further help, questions back to the customer, and the engine's own "I don't have that" abstention. Checking
 * them would only make well-mannered replies look ungrounded.
 */
const socialPatterns: RegExp[] = [
  /^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)\b/i,
  /^(?:thanks?|thank you|many thanks|cheers)\b/i,
  /^(?:(?:i'?m|i am|we'?re|we are) (?:so |very |really )?sorry|(?:i|we) apologi[sz]e|sorry\b|apologies\b)/i,
  /^(?:i|we)(?: would|'d)? (?:be )?(?:happy|glad) to help\b/i,
  /^(?:happy|glad) to help\b/i,
  /\b(?:let (?:me|us) know|feel free to|don'?t hesitate to|reach out (?:to us )?(?:again|anytime|any time))\b/i,
  /\b(?:hope (?:this|that) helps|anything else (?:i|we) can)\b/i,
  /^(?:have a (?:great|nice|good|wonderful) (?:day|evening|weekend|one))\b/i,
  /^(?:best regards|kind regards|regards|sincerely)\b/i,
  /\b(?:i|we) (?:do not|don'?t) have (?:that|this|information|an answer|anything)\b.*\b(?:knowledge base|documentation|sources?)\b/i,
];

/** True when the sentence asserts something a source must back. */
export function isClaim(sentence: string): boolean {
  const text = sentence.trim();
  if (text.endsWith('?')) return false;
  if (socialPatterns.some((p) => p.test(text))) return false;
  // "Sure." / "Great!" / "Option 2": too little content to be a checkable statement.
  return contentStems(text).filter((s) => !/^\d+$/.test(s)).length >= 2;
}
