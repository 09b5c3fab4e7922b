/**
 * The extractive composer: the answer writer when no LLM is installed. It quotes the passages, never writes:
 * every sentence of its answer is a sentence or list step of one passage (list markers normalised), with that
 * passage's "[n]" marker. How-to questions get the best passage's steps in their original order under a lead
 * sentence; other questions get the few best sentences. Deterministic, no model needed.
 */
import type { QueryType, SearchHit } from '../../contract/retrieval.js';
import { contentTerms, questionConcepts, splitUnits, type TextUnit } from './text.js';

export interface ComposePassage {
  /** The number the answer's "[n]" markers use for this passage. */
  marker: number;
  title: string;
  headings: string[];
  text: string;
  docId: string;
  chunkId: string;
  /** Retrieval score (any scale; only the order and ratio to the best matter). */
  score: number;
}

export interface ComposeInput {
  question: string;
  /** Best first, as retrieval ranked them. */
  passages: ComposePassage[];
  queryType: QueryType;
  /** Most sentences in the answer: default 3 for a factual answer, 1 lead + 7 steps for a procedure. */
  maxSentences?: number;
  /**
   * Semantic similarity of the question to a unit's text, in -1..1, when the caller has embedded the units
   * ({@link composeUnits} lists them); undefined for a text it has no vector for. Blended with word overlap.
   */
  similarity?: (text: string) => number | undefined;
  /** Least share of the question's content words the best passage must cover to answer; default 0.3. */
  floor?: number;
}

export interface ComposedSentence {
  /** The quoted text, without the marker. */
  text: string;
  /** Markers of the passages it was quoted from. */
  citations: number[];
}

export interface ComposedAnswer {
  /** The answer with "[n]" markers; empty when nothing in the passages answers (the engine then abstains). */
  answer: string;
  sentences: ComposedSentence[];
  /** Share of the question's content words (IDF-weighted) the chosen sentences contain, 0..1. */
  coverage: number;
}

interface TermUnit extends TextUnit {
  terms: Set<string>;
}

interface ScoredUnit extends TermUnit {
  passage: number;
  /** Question coverage of this unit alone, blended with semantic similarity when given. */
  match: number;
  score: number;
}

interface PassageView {
  units: ScoredUnit[];
  /** How well the passage as a whole (text, title, headings) fits the question. */
  fit: number;
  /** Question coverage of the whole passage including its headings. */
  coverage: number;
}

const empty: ComposedAnswer = { answer: '', sentences: [], coverage: 0 };
const defaultFloor = 0.3;
const factualSentences = 3;
const procedureSentences = 8;
// A unit must cover at least this share of what the best unit covers to be quoted in a factual answer.
const relativeCut = 0.5;

// Questions after a fact; anything else (a problem, a request, "how do I...") is answered with a procedure.
const factual =
  /^(?:what|when|where|which|who|whom|whose|why|how (?:much|many|long|often|far|soon|big|old)|is|are|was|were|does|did|will|has|have|do (?!i\b|we\b))\b/i;
const procedural =
  /\b(?:how (?:do|can|should|would|to)|what (?:should|do|can) (?:i|we) do|steps?|process|procedure)\b/i;

/**
 * Whether the question wants a procedure: "how do I...", a problem ("my code isn't working") or a request
 * ("I want a refund"), rather than a fact ("what is...", "how long...", "does...").
 */
export function isProceduralQuestion(question: string): boolean {
  const q = question.trim();
  return procedural.test(q) || !factual.test(q);
}

/** The units (sentences, steps) a compose would consider, e.g. to embed them for `similarity`. */
export function composeUnits(passages: Pick<ComposePassage, 'text'>[]): string[] {
  return passages.flatMap((p) => splitUnits(p.text).map((u) => u.text));
}

/** Passages for the composer from search hits: one per parent section, best first, numbered from 1. */
export function passagesFromHits(hits: SearchHit[], limit = 8): ComposePassage[] {
  const seen = new Set<string>();
  const out: ComposePassage[] = [];
  for (const hit of hits) {
    if (seen.has(hit.parentId) || out.length >= limit) continue;
    seen.add(hit.parentId);
    out.push({
      marker: out.length + 1,
      title: hit.title,
      headings: hit.headings,
      text: hit.parentText,
      docId: hit.docId,
      chunkId: hit.chunkId,
      score: hit.score,
    });
  }
  return out;
}

/**
 * Composes an answer from retrieved passages by quoting them. Returns an empty answer with coverage 0 when the
 * question has no content words or no passage covers enough of it (`floor`).
 */
