/**
 * How sure a draft is, 0..1, and its parts (AnswerDraft.confidenceParts). The issue's starting formula is
 * knowledge coverage 0.4 + specificity 0.3 + absence of hedging 0.3; grounding is added as a multiplier rather
 * than a fourth addend, because the three base parts describe how the answer reads and how well the question
 * was covered, while grounding says whether what it reads is true to the sources: a fluent, specific, unhedged
 * answer whose claims the context does not back is the most dangerous draft, and an additive grounding weight
 * would let it still score high. Below 0.5 the agent or visitor is offered a human.
 */
import type { GroundingReport, RetrievalGrade } from '../contract/answer.js';
import { contentStems, splitSentences, stripCitationMarkers } from './grounding/index.js';

export interface ConfidenceInput {
  question: string;
  answer: string;
  retrieval: {
    grade: RetrievalGrade;
    /** Retrieval scores of the top hits; used only when they are on a 0..1 scale (e.g. reranker probabilities). */
    topScores?: number[];
    /** Share of the question's content covered by the retrieved context, 0..1, when the caller measured it. */
    coverage?: number;
  };
  grounding: GroundingReport;
}

export interface ConfidenceParts {
  coverage: number;
  specificity: number;
  noHedging: number;
  grounding: number;
}

export const confidenceWeights = { coverage: 0.4, specificity: 0.3, noHedging: 0.3 } as const;
/**
 * What is left of the base score with no claim grounded. Fully ungrounded caps confidence at 0.25 (always
 * escalation); half the claims unsupported caps it at 0.625, so only an otherwise strong answer keeps it.
 */
const groundingFloor = 0.25;

/** Upper bound of coverage per corrective-retrieval grade: "irrelevant" context cannot cover a question well. */
const gradeCap: Record<RetrievalGrade, number> = { relevant: 1, ambiguous: 0.7, irrelevant: 0.2 };

/** The draft's confidence and its parts, each 0..1 and rounded to 3 decimals. */
export function scoreConfidence(input: ConfidenceInput): { confidence: number; parts: ConfidenceParts } {
  const answer = input.answer.trim();
  if (!answer) return { confidence: 0, parts: { coverage: 0, specificity: 0, noHedging: 0, grounding: 0 } };
  const parts: ConfidenceParts = {
    coverage: coverageOf(input),
    specificity: specificity(answer),
    noHedging: noHedging(answer),
    grounding: input.grounding.supported,
  };
  const base =
    confidenceWeights.coverage * parts.coverage +
    confidenceWeights.specificity * parts.specificity +
    confidenceWeights.noHedging * parts.noHedging;
  const confidence = base * (groundingFloor + (1 - groundingFloor) * parts.grounding);
  return {
    confidence: round(confidence),
    parts: {
      coverage: round(parts.coverage),
      specificity: round(parts.specificity),
      noHedging: round(parts.noHedging),
      grounding: round(parts.grounding),
    },
  };
}

/** SPEC: a draft below 0.5 offers the customer a human. */
export function offerEscalation(confidence: number): boolean {
  return confidence < 0.5;
}

/**
 * Share of the question's content words (stemmed) found in `context`: what the answer engine passes as
 * `retrieval.coverage`.
 */
export function questionCoverage(question: string, context: string[]): number {
  const asked = question.replace(questionPhrasing, ' ');
  const wanted = new Set(contentStems(asked).filter((s) => !askingWords.has(s)));
  if (wanted.size === 0) return 1;
  const have = new Set(context.flatMap((c) => contentStems(c)));
  return [...wanted].filter((w) => have.has(w)).length / wanted.size;
}

/** How a question is asked, as opposed to what it is about. */
const questionPhrasing =
  /\b(?:how (?:long|much|many|often|soon|do|does|can|should)|what (?:is|are|does|do)|where (?:is|are|can|do)|when (?:is|are|will|do|can)|is it possible to|is there a way to)\b/gi;
const askingWords = new Set(['want', 'need', 'know', 'take', 'tell', 'help', 'wonder', 'possibl', 'way']);

