import { contentStems, isStopWord, negationWords, stem, words } from './text.js';

/**
 * The checkable facts of a sentence: what a hallucinating model most often gets wrong while the rest of the
 * sentence still looks like its source (the "30 days" that should be "14 days", "Visa" for "Mastercard", "can"
 * for "cannot"). Word overlap and embeddings barely move when one of these changes, so they are compared
 * exactly, after normalising units ("a week" = "7 days", "$8.00" = "8 dollars").
 */
export interface Fact {
  kind: 'amount' | 'percent' | 'duration' | 'date' | 'number' | 'entity';
  /** As written in the sentence. */
  text: string;
  /** Numeric value (durations in days); null for entities and dates. */
  value: number | null;
  /** Stems of an entity's words; empty for numbers. */
  stems: string[];
  /** An entity opening its sentence: its first word may be an ordinary capitalised verb ("Visit Settings"). */
  leading?: boolean;
}

const numberWords: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  ninety: 90,
  hundred: 100,
};
const durationDays: Record<string, number> = {
  minute: 1 / 1440,
  hour: 1 / 24,
  day: 1,
  night: 1,
  week: 7,
  fortnight: 14,
  month: 30,
  year: 365,
};
const months =
  'january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec';
const weekdays = 'monday|tuesday|wednesday|thursday|friday|saturday|sunday';

const numberPattern = String.raw`\d+(?:[.,]\d+)*`;
const wordNumberPattern = Object.keys(numberWords).join('|');
const factPattern = new RegExp(
  [
    String.raw`(?<date>\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b(?:${months})\.? \d{1,2}(?:st|nd|rd|th)?\b|\b\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:${months})\b|\b(?:${weekdays})s?\b)`,
    String.raw`(?<amount>[$€£¥]\s?${numberPattern}|\b${numberPattern}\s?(?:dollars?|usd|eur|euros?|gbp|pounds?)\b)`,
    String.raw`(?<percent>\b${numberPattern}\s?(?:%|percent\b|per cent\b))`,
    String.raw`(?<duration>\b(?:${numberPattern}|${wordNumberPattern})[\s-](?:business |working |calendar )?(?:minute|hour|day|night|week|fortnight|month|year)s?\b)`,
    String.raw`(?<number>\b${numberPattern}\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety|hundred)\b)`,
  ].join('|'),
  'gi',
);

function parseNumber(text: string): number | null {
  const lower = text.toLowerCase();
  if (lower in numberWords) return numberWords[lower] ?? null;
  const n = Number(lower.replace(/,(?=\d{3}\b)/g, ''));
  return Number.isFinite(n) ? n : null;
}

function leadingNumber(text: string): number | null {
  return parseNumber(/\d+(?:[.,]\d+)*/.exec(text)?.[0] ?? '');
}

/** Numbers, amounts, percentages, durations, dates and named entities in `text`. */
export function extractFacts(text: string): Fact[] {
  const facts: Fact[] = [];
  for (const m of text.matchAll(factPattern)) {
    const g = m.groups ?? {};
    const written = m[0];
    if (g.date) facts.push({ kind: 'date', text: written, value: null, stems: contentStems(written) });
    else if (g.amount) {
      facts.push({ kind: 'amount', text: written, value: leadingNumber(written), stems: [] });
    } else if (g.percent)
      facts.push({ kind: 'percent', text: written, value: leadingNumber(written), stems: [] });
    else if (g.duration) {
      const [count = '', ...rest] = written.toLowerCase().split(/[\s-]+/);
      const unit = (rest[rest.length - 1] ?? '').replace(/s$/, '');
      const n = parseNumber(count);
      facts.push({
        kind: 'duration',
        text: written,
        value: n === null ? null : n * (durationDays[unit] ?? 1),
        stems: [],
      });
    } else if (g.number)
      facts.push({ kind: 'number', text: written, value: parseNumber(written), stems: [] });
  }
  // "Sunday" and "Jan" are read as dates already; a name that is only a date's words adds nothing.
  const dateStems = new Set(facts.filter((f) => f.kind === 'date').flatMap((f) => f.stems));
  const entities = extractEntities(text).filter((e) => !e.stems.every((s) => dateStems.has(s)));
  return [...facts, ...entities];
}

/** Capitalised words that open a sentence or clause without being names. */
const sentenceStarters = new Set(
  (
    'the a an if when then this that these those your our their you we they it its he she i in on at for to ' +
    'after before please note also and but or so once while where what which who how why make ask click go ' +
    'enter select check find use get let offer tell explain confirm verify open choose type add remove ' +
    'yes no'
  ).split(' '),
);