export function composeExtractive(input: ComposeInput): ComposedAnswer {
  const concepts = questionConcepts(input.question);
  if (concepts.length === 0 || input.passages.length === 0) return empty;
  const units = input.passages.map((p) =>
    splitUnits(p.text).map((unit) => ({ ...unit, terms: new Set(contentTerms(unit.text)) })),
  );
  const weights = conceptWeights(concepts, units, input);
  const total = weights.reduce((a, b) => a + b, 0);
  const cover = (terms: Set<string>) => {
    let met = 0;
    concepts.forEach((alternatives, i) => {
      for (const alt of alternatives) {
        if (terms.has(alt)) {
          met += weights[i] ?? 0;
          break;
        }
      }
    });
    return total > 0 ? met / total : 0;
  };
  const views = input.passages.map((p, i) => viewPassage(p, i, units[i] ?? [], input, cover));
  const anchorIndex = bestPassage(views);
  const anchor = views[anchorIndex];
  if (!anchor || anchor.units.length === 0) return empty;
  const semantic = Math.max(...anchor.units.map((u) => input.similarity?.(u.text) ?? 0));
  if (anchor.coverage < (input.floor ?? defaultFloor) && semantic < 0.6) return empty;

  const steps = anchor.units.filter((u) => u.kind === 'step');
  const procedure = isProceduralQuestion(input.question) && steps.length >= 2;
  const chosen = procedure
    ? chooseProcedure(anchor, steps, views, input.maxSentences ?? procedureSentences)
    : chooseFacts(views, anchorIndex, input.maxSentences ?? factualSentences);
  if (chosen.length === 0) return empty;

  const sentences = chosen.map((u) => ({
    text: u.text,
    citations: [input.passages[u.passage]?.marker ?? u.passage + 1],
  }));
  const covered = new Set(chosen.flatMap((u) => [...u.terms]));
  return { answer: render(chosen, sentences, procedure), sentences, coverage: round(cover(covered)) };
}

/**
 * IDF of each question concept over the passages' units, so words every passage repeats count for little. A
 * word no passage contains weighs as much as the rarest one seen: it is missing, not infinitely important.
 * Identifier-like words (with digits) count double for exact-match questions.
 */
function conceptWeights(concepts: Set<string>[], units: TermUnit[][], input: ComposeInput): number[] {
  const all = units.flat();
  const df = new Map<string, number>();
  const count = (terms: Iterable<string>) => {
    for (const t of terms) df.set(t, (df.get(t) ?? 0) + 1);
  };
  for (const unit of all) count(unit.terms);
  for (const p of input.passages) count(new Set(contentTerms([p.title, ...p.headings].join(' '))));
  const n = all.length + input.passages.length;
  return concepts.map((alternatives) => {
    const seen = [...alternatives].map((t) => df.get(t) ?? 0).filter((d) => d > 0);
    const w = Math.log(1 + (n + 1) / (Math.max(1, ...seen) + 1));
    const identifier = [...alternatives].some((t) => /\d/.test(t));
    return input.queryType === 'exact_match' && identifier ? 2 * w : w;
  });
}

function viewPassage(
  passage: ComposePassage,
  index: number,
  units: TermUnit[],
  input: ComposeInput,
  cover: (terms: Set<string>) => number,
): PassageView {
  // The most specific heading names what the passage is about; the title and outer headings are context.
  const own = new Set(contentTerms(passage.headings.at(-1) ?? passage.title));
  const heading = new Set(contentTerms([passage.title, ...passage.headings].join(' ')));
  const headingFit = 0.6 * cover(own) + 0.4 * cover(heading);
  const whole = new Set(heading);
  // A unit without a content word ("x", "See below:") is nothing to quote.
  const quotable = units.filter((unit) => unit.terms.size > 0);
  const scored = quotable.map((unit) => {
    for (const t of unit.terms) whole.add(t);
    const lexical = cover(unit.terms);
    const similarity = input.similarity?.(unit.text);
    const match = similarity === undefined ? lexical : 0.5 * lexical + 0.5 * Math.max(0, similarity);
    return { ...unit, passage: index, match, score: 0 };
  });
  const coverage = cover(whole);
  const best = Math.max(...input.passages.map((p) => p.score), 0);
  const n = input.passages.length;
  // Retrieval's view: score relative to the best, and rank (RRF scores are too close to tell apart alone).
  const retrieval = 0.5 * (best > 0 ? Math.max(0, passage.score) / best : 0) + 0.5 * (1 - index / n);
  const fit = 0.35 * coverage + 0.45 * headingFit + 0.2 * retrieval;
  for (const unit of scored) unit.score = 0.55 * unit.match + 0.35 * fit + 0.1 / (1 + 0.15 * unit.order);
  return { units: scored, fit, coverage };
}

/** The passage to answer from: the best fit, with the best single unit as a tie-breaker. */
function bestPassage(views: PassageView[]): number {
  let best = 0;
  let bestValue = -Infinity;
  views.forEach((view, i) => {
    const value = view.fit + 0.15 * Math.max(0, ...view.units.map((u) => u.match));
    if (value > bestValue) {
      best = i;
      bestValue = value;
    }
  });
  return best;
}

/**
 * A procedure: the passage's lead sentence (the best-matching prose sentence, else the sentence that
 * introduces the list) and its steps in document order. When there are more steps than room, the ones that
 * match the question, say something (not a bare "Order ID" item) and are not boilerplate repeated by other
 * passages are kept, still in order, always with the list's last step (usually the one that completes it).
 */
