/**
 * A labelled grounding set built from the ABCD agent guidelines (../shared/datasets/abcd-kb/guidelines.json):
 * for each subflow, its text is the context, and replies are sentences of that text (label 1, as written or
 * lightly reworded) or the same sentences with one fact changed (label 0): a number, an entity, a negation, or a
 * sentence from another flow (topic drift). Deterministic for a seed. Flows alternate between a dev half (for
 * calibrating the checker) and a test half (for reporting), so a threshold is never judged on what set it.
 */
import { readFileSync } from 'node:fs';
import type { GroundingChecker } from '../../../core/contract/answer.js';
import {
  contentStems,
  isClaim,
  responseScore,
  splitSentences,
} from '../../../core/answer/grounding/index.js';
import { seededRandom } from '../../../core/seeded-random.js';

export type GroundingKind = 'verbatim' | 'rephrased' | 'number' | 'entity' | 'negation' | 'drift';

export interface GroundingExample {
  id: string;
  flow: string;
  split: 'dev' | 'test';
  context: string[];
  response: string;
  /** 1 = every claim is backed by the context; 0 = one fact is not. */
  label: 0 | 1;
  kind: GroundingKind;
}

interface Guidelines {
  [flow: string]: {
    description: string;
    subflows: Record<string, { instructions?: string[]; actions?: { text: string; subtext: string[] }[] }>;
  };
}

interface Subflow {
  flow: string;
  name: string;
  split: 'dev' | 'test';
  context: string[];
  sentences: string[];
}

/** Sentences picked per subflow; each yields one supported and one unsupported reply. */
const perSubflow = 4;

/** The set, in a fixed order: same file and seed, same examples. */
export function buildGroundingSet(path: string, seed = 1): GroundingExample[] {
  const guidelines = JSON.parse(readFileSync(path, 'utf8')) as Guidelines;
  const subflows: Subflow[] = Object.entries(guidelines).flatMap(([flow, body], f) =>
    Object.entries(body.subflows).map(([name, sub]) => {
      const context = [
        ...(sub.actions ?? []).map((a) => [a.text, ...a.subtext.map((s) => `- ${s}`)].join('\n')),
        ...(sub.instructions ?? []),
      ];
      const sentences = context
        .flatMap((p) => splitSentences(p))
        .filter((s) => isClaim(s) && s.split(/\s+/).length >= 5);
      return { flow, name, split: f % 2 === 0 ? ('dev' as const) : ('test' as const), context, sentences };
    }),
  );
  const entityPool = [...new Set(subflows.flatMap((s) => s.sentences.flatMap(namesIn)))].sort();
  const examples: GroundingExample[] = [];
  const unsupportedKinds: GroundingKind[] = ['entity', 'negation', 'drift'];
  let turn = 0;
  for (const sub of subflows) {
    const rng = random(`${seed}:${sub.flow}:${sub.name}`);
    const contextStems = new Set(sub.context.flatMap((p) => contentStems(p)));
    // Figures are rare in the guidelines and the commonest hallucination, so sentences with one go first.
    const shuffled = shuffle(sub.sentences, rng);
    const picked = [...shuffled.filter(hasNumber), ...shuffled.filter((t) => !hasNumber(t))].slice(
      0,
      perSubflow,
    );
    picked.forEach((sentence, i) => {
      // Some replies open with a second true sentence, so one bad fact must be found among good ones.
      const others = sub.sentences.filter((s) => s !== sentence);
      const lead = rng() < 0.4 && others.length > 0 ? `${asSentence(pick(others, rng))} ` : '';
      const id = `${sub.flow}/${sub.name}/${i}`;
      const base = { flow: sub.flow, split: sub.split, context: sub.context };
      const reworded = rng() < 0.5 ? rephrase(sentence, rng) : null;
      examples.push({
        ...base,
        id: `${id}/+`,
        response: lead + (reworded ?? sentence),
        label: 1,
        kind: reworded ? 'rephrased' : 'verbatim',
      });
      // A figure is changed where there is one; otherwise kinds rotate, a kind that cannot apply passing on.
      const kinds: GroundingKind[] = hasNumber(sentence) ? ['number'] : [];
      for (let k = 0; k < unsupportedKinds.length; k++)
        kinds.push(unsupportedKinds[(turn + k) % unsupportedKinds.length] ?? 'drift');
      for (const kind of kinds) {
        const changed = corrupt(kind, sentence, sub, subflows, entityPool, contextStems, rng);
        if (!changed || changed === sentence) continue;
        examples.push({ ...base, id: `${id}/-`, response: lead + changed, label: 0, kind });
        if (kind !== 'number') turn++;
        break;
      }
    });
  }
  return examples;
}

