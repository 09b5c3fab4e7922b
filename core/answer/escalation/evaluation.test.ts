import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../package-root.js';
import { createMessageClassifier } from './classifier.js';
import { binaryScores, halfOf, parseCsv, scoreWantsHuman, utterancesFromCsv } from './evaluation.js';

describe('parseCsv', () => {
  it('handles quoted fields, doubled quotes, commas and CRLF', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\nlast,\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['last', ''],
    ]);
  });
  it('reads utterance and intent columns by name', () => {
    expect(utterancesFromCsv('flags,utterance,intent\nB,"hello, there",greet\n')).toEqual([
      { text: 'hello, there', intent: 'greet' },
    ]);
  });
});

describe('scores', () => {
  it('computes precision, recall and F1', () => {
    expect(binaryScores([true, true, false, false], [true, false, true, false])).toMatchObject({
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
    });
  });
  it('splits by a hash of the text, the same every time', () => {
    expect(halfOf('I need help')).toBe(halfOf('I need help'));
  });
});

// The benchmark set only measures: the classifier never saw it (its examples are in ./training/).
const bitext = path.join(packageRoot, '..', 'shared', 'datasets', 'bitext-intents', 'utterances.csv');
const hasBitext = fs.existsSync(bitext);
if (!hasBitext) console.warn(`SKIPPED the Bitext "wants a human" target: no ${bitext}`);

describe.skipIf(!hasBitext)('Bitext "wants a human" target (n-gram features, no embedder)', () => {
  it('reaches precision and recall of at least 0.95 on the test half and on all rows', async () => {
    const rows = utterancesFromCsv(fs.readFileSync(bitext, 'utf8'));
    const classifier = await createMessageClassifier({ embedder: null });
    const results = await classifier.classifyBatch(rows.map((r) => ({ text: r.text })));
    const report = scoreWantsHuman(rows, results, null, 0);
    for (const half of ['test', 'all'] as const) {
      expect(report.wantsHuman[half].precision).toBeGreaterThanOrEqual(0.95);
      expect(report.wantsHuman[half].recall).toBeGreaterThanOrEqual(0.95);
    }
  });
});
