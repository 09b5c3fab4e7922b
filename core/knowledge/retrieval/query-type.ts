import type { QueryType } from '../../contract/retrieval.js';

/**
 * Which kind of question a query is, so fusion can lean on the leg that suits it: exact identifiers want
 * keyword matching, chatty paraphrases want meaning. A small, explainable feature scorer: each type collects
 * evidence from surface signals and the strongest wins; ties fall back to "conceptual".
 */
export interface QueryTypeDecision {
  type: QueryType;
  scores: Record<QueryType, number>;
}

/** Vector-leg weight in convex fusion per query type (issue 3's starting points). */
export const alphaByQueryType: Record<QueryType, number> = {
  conceptual: 0.7,
  technical: 0.5,
  conversational: 0.8,
  exact_match: 0.3,
};

const quoted = /"[^"]{2,}"|“[^”]{2,}”|'[^'\s][^']*[^'\s]'/;
const errorCode =
  /\b(?:0x[0-9a-f]{4,}|[a-z]{1,4}-?\d{3,}|\d{3,}-\d+|err(?:or)?[\s_-]?\d+|http\s?[45]\d\d)\b/i;
const identifier =
  /\b[A-Z]{2,}[-_]?\d+\b|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b[a-z]+_[a-z_]+\b|\b[a-z]+[A-Z][a-zA-Z]+\b|#\d{3,}|\b\d{6,}\b/;
const pathOrUrl =
  /(?:\/[\w.-]+){2,}|[a-z]:\\|\b[\w-]+\.(?:exe|dll|json|yaml|yml|xml|csv|pdf|docx?|log|conf|ini|sh|ps1)\b/i;
const version = /\bv?\d+\.\d+(?:\.\d+)?\b/;
const technicalTerms =
  /\b(?:error|exception|crash(?:es|ed)?|install(?:ing|ation)?|configur\w*|setting|api|sdk|token|ssl|tls|certificate|vpn|dns|proxy|firewall|port|server|database|timeout|log(?:s|in)?|driver|firmware|update|upgrade|reboot|restart|integration|webhook|sync|cli|command|script|version|browser|cache|cookie|password|2fa|mfa|sso|ldap|smtp|imap|printer|router|wifi|bluetooth)\b/gi;
const conceptualOpeners =
  /^(?:what(?:'s| is| are| does)|why|explain|describe|define|how does|how do .* work|what(?:'s| is) the difference|difference between|meaning of|overview|tell me about)\b/i;
const conversational =
  /\b(?:hi|hello|hey|thanks|thank you|please|i'm|i am|i've|i have|my|me|we|our|you|your|can you|could you|would you|help me|i need|i want|i can't|i cannot|i don't|unfortunately|frustrat\w*|annoy\w*|urgent)\b/gi;

/** Classifies a query; pure and fast (a few regular expressions), so it runs on every search. */
export function classifyQuery(query: string): QueryTypeDecision {
  const q = query.trim();
  const words = q.split(/\s+/).filter(Boolean);
  const scores: Record<QueryType, number> = {
    conceptual: 0.5,
    technical: 0,
    conversational: 0,
    exact_match: 0,
  };

  if (quoted.test(q)) scores.exact_match += 2;
  if (errorCode.test(q)) scores.exact_match += 1.5;
  if (identifier.test(q)) scores.exact_match += 1.2;
  if (pathOrUrl.test(q)) scores.exact_match += 1;
  // A bare identifier or a couple of keywords: nothing for meaning-based search to work with.
  if (words.length <= 2 && (errorCode.test(q) || identifier.test(q))) scores.exact_match += 1;

  const techHits = q.match(technicalTerms)?.length ?? 0;
  scores.technical += Math.min(techHits, 3) * 0.8;
  if (version.test(q)) scores.technical += 0.8;
  if (errorCode.test(q) || pathOrUrl.test(q)) scores.technical += 0.6;
  if (/\b(?:how (?:do|can|to) i|steps to|unable to|fails? to|not working|doesn't work|won't)\b/i.test(q)) {
    scores.technical += 0.6;
  }

  if (conceptualOpeners.test(q)) scores.conceptual += 1.5;
  if (
    /\b(?:benefit|policy|polic(?:ies)|concept|difference|compare|versus|vs\.?|advantages?|means?)\b/i.test(q)
  ) {
    scores.conceptual += 0.6;
  }

  const chatHits = q.match(conversational)?.length ?? 0;
  scores.conversational += Math.min(chatHits, 4) * 0.6;
  if (words.length >= 14) scores.conversational += 0.8;
  if (/[!]{1,}|\?{2,}|:\(|:\)/.test(q)) scores.conversational += 0.5;
  if (/^(?:hi|hello|hey|good (?:morning|afternoon|evening))\b/i.test(q)) scores.conversational += 1;

  const order: QueryType[] = ['exact_match', 'technical', 'conversational', 'conceptual'];
  const type = order.reduce((best, t) => (scores[t] > scores[best] ? t : best), 'conceptual' as QueryType);
  return { type, scores };
}