function extractEntities(text: string): Fact[] {
  const names: { name: string; leading: boolean }[] = [];
  // Button and setting names written in brackets ("[Pull up Account]") are entities whatever their case.
  for (const m of text.matchAll(/\[([^\]\d][^\]]{0,60})\]/g))
    names.push({ name: m[1] ?? '', leading: false });
  const rest = text.replace(/\[[^\]]*\]/g, ' , ');
  const token = /[\p{L}\p{N}][\p{L}\p{N}'’&-]*[\p{L}\p{N}]|[\p{L}\p{N}]|[.!?:;,>"“”()]/gu;
  let run: string[] = [];
  let atStart = true;
  let runAtStart = false;
  const flush = (): void => {
    while (run.length > 0 && sentenceStarters.has((run[0] ?? '').toLowerCase())) run.shift();
    // One capitalised word opening a sentence ("Ensure", "Refunds") is a word, not a name, unless it has digits.
    const lone = run.length === 1 && runAtStart && !/\d/.test(run[0] ?? '');
    if (run.length > 0 && !lone) names.push({ name: run.join(' '), leading: runAtStart });
    run = [];
  };
  for (const m of rest.matchAll(token)) {
    const w = m[0];
    if (/^[.!?:;,>"“”()]$/.test(w)) {
      flush();
      if (/[.!?:>"“]/.test(w)) atStart = true;
      continue;
    }
    const capital = /^\p{Lu}/u.test(w) && w !== 'I';
    const identifier = /\p{L}/u.test(w) && /\d/.test(w);
    // An opening capital is only a name when the word is not a common sentence opener ("Ask", "Your").
    const opener = atStart && sentenceStarters.has(w.toLowerCase());
    if ((capital || identifier) && !opener) {
      if (run.length === 0) runAtStart = atStart;
      run.push(w);
    } else if (run.length > 0 && /^(?:of|de|du|van|von)$/.test(w)) run.push(w);
    else flush();
    atStart = false;
  }
  flush();
  return names
    .map(({ name, leading }): Fact => ({
      kind: 'entity',
      text: name.replace(/\s+of$/, ''),
      value: null,
      stems: contentStems(name),
      ...(leading ? { leading } : {}),
    }))
    .filter((e) => e.stems.length > 0);
}

/**
 * The index in `facts` of a context fact stating `fact` of a reply (same value, compatible kind; an entity's
 * words all present in `stems`), skipping `used` ones so "$30 ... total 30" cannot both rest on one "$30".
 * -1 when none does; for entities and dates the index is 0 on a match.
 */
export function findFact(
  fact: Fact,
  facts: Fact[],
  stems: Set<string>,
  used: Set<number> = new Set(),
): number {
  if (fact.kind === 'entity' || fact.kind === 'date') {
    const named = fact.leading ? fact.stems.slice(1) : fact.stems;
    return fact.stems.every((s) => stems.has(s)) || (named.length > 0 && named.every((s) => stems.has(s)))
      ? 0
      : -1;
  }
  return facts.findIndex((other, i) => {
    if (used.has(i) || other.value === null || fact.value === null) return false;
    if (Math.abs(other.value - fact.value) > 1e-9) return false;
    // A duration must meet a duration (7 days ≠ 7 items); a bare number may meet any figure of that value.
    if (fact.kind === 'duration') return other.kind === 'duration';
    if (fact.kind === 'percent') return other.kind === 'percent' || other.kind === 'number';
    return other.kind !== 'duration' || fact.kind === 'number';
  });
}

const boundWords = new Set([
  'later',
  'earlier',
  'sooner',
  'more',
  'less',
  'fewer',
  'longer',
  'only',
  'matter',
]);

/**
 * Stems that a negation governs ("cannot be removed" → "remov") and stems stated without one. A reply that
 * says positively what its source negates, or the reverse, contradicts it even with identical words.
 */
export function polarity(text: string): { negated: Set<string>; positive: Set<string> } {
  const negated = new Set<string>();
  const positive = new Set<string>();
  const skip = new Set([
    'be',
    'been',
    'is',
    'are',
    'was',
    'were',
    'do',
    'does',
    'did',
    'have',
    'has',
    'had',
    'to',
    'the',
    'a',
    'an',
    'any',
    'get',
    'got',
    'yet',
    'currently',
    'always',
    'really',
    'even',
    'able',
    'allowed',
    'possible',
    'your',
    'their',
    'our',
    'this',
    'that',
    'it',
    'we',
    'you',
    'they',
    'he',
    'she',
  ]);
  for (const clause of text.split(/[,;:.!?>\n]|\s-\s|\bbut\b|\bor\b/i)) {
    const tokens = words(clause);
    let scope = 0;
    for (const [i, w] of tokens.entries()) {
      // "no later than", "not only", "no more than" bound or extend a statement; they do not negate it.
      if (negationWords.has(w) && !boundWords.has(tokens[i + 1] ?? '')) {
        scope = 4;
        continue;
      }
      if (skip.has(w) || isStopWord(w)) {
        if (scope > 0) scope--;
        continue;
      }
      if (scope > 0) {
        negated.add(stem(w));
        scope = 0;
      } else positive.add(stem(w));
    }
  }
  return { negated, positive };
}

/**
 * How the reply's negations meet the context sentence's: `conflicts` are stems one side negates and the other
 * states ("can be removed" against "cannot be removed"); `unverified` are stems the reply negates that the
 * sentence does not mention negated at all (a "not" the source never said).
 */
export function comparePolarity(
  reply: { negated: Set<string>; positive: Set<string> },
  source: { negated: Set<string>; positive: Set<string> },
): { conflicts: string[]; unverified: string[] } {
  const conflicts: string[] = [];
  const unverified: string[] = [];
  for (const s of reply.negated) {
    if (source.negated.has(s)) continue;
    if (source.positive.has(s)) conflicts.push(`not ${s}`);
    else unverified.push(`not ${s}`);
  }
  for (const s of reply.positive)
    if (source.negated.has(s) && !source.positive.has(s)) conflicts.push(`${s} (negated in source)`);
  return { conflicts, unverified };
}
