/**
 * Splits replies and knowledge passages into sentences, the unit the grounding checker judges. Support replies
 * mix prose with numbered steps and bullets, quote prices ("$8.00") and abbreviations ("e.g.", "i.e."), and
 * drafts carry "[1]" citation markers: each of those would otherwise cut a sentence in the wrong place.
 */

/** Abbreviations after which a full stop never ends a sentence. */
const neverEnds = new Set([
  'e.g',
  'i.e',
  'eg',
  'ie',
  'cf',
  'vs',
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'st',
  'jr',
  'sr',
  'approx',
  'appt',
  'dept',
  'est',
  'fig',
  'incl',
  'esp',
  'min',
  'max',
  'mt',
  'ca',
  'ref',
  'a.m',
  'p.m',
  'u.s',
  'u.k',
]);
/** Abbreviations that end a sentence only when a capital letter follows ("etc. Then ..."). */
const endsBeforeCapital = new Set(['etc', 'inc', 'ltd', 'co', 'corp', 'no', 'nos', 'vol', 'al']);

const bulletPrefix = /^\s*(?:[-*•‣◦–]|\d{1,3}[.)]|[a-z][.)]|#{1,6})\s+/;
const leadingMarkers = /^(?:\[\^?\d+(?:\s*[,–-]\s*\^?\d+)*\]\s*)+/;
const citationMarker = /\s*\[\^?\d+(?:\s*[,–-]\s*\^?\d+)*\]/g;

/** The sentence without its "[1]" / "[1, 2]" citation markers, for checking (button names like "[Save]" stay). */
export function stripCitationMarkers(sentence: string): string {
  return sentence
    .replace(citationMarker, '')
    .replace(/\s+([.,;:!?])/g, '$1')
    .trim();
}

/**
 * Sentences of `text`, in order, trimmed, bullets and list numbers removed, citation markers kept (a marker
 * after the full stop stays with the sentence it cites). Each list item and each line that ends a sentence is
 * its own sentence; lines wrapped mid-sentence are joined.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const block of joinWrappedLines(text)) {
    for (const piece of splitProse(block)) {
      let clean = piece.replace(/\*\*|__|`/g, '').trim();
      // Markers after the full stop ("... 14 days. [2] Then") belong to the sentence before them.
      const leading = leadingMarkers.exec(clean)?.[0] ?? '';
      const previous = sentences.length - 1;
      if (leading && previous >= 0) {
        sentences[previous] = `${sentences[previous] ?? ''} ${leading.trim()}`;
        clean = clean.slice(leading.length).replace(/^[.]\s*/, '');
      }
      if (/[\p{L}\p{N}]/u.test(clean)) sentences.push(clean);
    }
  }
  return sentences;
}

/** Lines → logical blocks: list items and headings stand alone, a lower-case continuation joins its line. */
function joinWrappedLines(text: string): string[] {
  const blocks: string[] = [];
  let open = false;
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (!line) {
      open = false;
      continue;
    }
    const isItem = bulletPrefix.test(line);
    const body = line.replace(bulletPrefix, '');
    const last = blocks.length - 1;
    if (open && !isItem && last >= 0 && /^[\p{Ll}(]/u.test(body))
      blocks[last] = `${blocks[last] ?? ''} ${body}`;
    else blocks.push(body);
    open = !/[.!?:]["')\]]*$/.test(body);
  }
  return blocks;
}

function splitProse(block: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  const boundary = /[.!?]+["')\]]*(?=\s+)/g;
  for (let m = boundary.exec(block); m; m = boundary.exec(block)) {
    const end = m.index + m[0].length;
    const after = block.slice(end).trimStart();
    if (!endsSentence(block.slice(start, m.index + 1), m[0], after)) continue;
    pieces.push(block.slice(start, end));
    start = end;
  }
  pieces.push(block.slice(start));
  return pieces;
}

function endsSentence(before: string, punctuation: string, after: string): boolean {
  if (!after) return true;
  const next = after[0] ?? '';
  if (punctuation.startsWith('.')) {
    const word = /([\p{L}.]+)\.$/u.exec(before)?.[1]?.toLowerCase() ?? '';
    if (neverEnds.has(word)) return false;
    if (endsBeforeCapital.has(word)) return /\p{Lu}/u.test(next);
    // A single capital ("J. Smith") is an initial.
    if (/(?:^|\s)\p{Lu}\.$/u.test(before)) return false;
  }
  // "... e.g. the refund" and "see p. 4": a lower-case start continues the sentence; a marker follows its sentence.
  if (/\p{Ll}/u.test(next)) return false;
  return true;
}
