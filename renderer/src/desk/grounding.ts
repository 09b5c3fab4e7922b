/** A stretch of a draft, and whether the grounding checker flagged it as not found in the cited passages. */
export interface DraftPart {
  text: string;
  unsupported: boolean;
}

/**
 * Splits a draft into stretches so the flagged sentences can be marked where they stand. Each occurrence of a
 * flagged sentence is marked, earliest first; a flagged sentence the agent's text no longer contains is
 * ignored. Joining the parts' texts gives the draft back unchanged.
 */
export function markUnsupported(text: string, unsupported: readonly string[]): DraftPart[] {
  const flagged = unsupported.filter((sentence) => sentence.trim() !== '');
  const parts: DraftPart[] = [];
  let rest = text;
  while (rest) {
    let first: { at: number; sentence: string } | null = null;
    for (const sentence of flagged) {
      const at = rest.indexOf(sentence);
      // Earliest wins; at the same place the longer sentence, so one never splits another.
      if (
        at !== -1 &&
        (!first || at < first.at || (at === first.at && sentence.length > first.sentence.length))
      )
        first = { at, sentence };
    }
    if (!first) {
      parts.push({ text: rest, unsupported: false });
      break;
    }
    if (first.at > 0) parts.push({ text: rest.slice(0, first.at), unsupported: false });
    parts.push({ text: first.sentence, unsupported: true });
    rest = rest.slice(first.at + first.sentence.length);
  }
  return parts;
}
