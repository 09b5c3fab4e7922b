import type { TokenCounter } from './tokens.js';

/** A piece of text the packer never cuts: a paragraph, a sentence, or a slice of an over-long sentence. */
export interface Unit {
  text: string;
  tokens: number;
  /** What joins it to the unit before: a blank line (new paragraph), a line break (list items) or a space. */
  before: '\n\n' | '\n' | ' ';
}

// A fixed locale, not the machine's: the same text must split the same way everywhere (ids depend on it).
const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** A sentence and whether a line break followed it (so list items stay one per line). */
export interface Sentence {
  text: string;
  lineBreakAfter: boolean;
}

/**
 * Most text handed to the segmenter at once. V8's Intl.Segmenter (Node 20) costs time in proportion to the whole
 * input for every segment it yields, so one call on a 2 MB paragraph of 30k short lines took ~40 s.
 */
const segmentWindow = 4096;

function pushSegments(text: string, out: string[]): void {
  for (const { segment } of sentenceSegmenter.segment(text)) out.push(segment);
}

/** Characters no sentence rule reads past: letters, terminators and paragraph separators (rule SB8 stops there). */
const lookaheadStopper = /[\p{L}\p{Sentence_Terminal}\r\u0085\u2028\u2029]/gu;

/**
 * Sentence segments of a long line, exactly as one `segment()` call over it yields them, one window at a time.
 * Deciding a boundary can look ahead (rule SB8 reads on past digits, spaces and symbols to find a lower-case
 * letter) but never past a letter or terminator, so a window keeps only the boundaries before its last such
 * character: those are the same as in the whole line. A window without one is doubled (a line of only digits
 * and symbols then costs what one call over it would).
 */
function pushLongLineSegments(line: string, window: number, out: string[]): void {
  let start = 0;
  let size = window;
  while (start + size < line.length) {
    const piece = line.slice(start, start + size);
    // The window's last character is left out, so a stopper always has context after it.
    let lastStopper = -1;
    for (const match of piece.slice(0, -1).matchAll(lookaheadStopper)) lastStopper = match.index;
    const segments = Array.from(sentenceSegmenter.segment(piece));
    const kept = segments.filter((s) => s.index + s.segment.length <= lastStopper);
    const last = kept[kept.length - 1];
    if (!last) {
      size *= 2;
      continue;
    }
    for (const { segment } of kept) out.push(segment);
    start += last.index + last.segment.length;
    size = window;
  }
  pushSegments(line.slice(start), out);
}

/**
 * Sentence segments of `text`, the same as `sentenceSegmenter.segment(text)` yields, found in pieces of about
 * `window` characters so the cost stays linear. Exported for tests, which compare it with the one-call result.
 */
export function sentenceSegments(text: string, window = segmentWindow): string[] {
  if (text.length <= window) return Array.from(sentenceSegmenter.segment(text), (s) => s.segment);
  const out: string[] = [];
  let start = 0;
  let nextLineBreak = text.indexOf('\n');
  while (start < text.length) {
    if (nextLineBreak !== -1 && nextLineBreak < start) nextLineBreak = text.indexOf('\n', start);
    const end = start + window;
    if (end >= text.length) {
      pushSegments(text.slice(start), out);
      break;
    }
    if (nextLineBreak === -1 || nextLineBreak >= end) {
      // A line longer than the window: cut it inside, where no boundary can move.
      const lineEnd = nextLineBreak === -1 ? text.length : nextLineBreak + 1;
      pushLongLineSegments(text.slice(start, lineEnd), window, out);
      start = lineEnd;
      continue;
    }
    // A line break always ends a sentence (Unicode rule SB4), so whole lines can be segmented apart.
    const piecesEnd = text.lastIndexOf('\n', end - 1) + 1;
    pushSegments(text.slice(start, piecesEnd), out);
    start = piecesEnd;
  }
  return out;
}

/** Sentences of a paragraph by Unicode's rules (ICU): "e.g. 10" and "3.5" stay whole, a line break ends one. */
export function splitSentences(paragraph: string): Sentence[] {
  const out: Sentence[] = [];
  for (const segment of sentenceSegments(paragraph)) {
    const text = segment.trim();
    if (text) out.push({ text, lineBreakAfter: /\n\s*$/.test(segment) });
  }
  return out;
}

