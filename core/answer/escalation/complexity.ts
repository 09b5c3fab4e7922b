import type { QueryType } from '../../contract/retrieval.js';

/**
 * Whether a message describes a complex issue, for the "complex and over 15 minutes" rule. A documented
 * heuristic rather than a model: points for length, several questions or parts, technical content and error
 * codes or identifiers; two points make it complex. A short "how do I reset my password?" is not; a message
 * with a stack of symptoms, versions and an error code is.
 */
export function isComplex(text: string, queryType: QueryType, historyTurns = 0): boolean {
  const words = text.split(/\s+/).filter(Boolean).length;
  let points = 0;
  if (words >= 40) points += 2;
  else if (words >= 25) points += 1;
  if ((text.match(/\?/g)?.length ?? 0) >= 2) points += 1;
  if (
    /(?:^|\n)\s*(?:\d+[.)]|[-*•])\s+\S/m.test(text) ||
    /\b(?:also|another (?:issue|problem)|additionally|on top of that|as well as)\b/i.test(text)
  )
    points += 1;
  if (queryType === 'technical') points += 1;
  if (
    /\b(?:0x[0-9a-f]{4,}|err(?:or)?[\s_-]?\d+|[a-z]{1,4}-?\d{3,}|http\s?[45]\d\d|exception|stack ?trace)\b/i.test(
      text,
    )
  )
    points += 1;
  if (/\bv?\d+\.\d+(?:\.\d+)?\b/.test(text)) points += 1;
  // A long back-and-forth is itself a sign the issue is not a one-liner.
  if (historyTurns >= 6) points += 1;
  return points >= 2;
}
