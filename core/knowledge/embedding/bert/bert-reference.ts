import type { BertWeights, LayerNormWeights, Linear } from './bert-weights.js';

/**
 * A plain forward pass of a BERT encoder over one unpadded sequence, in float64, from the weights in their
 * PyTorch layout. Deliberately shares no code with the graph writer: it is the independent check that the
 * converted ONNX graph computes what the checkpoint means. Slow (no SIMD, no batching) and only for checks.
 * Returns last_hidden_state as [sequence × hidden], row-major.
 */
export function referenceForward(w: BertWeights, inputIds: number[], tokenTypeIds?: number[]): Float32Array {
  const { hiddenSize: h, numHeads, layerNormEps: eps } = w.config;
  const n = inputIds.length;
  let x: Float64Array = new Float64Array(n * h);
  for (let s = 0; s < n; s++) {
    const id = inputIds[s] ?? 0;
    const type = tokenTypeIds?.[s] ?? 0;
    for (let j = 0; j < h; j++)
      x[s * h + j] =
        (w.wordEmbeddings[id * h + j] ?? 0) +
        (w.positionEmbeddings[s * h + j] ?? 0) +
        (w.tokenTypeEmbeddings[type * h + j] ?? 0);
  }
  x = layerNormRows(x, n, w.embeddingNorm, eps);
  for (const layer of w.layers) {
    const q = linear(x, n, layer.query);
    const k = linear(x, n, layer.key);
    const v = linear(x, n, layer.value);
    const context = attention(q, k, v, n, h, numHeads);
    const attended = add(linear(context, n, layer.attentionOutput), x);
    const x1 = layerNormRows(attended, n, layer.attentionNorm, eps);
    const inner = linear(x1, n, layer.intermediate).map(geluExact);
    x = layerNormRows(add(linear(inner, n, layer.output), x1), n, layer.outputNorm, eps);
  }
  return Float32Array.from(x);
}

function linear(x: Float64Array, rows: number, lin: Linear): Float64Array {
  const { inFeatures: inF, outFeatures: outF, weight, bias } = lin;
  const y = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let sum = bias[o] ?? 0;
      for (let i = 0; i < inF; i++) sum += (x[r * inF + i] ?? 0) * (weight[o * inF + i] ?? 0);
      y[r * outF + o] = sum;
    }
  }
  return y;
}

function attention(q: Float64Array, k: Float64Array, v: Float64Array, n: number, h: number, heads: number) {
  const d = h / heads;
  const out = new Float64Array(n * h);
  const scores = new Float64Array(n);
  for (let head = 0; head < heads; head++) {
    const off = head * d;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let t = 0; t < d; t++) dot += (q[i * h + off + t] ?? 0) * (k[j * h + off + t] ?? 0);
        scores[j] = dot / Math.sqrt(d);
        max = Math.max(max, scores[j] ?? 0);
      }
      let total = 0;
      for (let j = 0; j < n; j++) {
        scores[j] = Math.exp((scores[j] ?? 0) - max);
        total += scores[j] ?? 0;
      }
      for (let t = 0; t < d; t++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += ((scores[j] ?? 0) / total) * (v[j * h + off + t] ?? 0);
        out[i * h + off + t] = sum;
      }
    }
  }
  return out;
}

function layerNormRows(x: Float64Array, rows: number, norm: LayerNormWeights, eps: number): Float64Array {
  const h = norm.gamma.length;
  const y = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let j = 0; j < h; j++) mean += x[r * h + j] ?? 0;
    mean /= h;
    let variance = 0;
    for (let j = 0; j < h; j++) variance += ((x[r * h + j] ?? 0) - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / h + eps);
    for (let j = 0; j < h; j++)
      y[r * h + j] = ((x[r * h + j] ?? 0) - mean) * inv * (norm.gamma[j] ?? 0) + (norm.beta[j] ?? 0);
  }
  return y;
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((value, i) => value + (b[i] ?? 0));
}

function geluExact(u: number): number {
  return 0.5 * u * (1 + erf(u / Math.SQRT2));
}

/** erf by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7): far below the tolerance the checks use. */
export function erf(z: number): number {
  const sign = z < 0 ? -1 : 1;
  const x = Math.abs(z);
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-x * x));
}
