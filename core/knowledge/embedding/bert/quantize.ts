/** A weight matrix quantised for `MatMulInteger`: int8 in [in, out] layout with one scale per output column. */
export interface QuantizedMatrix {
  values: Int8Array;
  scales: Float32Array;
}

/**
 * Symmetric per-output-channel int8 quantisation of a PyTorch [out, in] weight, transposed to the [in, out]
 * layout MatMul wants. Symmetric (zero point 0) and clipped to ±127 so the u8×s8 kernels never see -128;
 * per-channel because a single scale for the whole matrix loses the small rows of BERT's projections.
 * `limit` 63 ("reduce range") keeps u8×s8 pair sums inside int16 for CPUs without VNNI, whose AVX2 kernel
 * (vpmaddubsw) saturates with full-range weights.
 */
export function quantizeLinearWeight(
  weight: Float32Array,
  outFeatures: number,
  inFeatures: number,
  limit = 127,
): QuantizedMatrix {
  const values = new Int8Array(outFeatures * inFeatures);
  const scales = new Float32Array(outFeatures);
  for (let o = 0; o < outFeatures; o++) {
    let max = 0;
    for (let i = 0; i < inFeatures; i++) max = Math.max(max, Math.abs(weight[o * inFeatures + i] ?? 0));
    const scale = max > 0 ? max / limit : 1;
    scales[o] = scale;
    for (let i = 0; i < inFeatures; i++) {
      const q = Math.round((weight[o * inFeatures + i] ?? 0) / scale);
      values[i * outFeatures + o] = Math.max(-limit, Math.min(limit, q));
    }
  }
  return { values, scales };
}

/** PyTorch [out, in] to the [in, out] layout of ONNX MatMul's right-hand side. */
export function transpose(weight: Float32Array, outFeatures: number, inFeatures: number): Float32Array {
  const t = new Float32Array(weight.length);
  for (let o = 0; o < outFeatures; o++)
    for (let i = 0; i < inFeatures; i++) t[i * outFeatures + o] = weight[o * inFeatures + i] ?? 0;
  return t;
}
