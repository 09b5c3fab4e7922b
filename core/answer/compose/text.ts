/**
 * Text helpers for composing answers from passages: cut a passage into the pieces an answer may quote
 * (sentences, list steps), and reduce text to comparable content words.
 */

/** A quotable piece of a passage: a prose sentence or one list item, verbatim apart from the list marker. */
export interface TextUnit {
  text: string;
  kind: 'sentence' | 'step';
  /** Position in the passage, counting every unit. */
  order: number;
  /** Which paragraph (block between blank lines) it came from. */
  paragraph: number;
}

// A fixed locale, not the machine's: the same passage must split the same way everywhere.
const sentences = new Intl.Segmenter('en', { granularity: 'sentence' });

const listMarker = /^\s*(?:[-*+•◦▪‣]|\(?\d{1,3}[.)]|\(?[a-z][.)](?=\s))\s+/i;
const headingLine = /^\s*#{1,6}\s/;

/** The line without its bullet or number ("2. ", "- ", "a) "). */
export function stripListMarker(line: string): string {
  return line.replace(listMarker, '').trim();
}

/**
 * Hard-wrapped prose (plain text cut at a fixed width) rather than a list: most lines end mid-sentence and the
 * next one continues in lower case. Lists written without markers (as the Markdown parser hands them over)
 * end their lines at an item boundary instead.
 */
function looksWrapped(lines: string[]): boolean {
  if (lines.some((l) => listMarker.test(l))) return false;
  let continued = 0;
  for (let i = 0; i + 1 < lines.length; i++) {
    const line = lines[i] ?? '';
    const next = lines[i + 1] ?? '';
    if (!/[.:;!?)\]]$/.test(line) && /^[a-z]/.test(next)) continued += 1;
  }
  return continued * 2 >= lines.length - 1;
}

function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const { segment } of sentences.segment(text)) {
    const sentence = segment.replace(/\s+/g, ' ').trim();
    if (sentence) out.push(sentence);
  }
  return out;
}

/**
 * Cuts a passage into units: a paragraph of several lines (or any marked list item) gives one step per line,
 * kept whole and in order; a prose paragraph gives its sentences. Markdown heading lines are left out.
 */
export function splitUnits(passage: string): TextUnit[] {
  const units: TextUnit[] = [];
  const paragraphs = passage.split(/\n\s*\n/);
  paragraphs.forEach((block, paragraph) => {
    const lines = block
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !headingLine.test(l));
    if (lines.length === 0) return;
    const asSteps = lines.length > 1 ? !looksWrapped(lines) : listMarker.test(lines[0] ?? '');
    if (asSteps) {
      for (const line of lines) {
        const text = stripListMarker(line).replace(/\s+/g, ' ');
        if (text) units.push({ text, kind: 'step', order: units.length, paragraph });
      }
    } else {
      for (const text of splitSentences(lines.join(' ')))
        units.push({ text, kind: 'sentence', order: units.length, paragraph });
    }
  });
  return units;
}

// Function words and the small talk of support questions: they say nothing about which passage answers.
const stopwords = new Set(
  (
    'a an and are as at be been being but by can could did do does doing done for from had has have having he her ' +
    'here hers him his how i if in into is it its itself just me my myself no nor not of off on once only or other ' +
    'our ours out over own same she should so some such than that the their theirs them then there these they ' +
    'this those through to too under until up very was we were what when where which while who whom why will ' +
    'with would you your yours yourself also am any anything each either every get got gets getting let lets ' +
    'may might must need needs want wants wanted please thanks thank hi hello hey help ok okay really still yet ' +
    't s don didn doesn isn wasn aren can cannot couldn won wouldn shouldn ll ve re d m im ive id one thing things ' +
    'someone something way able us via'
  ).split(/\s+/),
);

/** A light suffix stripper: enough that "refunds", "refunded" and "refunding" meet, not a full Porter stemmer. */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  for (const suffix of ['ing', 'ed', 'ly']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      if (/([b-df-hj-np-tv-z])\1$/.test(w) && !/(?:ll|ss|zz)$/.test(w)) w = w.slice(0, -1);
      break;
    }
  }
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
}

// Help-centre vocabulary is small and repeats: remembering each word's stem keeps composing fast.
const stems = new Map<string, string | null>();
const maxRemembered = 50_000;

/** Content-word stems of a text, in order, with repeats. */
export function contentTerms(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().split(/[^a-z0-9'’‘]+/)) {
    if (raw.length < 2) continue;
    let term = stems.get(raw);
    if (term === undefined) {
      const word = raw.replace(/['’‘]s$/, '').replace(/['’‘]/g, '');
      term = word.length < 2 || stopwords.has(word) ? null : stem(word);
      if (stems.size >= maxRemembered) stems.clear();
      stems.set(raw, term);
    }
    if (term !== null) out.push(term);
  }
  return out;
}

/**
 * Words customers use for what help articles call otherwise ("money back" for a refund). A matched phrase's
 * words may be met by the article's word instead. Small and generic on purpose: a domain list belongs in
 * the knowledge base, not here.
 */
const phrasings: [RegExp, string][] = [
  [/\bmoney back\b|\breimburs\w*/g, 'refund'],
  [/\b(?:send|give|take|bring|ship)(?: \w+)? back\b/g, 'return'],
  [/\bcharg\w*/g, 'bill'],
  [/\bbill\w*/g, 'charge'],
  [/\bbought\b|\bordered\b/g, 'purchase'],
  [/\bexpired?\b/g, 'out of date'],
  [/\b(?:coupon|discount code|voucher)s?\b/g, 'promo code'],
  [/\b(?:sign|log)(?:ged|ging)? ?in\b/g, 'login log in'],
  [/\b(?:package|parcel)s?\b/g, 'shipment item'],
  [/\bnever (?:arrived|came|got)\b|\bdidn'?t (?:arrive|come)\b/g, 'missing'],
  [/\b2fa\b|\btwo[- ]step\b/g, 'two factor'],
];

/**
 * The question's content words as concepts: each a set of stems any of which counts as meeting it (the word
 * itself, plus what {@link phrasings} offers for the phrase it is part of).
 */
export function questionConcepts(question: string): Set<string>[] {
  const text = question.toLowerCase().replace(/[’‘]/g, "'");
  const concepts = new Map<string, Set<string>>();
  for (const term of contentTerms(text)) concepts.set(term, new Set([term]));
  for (const [pattern, instead] of phrasings) {
    for (const match of text.matchAll(pattern)) {
      const alternatives = contentTerms(instead);
      const words = contentTerms(match[0]);
      if (words.length === 0) concepts.set(instead, new Set(alternatives));
      for (const word of words) for (const alt of alternatives) concepts.get(word)?.add(alt);
    }
  }
  return [...concepts.values()];
}