function corrupt(
  kind: GroundingKind,
  sentence: string,
  sub: Subflow,
  all: Subflow[],
  entityPool: string[],
  contextStems: Set<string>,
  rng: () => number,
): string | null {
  if (kind === 'number') return changeNumber(sentence, sub.context.join('\n'), rng);
  if (kind === 'entity') {
    const own = namesIn(sentence);
    const target = own.length > 0 ? pick(own, rng) : null;
    const foreign = entityPool.filter((e) => !contentStems(e).every((s) => contextStems.has(s)));
    if (!target || foreign.length === 0) return null;
    return sentence.replace(target, pick(foreign, rng));
  }
  if (kind === 'negation') return flipNegation(sentence);
  // Drift: a sentence of another flow that is not a near copy of one in this context.
  const contextSentences = sub.context.flatMap((p) => splitSentences(p)).map((s) => new Set(contentStems(s)));
  const candidates = all
    .filter((s) => s.flow !== sub.flow)
    .flatMap((s) => s.sentences)
    .filter((s) => {
      const stems = new Set(contentStems(s));
      return contextSentences.every((c) => jaccard(stems, c) < 0.5);
    });
  return candidates.length > 0 ? pick(candidates, rng) : null;
}

function changeNumber(sentence: string, context: string, rng: () => number): string | null {
  const numbers = [...sentence.matchAll(/(?<![\w.])\d+(?:\.\d+)?(?![\w])/g)];
  const target = numbers.length > 0 ? pick(numbers, rng) : null;
  if (!target || target.index === undefined) return null;
  const value = Number(target[0]);
  const inContext = [...context.matchAll(/\d+/g)].map((m) => Number(m[0])).filter((n) => n !== value);
  const arithmetic = [value * 2, value + (value < 10 ? 1 : 10), value * 3].filter((n) => n !== value);
  const choices = inContext.length > 0 && rng() < 0.5 ? inContext : arithmetic;
  const next = String(pick(choices, rng));
  return sentence.slice(0, target.index) + next + sentence.slice(target.index + target[0].length);
}

/**
 * Names as the guidelines write them: button names in brackets and capitalised words inside a sentence. Found
 * here independently of the checker's own entity finder, so the set does not test the checker against itself.
 */
function namesIn(sentence: string): string[] {
  const brackets = [...sentence.matchAll(/\[([A-Z][^\]]{1,40})\]/g)].map((m) => m[1] ?? '');
  const inner = [...sentence.matchAll(/(?<=[a-z,] )[A-Z][a-z]+(?: [A-Z][a-z]+)*/g)].map((m) => m[0]);
  return [...brackets, ...inner];
}

function hasNumber(sentence: string): boolean {
  return /(?<![\w.])\d+(?:\.\d+)?(?!\w)/.test(sentence);
}

function asSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text.replace(/[:;,]$/, '')}.`;
}

/** Removes the sentence's negation, or adds one after its first auxiliary, or to its imperative. */
export function flipNegation(sentence: string): string | null {
  const removals: [RegExp, string][] = [
    [/\bcannot\b|\bcan['’]t\b|\bcan not\b/i, 'can'],
    [/\b(do|does|did|is|are|was|were|should|will|would|could|must|may|might|has|have|need)\s+not\b/i, '$1'],
    [/\bdon['’]t\b/i, 'do'],
    [/\bdoesn['’]t\b/i, 'does'],
    [/\bisn['’]t\b/i, 'is'],
    [/\baren['’]t\b/i, 'are'],
    [/\bwon['’]t\b/i, 'will'],
    [/\bshouldn['’]t\b/i, 'should'],
    [/\bnever\b/i, 'always'],
    [/\bnothing\b/, 'something'],
    [/\bNothing\b/, 'Something'],
    [/\bno\b/, 'a'],
    [/\bNo\b/, 'A'],
  ];
  for (const [pattern, replacement] of removals)
    if (pattern.test(sentence)) return sentence.replace(pattern, replacement);
  const aux = /\b(is|are|was|were|can|will|should|must|may|could|would|has|have|does)\b/;
  if (aux.test(sentence)) return sentence.replace(aux, (m) => (m === 'can' ? 'cannot' : `${m} not`));
  const first = /^\p{Lu}\p{Ll}+/u.exec(sentence)?.[0].toLowerCase() ?? '';
  if (first && !nonVerbOpeners.has(first))
    return `Do not ${sentence[0]?.toLowerCase() ?? ''}${sentence.slice(1)}`;
  return null;
}

/** Openers that are no imperative verb, so "Do not" cannot go before them. */
const nonVerbOpeners = new Set(
  'if in when then as for once after before while since the a an this that these those there it they you we your their our all each every some most many both either neither only also typically usually sometimes often otherwise again'.split(
    ' ',
  ),
);

/** Generic rewordings, none specific to this knowledge base. */
const synonyms: [RegExp, string][] = [
  [/\bcustomer\b/, 'client'],
  [/\bmake sure\b/i, 'ensure'],
  [/\bask\b/, 'request'],
  [/\bcheck\b/, 'verify'],
  [/\bselect\b/, 'choose'],
  [/\bfind out\b/, 'determine'],
  [/\bwant\b/, 'wish'],
  [/\bhelp\b/, 'assist'],
  [/\bbegin\b/, 'start'],
  [/\benter\b/, 'type'],
  [/\bitem\b/, 'product'],
];

/** A light deterministic rewording: move an "If ..., ..." condition to the end, else swap one or two words. */
export function rephrase(sentence: string, rng: () => number): string | null {
  const conditional = /^If ([^,]{3,80}), (?:then )?(.{8,})$/.exec(sentence);
  if (conditional && rng() < 0.7) {
    const [, condition = '', rest = ''] = conditional;
    const end = /[.!]$/.test(rest) ? rest.slice(0, -1) : rest;
    return `${rest[0]?.toUpperCase() ?? ''}${end.slice(1)} if ${condition}.`;
  }
  let out = sentence;
  let swaps = 0;
  for (const [pattern, word] of shuffle(synonyms, rng)) {
    if (swaps >= 2 || !pattern.test(out)) continue;
    out = out.replace(pattern, (m) => (/^\p{Lu}/u.test(m) ? word[0]?.toUpperCase() + word.slice(1) : word));
    swaps++;
  }
  return swaps > 0 ? out : null;
}

/**
 * Area under the ROC curve of `scores` for `labels` (1 = positive): the chance a random positive scores above a
 * random negative, ties counting half (Mann-Whitney U). NaN without both classes.
 */
export function rocAuc(scores: number[], labels: (0 | 1)[]): number {
  if (scores.length !== labels.length) throw new Error('scores and labels differ in length');
  const order = scores.map((s, i) => ({ s, l: labels[i] ?? 0 })).sort((a, b) => a.s - b.s);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j]?.s === order[i]?.s) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++)
      if (order[k]?.l === 1) {
        positives++;
        rankSum += averageRank;
      }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface GroundingMeasurement {
  split: 'dev' | 'test';
  examples: number;
  auc: number;
  /** Accuracy of "all claims supported" against the labels, at the checker's own threshold. */
  accuracy: number;
  /** Recall of the unsupported replies per kind of change. */
  caughtByKind: Partial<Record<GroundingKind, number>>;
  meanMs: number;
  p95Ms: number;
}

/** Runs `checker` over the set and reports ROC AUC of the per-reply score (the weakest claim's) per split. */
export async function measureGrounding(
  checker: GroundingChecker,
  set: GroundingExample[],
): Promise<GroundingMeasurement[]> {
  const rows: { ex: GroundingExample; score: number; allSupported: boolean; ms: number }[] = [];
  for (const ex of set) {
    const started = performance.now();
    const report = await checker.check(ex.context, ex.response);
    rows.push({
      ex,
      score: responseScore(report),
      allSupported: report.supported === 1,
      ms: performance.now() - started,
    });
  }
  return (['dev', 'test'] as const).map((split) => {
    const part = rows.filter((r) => r.ex.split === split);
    const ms = part.map((r) => r.ms).sort((a, b) => a - b);
    const caughtByKind: Partial<Record<GroundingKind, number>> = {};
    for (const kind of ['number', 'entity', 'negation', 'drift'] as const) {
      const ofKind = part.filter((r) => r.ex.kind === kind);
      if (ofKind.length > 0)
        caughtByKind[kind] = ofKind.filter((r) => !r.allSupported).length / ofKind.length;
    }
    return {
      split,
      examples: part.length,
      auc: rocAuc(
        part.map((r) => r.score),
        part.map((r) => r.ex.label),
      ),
      accuracy: part.filter((r) => (r.allSupported ? 1 : 0) === r.ex.label).length / (part.length || 1),
      caughtByKind,
      meanMs: ms.reduce((a, b) => a + b, 0) / (ms.length || 1),
      p95Ms: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.95))] ?? 0,
    };
  });
}

function random(key: string): () => number {
  // FNV-1a of the key seeds mulberry32: a small, well-mixed generator that needs no dependency.
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return seededRandom(h >>> 0);
}

function pick<T>(items: T[], rng: () => number): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function shuffle<T>(items: T[], rng: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared || 1);
}