function coverageOf({ question, retrieval, grounding }: ConfidenceInput): number {
  // Without a measured coverage, the quotes the answer rests on stand in for the context.
  const quotes = grounding.sentences.flatMap((s) => (s.quote && s.supported ? [s.quote] : []));
  let coverage = retrieval.coverage ?? questionCoverage(question, quotes);
  const scores = retrieval.topScores ?? [];
  const top = scores[0];
  if (top !== undefined && scores.every((s) => s >= 0 && s <= 1)) coverage = 0.75 * coverage + 0.25 * top;
  return clamp01(Math.min(coverage, gradeCap[retrieval.grade]));
}

/** Actions and named things a customer can act on. */
const concreteMarkers: RegExp[] = [
  /\d/, // amounts, durations, counts, versions
  /\[[^\]\d][^\]]*\]|"[^"]{2,40}"|'[^']{2,40}'|`[^`]+`/, // button names, quoted settings, code
  /\S\s?(?:>|→)\s?\S/, // menu paths: Settings > Billing
  /^(?:click|tap|open|go to|select|choose|enter|type|press|navigate|sign in|log in|run|install|update|restart|visit|call|email|contact [a-z]+ at)\b/i,
  /\b(?:settings?|menu|tab|page|button|field|option|dashboard|account|portal|app)\b.*\b[A-Z][a-z]+/,
  /\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b/, // a named product, plan or setting
  /https?:\/\/|www\.|\S+@\S+\.\w+/,
];
/** Phrases that fill space without telling the customer what to do. */
const fillerPhrases =
  /\b(?:it depends|there are (?:many|several|various) (?:ways|options|reasons)|in general|generally speaking|various (?:factors|reasons)|contact (?:support|us|customer service)(?! at)|check (?:the|our) (?:documentation|website|help cent(?:er|re))|for more information|as needed|if necessary|and so on)\b/gi;

/**
 * Share of claim sentences with something concrete (a number, a named setting or button, a step), less a
 * penalty per filler phrase. An answer of only generic advice scores near 0; numbered steps near 1.
 */
export function specificity(answer: string): number {
  const sentences = splitSentences(answer).map(stripCitationMarkers);
  const claims = sentences.filter((s) => contentStems(s).length >= 2 && !s.endsWith('?'));
  if (claims.length === 0) return 0;
  const concrete = claims.filter((s) => concreteMarkers.some((m) => m.test(s))).length;
  const filler = answer.match(fillerPhrases)?.length ?? 0;
  return clamp01(0.15 + 0.85 * (concrete / claims.length) - 0.15 * filler);
}

/** Hedges, as phrases; matched case-insensitively on word boundaries. */
const hedges = [
  'maybe',
  'perhaps',
  'probably',
  'possibly',
  'presumably',
  'likely',
  'unlikely',
  'might',
  'it might',
  'it may',
  'may be',
  'could be',
  'i think',
  'i believe',
  'i guess',
  'i suppose',
  'i assume',
  'i am not sure',
  "i'm not sure",
  'not sure',
  'not certain',
  'not entirely sure',
  "i don't know",
  'i do not know',
  'as far as i know',
  'if i recall',
  'it seems',
  'seems to',
  'appears to',
  'should probably',
  'in theory',
  'hard to say',
  'roughly',
  'approximately',
  'it is possible that',
  "it's possible",
];
const hedgePattern = new RegExp(
  `(?:^|[^\\p{L}'’])(?:${hedges
    .sort((a, b) => b.length - a.length)
    .map((h) => h.replace(/'/g, "['’]").replace(/ /g, '\\s+'))
    .join('|')})(?![\\p{L}])`,
  'iu',
);

/** Hedge phrases found in `text`, lower-cased (for tests and the console's explanation). */
export function hedgesIn(text: string): string[] {
  const found: string[] = [];
  const global = new RegExp(hedgePattern.source, 'giu');
  for (const m of text.matchAll(global)) found.push(m[0].replace(/^[^\p{L}]+/u, '').toLowerCase());
  return found;
}

/** 1 minus the share of sentences that hedge: one hedged sentence in four leaves 0.75. */
export function noHedging(answer: string): number {
  const sentences = splitSentences(answer);
  if (sentences.length === 0) return 1;
  return 1 - sentences.filter((s) => hedgePattern.test(s)).length / sentences.length;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