/** Cuts a single over-long word (a URL, a base64 blob) into slices that each fit `max`. */
function sliceWord(word: string, max: number, count: TokenCounter): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < word.length) {
    // Estimate from a window a few slices long: re-counting a multi-megabyte blob per slice would be quadratic.
    const window = word.slice(start, start + max * 16);
    let n = Math.max(1, Math.floor((window.length * max) / Math.max(1, count(window))));
    while (n > 1 && count(word.slice(start, start + n)) > max) n = Math.floor(n * 0.8);
    // Never end a slice between the two halves of a surrogate pair (an emoji, a rare CJK character).
    const last = word.charCodeAt(start + n - 1);
    if (start + n < word.length && last >= 0xd800 && last <= 0xdbff) n = n > 1 ? n - 1 : 2;
    out.push(word.slice(start, start + n));
    start += n;
  }
  return out;
}

/** Splits text that is too long for one unit at word boundaries (inside words only when one word is too long). */
export function splitByWords(text: string, max: number, count: TokenCounter): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const units: Unit[] = [];
  for (const word of words) {
    const tokens = count(word);
    if (tokens <= max) units.push({ text: word, tokens, before: ' ' });
    else
      for (const slice of sliceWord(word, max, count))
        units.push({ text: slice, tokens: count(slice), before: ' ' });
  }
  return packUnits(units, max, (t) => count(t) <= max, false);
}

/**
 * Turns paragraphs into units of at most `max` tokens. At `paragraph` level a paragraph that fits stays whole;
 * otherwise (and always at `sentence` level) it is cut into sentences, and a sentence that alone exceeds the
 * limit is cut by words.
 */
export function toUnits(
  paragraphs: readonly string[],
  max: number,
  count: TokenCounter,
  level: 'paragraph' | 'sentence',
): Unit[] {
  const units: Unit[] = [];
  for (const paragraph of paragraphs) {
    if (level === 'paragraph') {
      const tokens = count(paragraph);
      if (tokens <= max) {
        units.push({ text: paragraph, tokens, before: '\n\n' });
        continue;
      }
    }
    let before: Unit['before'] = '\n\n';
    for (const sentence of splitSentences(paragraph)) {
      const tokens = count(sentence.text);
      const pieces = tokens <= max ? [sentence.text] : splitByWords(sentence.text, max, count);
      for (const text of pieces) {
        units.push({ text, tokens: text === sentence.text ? tokens : count(text), before });
        before = ' ';
      }
      if (sentence.lineBreakAfter) before = '\n';
    }
  }
  return units;
}

function joinUnits(units: readonly Unit[]): string {
  return units.map((u, i) => (i === 0 ? u.text : u.before + u.text)).join('');
}

/** Emits units as one chunk, halving the run when the tokenizer disagrees with the summed counts. */
function emit(units: readonly Unit[], fits: (text: string) => boolean, out: string[]): void {
  const text = joinUnits(units);
  if (units.length === 1 || fits(text)) {
    out.push(text);
    return;
  }
  const half = Math.ceil(units.length / 2);
  emit(units.slice(0, half), fits, out);
  emit(units.slice(half), fits, out);
}

/**
 * Packs units in order into chunks of at most `max` tokens, aiming at equal sizes (a 130-token text becomes two
 * of ~65, not 128 + 2). `fits` checks each finished chunk with the real counter, since a tokenizer's count of
 * joined text may differ from the sum of its parts. With `overlap`, each chunk after the first repeats the
 * previous chunk's last unit when it is at most half the limit, so a fact split across chunks is found in both.
 */
export function packUnits(
  units: readonly Unit[],
  max: number,
  fits: (text: string) => boolean,
  overlap: boolean,
): string[] {
  const out: string[] = [];
  const total = units.reduce((sum, u) => sum + u.tokens, 0);
  const target = total / Math.max(1, Math.ceil(total / max));
  let current: Unit[] = [];
  let tokens = 0;
  for (const unit of units) {
    if (current.length > 0 && (tokens + unit.tokens > max || tokens >= target)) {
      emit(current, fits, out);
      const last = current[current.length - 1];
      const carry = overlap && last && last.tokens <= max / 2 && last.tokens + unit.tokens <= max;
      current = carry ? [last] : [];
      tokens = carry ? last.tokens : 0;
    }
    current.push(unit);
    tokens += unit.tokens;
  }
  if (current.length > 0) emit(current, fits, out);
  return out;
}
