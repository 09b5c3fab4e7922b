import type {
  GroundingChecker,
  GroundingReport,
  SentenceGrounding,
  TextGenerator,
} from '../../contract/answer.js';
import type { Embedder } from '../../contract/retrieval.js';
import { isClaim } from './claims.js';
import { prepareContext, type PreparedContext, type SupportUnit } from './context.js';
import { comparePolarity, extractFacts, findFact, polarity, type Fact } from './facts.js';
import { askJudge } from './judge.js';
import { splitSentences, stripCitationMarkers } from './sentences.js';
import { VectorCache } from './vectors.js';
import { contentStems } from './text.js';

export interface GroundingOptions {
  /** Adds semantic support (cosine to the best context sentence); null or absent = lexical and facts only. */
  embedder?: Embedder | null;
  /** An LLM asked about borderline sentences only; null or absent = never asked. */
  judge?: TextGenerator | null;
  /** Score at or above which a sentence counts as supported (overrides `calibration.threshold`). */
  threshold?: number;
  calibration?: Partial<GroundingCalibration>;
  judgeTimeoutMs?: number;
  /** Judge calls per check at most, so a long reply on a slow CPU model still answers in seconds. */
  maxJudgeCalls?: number;
}

/**
 * How lexical and semantic support are put on one scale. MiniLM puts sentences of one help centre close
 * together (0.6-0.8 cosine even across topics) and true paraphrases at 0.85 and above, so only the top of the
 * cosine range counts as support. Values chosen on the dev half of the ABCD grounding set
 * (scripts/bench/lib/grounding-set.ts, alternate flows): dev ROC AUC is ~1.0 over a wide range of settings, so
 * among those the threshold sits mid-plateau (balanced accuracy >= 0.98 for thresholds 0.35-0.7); the test
 * half is reported apart.
 */
export interface GroundingCalibration {
  /** Score at or above which a sentence counts as supported. */
  threshold: number;
  /** Cosine mapped to 0 semantic support, and cosine mapped to 1. */
  cosineFloor: number;
  cosineCeiling: number;
  /** Lexical share of the support score when both signals exist: words carry the facts, embeddings forgive rewording. */
  lexicalWeight: number;
}

export const defaultCalibration: GroundingCalibration = {
  threshold: 0.5,
  cosineFloor: 0.6,
  cosineCeiling: 0.9,
  lexicalWeight: 0.5,
};
export const defaultThreshold = defaultCalibration.threshold;
/** How near the threshold a score must be for the judge to be asked. */
const judgeBand = 0.15;
/**
 * What a fact missing from the supporting unit costs, as a factor. A figure or negation that differs is the
 * classic hallucination and costs most; a name the context uses elsewhere may be a merge of two passages.
 */
const missingFigure = 0.3;
const missingName = 0.3;
const nameElsewhere = 0.4;
/** A fact found only in the neighbouring sentence: may be a fair merge of two sentences, often a swap. */
const inNeighbour = 0.45;
const polarityConflict = 0.25;
/** A "not" whose word the source never negates: weaker evidence than a conflict, since wording varies. */
const unverifiedNegation = 0.6;

/** The GroundingChecker `ask` and `grounding --batch` use. */
export function createGroundingChecker(options: GroundingOptions = {}): GroundingChecker {
  const cache = options.embedder ? new VectorCache(options.embedder) : null;
  return {
    async check(context, response, signal): Promise<GroundingReport> {
      const sentences = await attributeSentences(
        context,
        splitSentences(response),
        { ...options, cache },
        signal,
      );
      return summarize(sentences);
    },
  };
}

/** supported = share of claim sentences supported (1 without claims); unsupported = their text. */
export function summarize(sentences: SentenceGrounding[]): GroundingReport {
  const claims = sentences.filter((s) => s.claim);
  const supported = claims.filter((s) => s.supported).length;
  return {
    supported: claims.length === 0 ? 1 : supported / claims.length,
    unsupported: claims.filter((s) => !s.supported).map((s) => s.sentence),
    sentences,
  };
}

