import type { MessageClassification } from '../../contract/answer.js';
import { fnv1a } from './features.js';

/**
 * Measuring the classifier on a labelled intent set (the Bitext customer-support utterances in the benchmark).
 * The set only measures: nothing here feeds training. It is split in two halves by a hash of the text, so the
 * split is the same on every machine and independent of row order: "dev" may be read for error analysis,
 * "test" is only reported.
 */

export interface LabelledUtterance {
  text: string;
  intent: string;
}

export type Half = 'dev' | 'test';

export interface BinaryScores {
  n: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface WantsHumanReport {
  embedderId: string | null;
  /** Intent that counts as "wants a human"; every other intent is a negative. */
  positiveIntent: string;
  wantsHuman: Record<Half | 'all', BinaryScores>;
  /** Rows of the confusable intent (asks for the support department's contact details) flagged as wanting a human. */
  confusion: { intent: string; rows: number; flaggedHuman: number };
  /** How complaint rows come out on sentiment: the share that is negative or frustrated is the figure to watch. */
  complaintSentiment: {
    rows: number;
    positive: number;
    neutral: number;
    negative: number;
    frustrated: number;
    unhappyShare: number;
  };
  /** False positives per intent on the dev half only (the test half stays unread), largest first. */
  falsePositivesByIntent: [string, number][];
  classifyMs: number;
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Rows of a CSV with `utterance` and `intent` columns (the header names them). */
export function utterancesFromCsv(text: string): LabelledUtterance[] {
  const [header, ...rows] = parseCsv(text);
  const textAt = header?.indexOf('utterance') ?? -1;
  const intentAt = header?.indexOf('intent') ?? -1;
  if (textAt < 0 || intentAt < 0) throw new Error('CSV needs "utterance" and "intent" columns');
  return rows
    .map((r) => ({ text: r[textAt] ?? '', intent: r[intentAt] ?? '' }))
    .filter((u) => u.text.trim() !== '' && u.intent !== '');
}

/** Which half an utterance belongs to; stable (a hash of its text). */
export function halfOf(text: string): Half {
  return fnv1a(text) % 2 === 0 ? 'dev' : 'test';
}

export function binaryScores(truth: boolean[], predicted: boolean[]): BinaryScores {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  truth.forEach((t, i) => {
    const p = predicted[i] ?? false;
    if (t && p) tp++;
    else if (!t && p) fp++;
    else if (t && !p) fn++;
  });
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    n: truth.length,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision,
    recall,
    f1,
  };
}

export interface ScoreOptions {
  positiveIntent?: string;
  confusableIntent?: string;
  complaintIntent?: string;
  threshold?: number;
}

/** Scores classifications of `rows` (same order) for "wants a human", the confusable intent and complaints. */
export function scoreWantsHuman(
  rows: LabelledUtterance[],
  results: MessageClassification[],
  embedderId: string | null,
  classifyMs: number,
  options: ScoreOptions = {},
): WantsHumanReport {
  const positiveIntent = options.positiveIntent ?? 'contact_human_agent';
  const confusableIntent = options.confusableIntent ?? 'contact_customer_service';
  const complaintIntent = options.complaintIntent ?? 'complaint';
  const threshold = options.threshold ?? 0.5;
  const flagged = results.map((r) => r.wantsHuman >= threshold);
  const truth = rows.map((r) => r.intent === positiveIntent);
  const pick = (half: Half | 'all') => {
    const at = rows.map((r, i) => (half === 'all' || halfOf(r.text) === half ? i : -1)).filter((i) => i >= 0);
    return binaryScores(
      at.map((i) => truth[i] ?? false),
      at.map((i) => flagged[i] ?? false),
    );
  };
  const fpByIntent = new Map<string, number>();
  rows.forEach((r, i) => {
    if (!truth[i] && flagged[i] && halfOf(r.text) === 'dev')
      fpByIntent.set(r.intent, (fpByIntent.get(r.intent) ?? 0) + 1);
  });
  const confusable = rows.map((r, i) => ({ r, i })).filter(({ r }) => r.intent === confusableIntent);
  const complaints = rows.map((r, i) => ({ r, i })).filter(({ r }) => r.intent === complaintIntent);
  const sentimentCount = { positive: 0, neutral: 0, negative: 0, frustrated: 0 };
  for (const { i } of complaints) {
    const s = results[i]?.sentiment;
    if (s) sentimentCount[s]++;
  }
  return {
    embedderId,
    positiveIntent,
    wantsHuman: { dev: pick('dev'), test: pick('test'), all: pick('all') },
    confusion: {
      intent: confusableIntent,
      rows: confusable.length,
      flaggedHuman: confusable.filter(({ i }) => flagged[i]).length,
    },
    complaintSentiment: {
      rows: complaints.length,
      ...sentimentCount,
      unhappyShare:
        complaints.length > 0 ? (sentimentCount.negative + sentimentCount.frustrated) / complaints.length : 0,
    },
    falsePositivesByIntent: [...fpByIntent.entries()].sort((a, b) => b[1] - a[1]),
    classifyMs,
  };
}
