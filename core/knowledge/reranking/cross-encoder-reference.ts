import { referenceForward } from '../embedding/bert/bert-reference.js';
import type { Linear } from '../embedding/bert/bert-weights.js';
import type { TinyCrossEncoder } from './tiny-cross-encoder.js';

/**
 * A cross-encoder's logits for one unpadded pair, in float64: the reference BERT forward pass, then the
 * pooler (dense + tanh on [CLS]) and the classifier written out by hand. Shares no code with the graph
 * writer, so it is the independent check that the ONNX head computes what the weights mean.
 */
export function referenceLogits(model: TinyCrossEncoder, inputIds: number[], typeIds: number[]): number[] {
  const h = model.weights.config.hiddenSize;
  const hidden = referenceForward(model.weights, inputIds, typeIds);
  const cls = Array.from(hidden.subarray(0, h));
  const pooled = dense(cls, model.head.pooler).map(Math.tanh);
  return dense(pooled, model.head.classifier);
}

/** The score a reranker reports for these logits: the one logit, or relevant minus irrelevant. */
export function referenceScore(logits: number[]): number {
  return logits.length === 2 ? (logits[1] ?? 0) - (logits[0] ?? 0) : (logits[0] ?? Number.NaN);
}

function dense(x: number[], lin: Linear): number[] {
  return Array.from({ length: lin.outFeatures }, (_, o) => {
    let sum = lin.bias[o] ?? 0;
    for (let i = 0; i < lin.inFeatures; i++) sum += (x[i] ?? 0) * (lin.weight[o * lin.inFeatures + i] ?? 0);
    return sum;
  });
}