/** The weakest claim's score (1 without claims): one graded number per reply, for ranking and QA sampling. */
export function responseScore(report: GroundingReport): number {
  return report.sentences.filter((s) => s.claim).reduce((min, s) => Math.min(min, s.score), 1);
}

/**
 * Grounds each of `sentences` (already split, citation markers allowed) in `context`: its score, the passages
 * that back it strongest first, and the context sentence to quote. The answer engine uses this on its own
 * sentence split to attach citations.
 */
export async function attributeSentences(
  context: string[],
  sentences: string[],
  options: GroundingOptions & { cache?: VectorCache | null } = {},
  signal?: AbortSignal,
): Promise<SentenceGrounding[]> {
  const cal = { ...defaultCalibration, ...options.calibration };
  const threshold = options.threshold ?? cal.threshold;
  const prepared = prepareContext(context);
  const checks = sentences.map((s) => ({ sentence: s, text: stripCitationMarkers(s), claim: false }));
  for (const c of checks) c.claim = isClaim(c.text);
  const cache = options.cache ?? (options.embedder ? new VectorCache(options.embedder) : null);
  const cosines = cache
    ? await cache.cosines(
        checks.filter((c) => c.claim).map((c) => c.text),
        prepared.sentences.map((s) => s.text),
        signal,
      )
    : null;
  let claimIndex = 0;
  const results: SentenceGrounding[] = [];
  for (const c of checks) {
    if (!c.claim) {
      results.push(notAClaim(c.sentence));
      continue;
    }
    if (prepared.sentences.length === 0) {
      // No source text at all: nothing can back a claim, so a reply checked against nothing is not grounded.
      results.push({ ...notAClaim(c.sentence), claim: true, supported: false, score: 0, lexical: 0 });
      continue;
    }
    results.push(
      ground(c.sentence, c.text, prepared, cosines?.[claimIndex++] ?? null, { ...cal, threshold }),
    );
  }
  if (options.judge) await consultJudge(options.judge, results, prepared, threshold, options, signal);
  return results;
}

function notAClaim(sentence: string): SentenceGrounding {
  return {
    sentence,
    supported: true,
    score: 1,
    lexical: 0,
    semantic: null,
    judge: null,
    unmatchedFacts: [],
    sources: [],
    quote: null,
    claim: false,
  };
}

interface UnitScore {
  unit: SupportUnit;
  /** The member sentence the facts were checked against, and the quote. */
  primary: number;
  score: number;
  lexical: number;
  semantic: number | null;
  unmatched: string[];
}

function ground(
  sentence: string,
  text: string,
  ctx: PreparedContext,
  cosines: number[] | null,
  cal: GroundingCalibration,
): SentenceGrounding {
  const stems = [...new Set(contentStems(text))];
  const totalWeight = stems.reduce((sum, s) => sum + ctx.idf(s), 0) || 1;
  const lexicalOf = (words: Set<string>): number =>
    stems.reduce((sum, s) => sum + (words.has(s) ? ctx.idf(s) : 0), 0) / totalWeight;
  const perSentence = ctx.sentences.map((s) => lexicalOf(s.stems));
  const reply = { facts: extractFacts(text), polarity: polarity(text) };
  let best: UnitScore | null = null;
  const byPassage = new Map<number, number>();
  for (const unit of ctx.units) {
    const lexical = lexicalOf(unit.stems);
    const cosine = cosines ? Math.max(...unit.members.map((i) => cosines[i] ?? 0)) : null;
    const semantic =
      cosine === null ? null : clamp01((cosine - cal.cosineFloor) / (cal.cosineCeiling - cal.cosineFloor));
    const similarity =
      semantic === null ? lexical : cal.lexicalWeight * lexical + (1 - cal.lexicalWeight) * semantic;
    // Facts are held to the one member that shares most with the reply; its neighbour only half counts.
    const [primary = -1, neighbour = -1] = [...unit.members].sort(
      (a, b) => (perSentence[b] ?? 0) + (cosines?.[b] ?? 0) - (perSentence[a] ?? 0) - (cosines?.[a] ?? 0),
    );
    const { factor, unmatched } = factSupport(reply, ctx, primary, neighbour);
    const score = similarity * factor;
    byPassage.set(unit.passage, Math.max(byPassage.get(unit.passage) ?? 0, score));
    if (!best || score > best.score) best = { unit, primary, score, lexical, semantic: cosine, unmatched };
  }
  if (!best) return { ...notAClaim(sentence), claim: true, supported: false, score: 0 };
  const top = best.score;
  const sources = [...byPassage.entries()]
    .filter(([, score]) => score >= top * 0.8 && score > 0)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 3)
    .map(([p]) => p);
  if (!sources.includes(best.unit.passage)) sources.unshift(best.unit.passage);
  return {
    sentence,
    supported: best.score >= cal.threshold,
    score: round(best.score),
    lexical: round(best.lexical),
    semantic: best.semantic === null ? null : round(best.semantic),
    judge: null,
    unmatchedFacts: best.unmatched,
    sources,
    quote: ctx.sentences[best.primary]?.text ?? null,
    claim: true,
  };
}

