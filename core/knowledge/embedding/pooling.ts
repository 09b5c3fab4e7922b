/** How a model folds its token vectors into one text vector (manifest `pooling`). */
export type Pooling = 'mean' | 'cls';

/**
 * Pools one text's rows out of a [batch, sequence, dims] output: the mean over the tokens the attention mask
 * keeps (padding must not dilute it), or the first ([CLS]) token.
 */
export function poolRow(
  hidden: Float32Array,
  row: number,
  sequence: number,
  dims: number,
  mask: ArrayLike<number | bigint>,
  pooling: Pooling,
): Float32Array {
  const out = new Float32Array(dims);
  const base = row * sequence * dims;
  if (pooling === 'cls') {
    out.set(hidden.subarray(base, base + dims));
    return out;
  }
  let kept = 0;
  for (let s = 0; s < sequence; s++) {
    if (Number(mask[row * sequence + s] ?? 0) === 0) continue;
    kept++;
    const offset = base + s * dims;
    for (let d = 0; d < dims; d++) out[d] = (out[d] ?? 0) + (hidden[offset + d] ?? 0);
  }
  // sentence-transformers clamps the divisor at 1e-9; a text always keeps at least [CLS], so max(…, 1) is the same.
  const divisor = Math.max(kept, 1);
  for (let d = 0; d < dims; d++) out[d] = (out[d] ?? 0) / divisor;
  return out;
}

/** Scales a vector to unit length in place (a zero vector stays zero) and returns it. */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) / norm;
  return vector;
}

/** Cosine similarity of two vectors of the same length. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
