import { AppError } from '../../contract/errors.js';
import type { SearchAudience } from '../../contract/retrieval.js';

/** Principals as stored and matched: trimmed, without empties or duplicates, sorted (so equal sets compare). */
export function normalizePrincipals(principals: readonly string[]): string[] {
  return [...new Set(principals.map((p) => p.trim()).filter((p) => p.length > 0))].sort();
}

/**
 * The audience with its principals normalised, or undefined for admin (no filter). Whatever is not a known
 * audience is refused rather than read as "no filter": a caller's bug must not widen what a search shows.
 * @throws AppError `invalid_input` for an unknown kind or an agent without a list of string principals.
 */
export function checkAudience(audience: SearchAudience | undefined): SearchAudience | undefined {
  if (audience === undefined) return undefined;
  switch (audience.kind) {
    case 'admin':
      return undefined;
    case 'public':
      return audience;
    case 'agent':
      if (!Array.isArray(audience.principals) || audience.principals.some((p) => typeof p !== 'string')) {
        throw new AppError('invalid_input', 'an agent audience needs its principals as a list of strings');
      }
      return { kind: 'agent', principals: normalizePrincipals(audience.principals) };
    default:
      throw new AppError(
        'invalid_input',
        `unknown search audience ${JSON.stringify((audience as { kind?: unknown }).kind)}`,
      );
  }
}