function chooseProcedure(
  anchor: PassageView,
  steps: ScoredUnit[],
  views: PassageView[],
  max: number,
): ScoredUnit[] {
  const prose = anchor.units.filter((u) => u.kind === 'sentence');
  const firstStep = steps[0]?.order ?? 0;
  // The intro (prose before the list) usually frames the procedure: it leads unless a later sentence matches
  // clearly better.
  const leadValue = (u: ScoredUnit) => u.match + (u.order < firstStep ? 0.2 : 0);
  const lead =
    [...prose].sort((a, b) => leadValue(b) - leadValue(a) || a.order - b.order).find((u) => u.match > 0) ??
    prose.filter((u) => u.order < firstStep).at(-1);
  const room = Math.max(1, max - (lead ? 1 : 0));
  if (steps.length <= room) return [...(lead ? [lead] : []), ...dedupe(steps, room)];
  const elsewhere = new Set(
    views.flatMap((v) => (v === anchor ? [] : v.units.map((u) => u.text.toLowerCase()))),
  );
  const value = (u: ScoredUnit) =>
    0.6 * u.match +
    0.25 * (elsewhere.has(u.text.toLowerCase()) ? 0 : 1) +
    0.15 * Math.min(1, u.terms.size / 6);
  const last = steps.at(-1);
  const ranked = [...steps].sort((a, b) => value(b) - value(a) || a.order - b.order);
  const kept = last && room > 1 ? [last] : [];
  const picked = dedupe([...kept, ...ranked.filter((u) => u !== last)], room).sort(
    (a, b) => a.order - b.order,
  );
  return [...(lead ? [lead] : []), ...picked];
}

/**
 * Facts: the best units above a share of the best match, grouped by passage in order. Other passages than
 * the anchor contribute only units that match about as well as the best one and come from a passage that
 * fits nearly as well, so a stray sentence of a neighbouring article does not tag along.
 */
function chooseFacts(views: PassageView[], anchorIndex: number, max: number): ScoredUnit[] {
  const anchorFit = views[anchorIndex]?.fit ?? 0;
  const candidates = views.flatMap((v) => v.units).filter((u) => u.match > 0);
  const top = Math.max(0, ...candidates.map((u) => u.match));
  const eligible = candidates.filter(
    (u) =>
      u.match >= relativeCut * top &&
      (u.passage === anchorIndex ||
        (u.match >= 0.9 * top && (views[u.passage]?.fit ?? 0) >= 0.85 * anchorFit)),
  );
  const picked = dedupe(eligible.sort(byScore), max);
  const rank = new Map<number, number>();
  for (const u of picked) if (!rank.has(u.passage)) rank.set(u.passage, rank.size);
  return picked.sort((a, b) => (rank.get(a.passage) ?? 0) - (rank.get(b.passage) ?? 0) || a.order - b.order);
}

const byScore = (a: ScoredUnit, b: ScoredUnit) =>
  b.score - a.score || a.passage - b.passage || a.order - b.order;

/** Keeps up to `max` units, skipping any that repeat (nearly) one already kept, e.g. the same line in two passages. */
function dedupe(units: ScoredUnit[], max: number): ScoredUnit[] {
  const kept: ScoredUnit[] = [];
  for (const unit of units) {
    if (kept.length >= max) break;
    if (kept.some((k) => similarText(k, unit))) continue;
    kept.push(unit);
  }
  return kept;
}

function similarText(a: ScoredUnit, b: ScoredUnit): boolean {
  if (a.text.toLowerCase() === b.text.toLowerCase()) return true;
  if (a.terms.size === 0 || b.terms.size === 0) return false;
  let shared = 0;
  for (const t of a.terms) if (b.terms.has(t)) shared += 1;
  return shared / (a.terms.size + b.terms.size - shared) >= 0.8;
}

/**
 * A procedure: the lead as prose, then the steps numbered. Facts: one paragraph when they are all sentences,
 * else one bullet each (list items often lack the full stop that would let them run together).
 */
function render(chosen: ScoredUnit[], sentences: ComposedSentence[], procedure: boolean): string {
  const quoted = (i: number) =>
    `${chosen[i]?.text ?? ''} ${(sentences[i]?.citations ?? []).map((c) => `[${c}]`).join('')}`;
  if (!procedure) {
    if (chosen.length === 1 || chosen.every((u) => u.kind === 'sentence')) {
      return chosen.map((_, i) => quoted(i)).join(' ');
    }
    return chosen.map((_, i) => `- ${quoted(i)}`).join('\n');
  }
  const lead = chosen.flatMap((u, i) => (u.kind === 'sentence' ? [quoted(i)] : []));
  const steps = chosen.flatMap((u, i) => (u.kind === 'step' ? [quoted(i)] : []));
  const list = steps.map((text, i) => `${i + 1}. ${text}`).join('\n');
  return lead.length > 0 ? `${lead.join(' ')}\n\n${list}` : list;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
