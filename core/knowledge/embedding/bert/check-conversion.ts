import * as ort from 'onnxruntime-node';
import { batchTensors } from '../batching.js';
import { cosine, poolRow } from '../pooling.js';
import { referenceForward } from './bert-reference.js';
import type { BertWeights } from './bert-weights.js';

/** How far a converted graph is from the reference forward pass over a set of sentences. */
export interface ConversionCheck {
  sentences: number;
  /** Largest |onnx − reference| over every kept token's hidden state. */
  maxAbsDiff: number;
  /** Smallest cosine between the two mean-pooled sentence vectors. */
  minCosine: number;
}

/**
 * Runs the ONNX graph on all `sentences` in one padded batch (so the attention mask is exercised) and the
 * reference forward pass on each one unpadded, and compares them on the tokens the mask keeps. `references`
 * can be passed in so several graphs of one checkpoint share the slow reference pass.
 */
export async function checkConversion(
  model: Uint8Array,
  weights: BertWeights,
  encoded: number[][],
  references: Float32Array[] = encoded.map((ids) => referenceForward(weights, ids)),
): Promise<ConversionCheck> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  try {
    const batch = encoded.map((_, i) => i);
    const t = batchTensors(encoded, batch);
    const shape = [t.texts, t.sequence];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', t.inputIds, shape),
      attention_mask: new ort.Tensor('int64', t.attentionMask, shape),
    };
    if (session.inputNames.includes('token_type_ids'))
      feeds.token_type_ids = new ort.Tensor('int64', t.tokenTypeIds, shape);
    const output = (await session.run(feeds))[session.outputNames[0] ?? ''];
    if (!output) throw new Error('the converted model returned no output');
    const hidden = output.data as Float32Array;
    const h = weights.config.hiddenSize;
    let maxAbsDiff = 0;
    let minCosine = 1;
    encoded.forEach((ids, row) => {
      const reference = references[row] ?? new Float32Array();
      for (let s = 0; s < ids.length; s++)
        for (let d = 0; d < h; d++) {
          const got = hidden[(row * t.sequence + s) * h + d] ?? NaN;
          // A NaN output must fail the check; Math.max propagates NaN, so it does.
          maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got - (reference[s * h + d] ?? NaN)));
        }
      const onnxVector = poolRow(hidden, row, t.sequence, h, t.attentionMask, 'mean');
      const referenceVector = poolRow(
        reference,
        0,
        ids.length,
        h,
        new Array<number>(ids.length).fill(1),
        'mean',
      );
      minCosine = Math.min(minCosine, cosine(onnxVector, referenceVector));
    });
    return { sentences: encoded.length, maxAbsDiff, minCosine };
  } finally {
    await session.release();
  }
}

/** The bar a converted model must clear before it is installed. */
export const conversionThresholds = {
  fp32: { maxAbsDiff: 1e-3, minCosine: 0.9999 },
  int8: { maxAbsDiff: Infinity, minCosine: 0.99 },
} as const;

/** Whether a check passes for a precision; NaN anywhere fails. */
export function conversionPasses(check: ConversionCheck, precision: 'fp32' | 'int8'): boolean {
  const bar = conversionThresholds[precision];
  return (
    check.maxAbsDiff <= bar.maxAbsDiff && check.minCosine >= bar.minCosine && !Number.isNaN(check.minCosine)
  );
}
