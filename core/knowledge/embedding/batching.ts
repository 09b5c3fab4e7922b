/** Limits on one forward pass: how many texts, and how many (padded) tokens in all. */
export interface BatchLimits {
  maxTexts: number;
  maxTokens: number;
}

/**
 * Groups texts into forward passes. Sorting by length first means each batch pads to a length close to its
 * texts' own, instead of every text padding to the longest in the whole request; longest first so a
 * memory-hungry batch shows up at once. Each batch is a list of indexes into `lengths`.
 */
export function planBatches(lengths: number[], limits: BatchLimits): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => (lengths[b] ?? 0) - (lengths[a] ?? 0));
  const batches: number[][] = [];
  let current: number[] = [];
  let padTo = 0;
  for (const index of order) {
    const length = lengths[index] ?? 0;
    const width = Math.max(padTo, length);
    if (
      current.length > 0 &&
      (current.length >= limits.maxTexts || (current.length + 1) * width > limits.maxTokens)
    ) {
      batches.push(current);
      current = [];
      padTo = 0;
    }
    current.push(index);
    padTo = Math.max(padTo, length);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The int64 input tensors of one batch, row-major [texts, sequence], padded on the right. */
export interface BatchTensors {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
  texts: number;
  sequence: number;
}

/** Pads the token ids of the batch's texts to its longest; the pad id never matters because it is masked. */
export function batchTensors(encoded: number[][], batch: number[]): BatchTensors {
  const sequence = Math.max(1, ...batch.map((i) => encoded[i]?.length ?? 0));
  const size = batch.length * sequence;
  const inputIds = new BigInt64Array(size);
  const attentionMask = new BigInt64Array(size);
  batch.forEach((textIndex, row) => {
    const ids = encoded[textIndex] ?? [];
    for (let s = 0; s < ids.length; s++) {
      inputIds[row * sequence + s] = BigInt(ids[s] ?? 0);
      attentionMask[row * sequence + s] = 1n;
    }
  });
  return { inputIds, attentionMask, tokenTypeIds: new BigInt64Array(size), texts: batch.length, sequence };
}
