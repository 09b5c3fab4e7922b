import fs from 'node:fs';
import path from 'node:path';
import { createMessageClassifier } from '../../../core/answer/escalation/index.js';
import {
  scoreWantsHuman,
  utterancesFromCsv,
  type WantsHumanReport,
} from '../../../core/answer/escalation/evaluation.js';
import type { Embedder } from '../../../core/contract/retrieval.js';
import { datasetsDir } from './beir.js';

export type { WantsHumanReport } from '../../../core/answer/escalation/evaluation.js';

/** The labelled customer-support utterances (27 intents) the escalation benchmark measures on. */
export const bitextUtterancesFile = path.join(datasetsDir, 'bitext-intents', 'utterances.csv');

/**
 * Measures "wants a human" (intent contact_human_agent against every other intent) on the Bitext utterances:
 * precision, recall and F1 on the dev half, the test half and all rows, how contact_customer_service rows are
 * confused with it, and how complaint rows come out on sentiment. The set is never used for training; the
 * classifier learns from its own authored examples (core/answer/escalation/training/).
 */
export async function evaluateEscalation(
  options: { embedder?: Embedder | null; file?: string; batchSize?: number } = {},
): Promise<WantsHumanReport> {
  const rows = utterancesFromCsv(fs.readFileSync(options.file ?? bitextUtterancesFile, 'utf8'));
  const classifier = await createMessageClassifier({ embedder: options.embedder ?? null });
  const batchSize = options.batchSize ?? 256;
  const started = performance.now();
  const results = [];
  for (let i = 0; i < rows.length; i += batchSize)
    results.push(
      ...(await classifier.classifyBatch(rows.slice(i, i + batchSize).map((r) => ({ text: r.text })))),
    );
  return scoreWantsHuman(rows, results, classifier.embedderId, performance.now() - started);
}

/** A few lines for a benchmark log. */
export function formatEscalationReport(report: WantsHumanReport): string {
  const pct = (x: number) => (100 * x).toFixed(1);
  const line = (name: string, s: WantsHumanReport['wantsHuman']['all']) =>
    `  ${name.padEnd(4)} P ${pct(s.precision)}  R ${pct(s.recall)}  F1 ${pct(s.f1)}  (tp ${s.truePositives}, fp ${s.falsePositives}, fn ${s.falseNegatives}, n ${s.n})`;
  const c = report.complaintSentiment;
  return [
    `wants a human (${report.positiveIntent}), embedder ${report.embedderId ?? 'none (n-grams only)'}:`,
    line('dev', report.wantsHuman.dev),
    line('test', report.wantsHuman.test),
    line('all', report.wantsHuman.all),
    `  ${report.confusion.intent}: ${report.confusion.flaggedHuman}/${report.confusion.rows} flagged as wanting a human`,
    `  complaint sentiment: ${pct(c.unhappyShare)}% negative or frustrated (pos ${c.positive}, neu ${c.neutral}, neg ${c.negative}, fru ${c.frustrated})`,
    `  false positives by intent (dev): ${report.falsePositivesByIntent.map(([i, n]) => `${i} ${n}`).join(', ') || 'none'}`,
    `  classified ${report.wantsHuman.all.n} rows in ${(report.classifyMs / 1000).toFixed(1)} s`,
  ].join('\n');
}