/**
 * The factor the reply's facts leave of its support by context sentence `primary` (helped a little by
 * `neighbour`), and the facts that sentence does not back.
 */
function factSupport(
  reply: { facts: Fact[]; polarity: ReturnType<typeof polarity> },
  ctx: PreparedContext,
  primary: number,
  neighbour: number,
): { factor: number; unmatched: string[] } {
  const main = ctx.sentences[primary];
  if (!main) return { factor: 0, unmatched: reply.facts.map((f) => f.text) };
  const next = ctx.sentences[neighbour];
  let factor = 1;
  const unmatched: string[] = [];
  const used = new Set<number>();
  const usedNext = new Set<number>();
  for (const fact of reply.facts) {
    const i = findFact(fact, main.facts, main.stems, used);
    if (i >= 0) {
      if (fact.kind !== 'entity' && fact.kind !== 'date') used.add(i);
      continue;
    }
    unmatched.push(fact.text);
    const j = next ? findFact(fact, next.facts, next.stems, usedNext) : -1;
    if (j >= 0) {
      if (fact.kind !== 'entity' && fact.kind !== 'date') usedNext.add(j);
      factor *= inNeighbour;
    } else if (fact.kind !== 'entity') factor *= missingFigure;
    else factor *= findFact(fact, ctx.allFacts, ctx.allStems) >= 0 ? nameElsewhere : missingName;
  }
  const { conflicts, unverified } = comparePolarity(reply.polarity, main.polarity);
  for (const c of conflicts) {
    unmatched.push(c);
    factor *= polarityConflict;
  }
  for (const u of unverified) {
    unmatched.push(u);
    factor *= unverifiedNegation;
  }
  return { factor, unmatched: [...new Set(unmatched)] };
}

async function consultJudge(
  judge: TextGenerator,
  results: SentenceGrounding[],
  ctx: PreparedContext,
  threshold: number,
  options: GroundingOptions,
  signal?: AbortSignal,
): Promise<void> {
  let calls = options.maxJudgeCalls ?? 3;
  const borderline = results
    .filter((r) => r.claim && Math.abs(r.score - threshold) < judgeBand)
    .sort((a, b) => Math.abs(a.score - threshold) - Math.abs(b.score - threshold));
  for (const r of borderline) {
    if (calls-- <= 0) break;
    signal?.throwIfAborted();
    const source = r.sources
      .slice(0, 2)
      .map((p) =>
        ctx.sentences
          .filter((s) => s.passage === p)
          .map((s) => s.text)
          .join(' '),
      )
      .join('\n\n');
    const verdict = await askJudge(
      judge,
      source,
      stripCitationMarkers(r.sentence),
      options.judgeTimeoutMs ?? 5000,
      signal,
    );
    if (verdict === null) continue;
    r.judge = verdict;
    // Half the judge, half the measured signals: inside the band the judge tips the balance, but a fact the
    // context does not state keeps the sentence unsupported whatever a small model believes.
    let score = (r.score + (verdict ? 1 : 0)) / 2;
    if (r.unmatchedFacts.length > 0) score = Math.min(score, threshold - 0.01);
    r.score = round(score);
    r.supported = score >= threshold;
  }
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
