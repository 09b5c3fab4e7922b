import type { BertWeights, LayerNormWeights, Linear } from './bert-weights.js';
import { GraphBuilder, float, int, ints, type ValueSpec } from './onnx-builder.js';
import { quantizeLinearWeight, transpose } from './quantize.js';

export interface BertOnnxOptions {
  /** 'int8': dynamic quantisation of every weight MatMul (activations quantised per call, weights per channel). */
  precision: 'fp32' | 'int8';
  /** int8 only: 7-bit weights (±63) for CPUs without VNNI, at some cost in precision; see quantize.ts. */
  reduceRange?: boolean;
  /** Leave out the token_type_ids input (a model some exports produce; the runner must cope with both). */
  withoutTokenTypeIds?: boolean;
}

/** The additive attention bias for padding, as BERT was trained with (transformers ≤ 4.6 used -10000). */
export const maskBias = -10000;

/**
 * Writes a BERT encoder as an ONNX graph (opset 17, for LayerNormalization): inputs input_ids,
 * attention_mask [, token_type_ids] int64 [batch, sequence]; output last_hidden_state float32
 * [batch, sequence, hidden]. Exact GELU via Erf, as BERT was trained.
 */
export function buildBertOnnx(w: BertWeights, options: BertOnnxOptions): Uint8Array {
  const g = new GraphBuilder();
  const c = w.config;
  const h = c.hiddenSize;
  const headDim = h / c.numHeads;
  const withTypes = !options.withoutTokenTypeIds;

  // Embeddings: word + position (0..seq-1) + token type, then LayerNorm.
  const word = g.op('Gather', [g.floats('word_embeddings', [c.vocabSize, h], w.wordEmbeddings), 'input_ids']);
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), g.int64s('one_index', [], [1])], {
    axis: int(0),
  });
  const positionIds = g.op('Range', [g.int64s('zero', [], [0]), seqLen, g.int64s('one', [], [1])]);
  const positions = g.op('Gather', [
    g.floats('position_embeddings', [c.maxPositions, h], w.positionEmbeddings),
    positionIds,
  ]);
  const types = withTypes
    ? g.op('Gather', [
        g.floats('token_type_embeddings', [c.typeVocabSize, h], w.tokenTypeEmbeddings),
        'token_type_ids',
      ])
    : g.floats('token_type_zero', [h], w.tokenTypeEmbeddings.subarray(0, h));
  let x = layerNorm(
    g,
    'embeddings_norm',
    g.op('Add', [g.op('Add', [word, positions]), types]),
    w.embeddingNorm,
    c.layerNormEps,
  );

  // Padding positions get a large negative bias before the softmax: [batch, 1, 1, sequence].
  const maskFloat = g.op('Cast', ['attention_mask'], { to: int(1) });
  const inverted = g.op('Sub', [g.floats('mask_one', [], [1]), maskFloat]);
  const bias = g.op('Mul', [inverted, g.floats('mask_bias', [], [maskBias])]);
  const attentionBias = g.op('Unsqueeze', [bias, g.int64s('mask_axes', [2], [1, 2])]);

  const splitHeads = g.int64s('split_heads_shape', [4], [0, 0, c.numHeads, headDim]);
  const mergeHeads = g.int64s('merge_heads_shape', [3], [0, 0, h]);
  const scale = g.floats('attention_scale', [], [1 / Math.sqrt(headDim)]);
  const quantized = new Map<string, string[]>();
  const dense = (input: string, lin: Linear, name: string): string =>
    options.precision === 'int8'
      ? quantizedDense(g, input, lin, name, quantized, options.reduceRange ? 63 : 127)
      : g.op('Add', [
          g.op('MatMul', [
            input,
            g.floats(
              `${name}_w`,
              [lin.inFeatures, lin.outFeatures],
              transpose(lin.weight, lin.outFeatures, lin.inFeatures),
            ),
          ]),
          g.floats(`${name}_b`, [lin.outFeatures], lin.bias),
        ]);

  w.layers.forEach((layer, i) => {
    const p = `layer${i}`;
    const heads = (lin: Linear, name: string, perm: number[]): string =>
      g.op('Transpose', [g.op('Reshape', [dense(x, lin, `${p}_${name}`), splitHeads])], { perm: ints(perm) });
    const q = heads(layer.query, 'query', [0, 2, 1, 3]);
    const kT = heads(layer.key, 'key', [0, 2, 3, 1]);
    const v = heads(layer.value, 'value', [0, 2, 1, 3]);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kT]), scale]), attentionBias]);
    const probs = g.op('Softmax', [scores], { axis: int(-1) });
    const context = g.op('Reshape', [
      g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: ints([0, 2, 1, 3]) }),
      mergeHeads,
    ]);
    const attended = g.op('Add', [dense(context, layer.attentionOutput, `${p}_attention_output`), x]);
    const x1 = layerNorm(g, `${p}_attention_norm`, attended, layer.attentionNorm, c.layerNormEps);
    const inner = dense(x1, layer.intermediate, `${p}_intermediate`);
    // GELU(u) = u · 0.5 · (1 + erf(u / √2)), written the way torch exports it so onnxruntime fuses it.
    const erf = g.op('Erf', [g.op('Div', [inner, g.floats(`${p}_sqrt2`, [], [Math.SQRT2])])]);
    const gelu = g.op('Mul', [
      g.op('Mul', [inner, g.op('Add', [erf, g.floats(`${p}_one`, [], [1])])]),
      g.floats(`${p}_half`, [], [0.5]),
    ]);
    const out = g.op('Add', [dense(gelu, layer.output, `${p}_output`), x1]);
    x = layerNorm(g, `${p}_output_norm`, out, layer.outputNorm, c.layerNormEps);
  });
  const [last = ''] = g.node('Identity', [x], {}, ['last_hidden_state']);

  const dims = ['batch', 'sequence'];
  const inputs: ValueSpec[] = [
    { name: 'input_ids', type: 'int64', dims },
    { name: 'attention_mask', type: 'int64', dims },
  ];
  if (withTypes) inputs.push({ name: 'token_type_ids', type: 'int64', dims });
  return g.encode({
    name: 'bert',
    doc: `BERT encoder (${c.numLayers} layers, ${h} hidden), ${options.precision}, written by airdesk`,
    opset: 17,
    inputs,
    outputs: [{ name: last, type: 'float', dims: ['batch', 'sequence', h] }],
  });
}

function layerNorm(g: GraphBuilder, name: string, input: string, n: LayerNormWeights, eps: number): string {
  const gamma = g.floats(`${name}_gamma`, [n.gamma.length], n.gamma);
  const beta = g.floats(`${name}_beta`, [n.beta.length], n.beta);
  return g.op('LayerNormalization', [input, gamma, beta], { axis: int(-1), epsilon: float(eps) });
}

/**
 * y = (DynamicQuantizeLinear(x) ⊗ W_int8) · (x_scale · w_scale) + b. The pattern onnxruntime fuses into one
 * DynamicQuantizeMatMul kernel; one quantisation of an input is shared by every MatMul reading it (Q, K, V).
 */
function quantizedDense(
  g: GraphBuilder,
  input: string,
  lin: Linear,
  name: string,
  cache: Map<string, string[]>,
  limit: number,
): string {
  let q = cache.get(input);
  if (!q) {
    q = g.node('DynamicQuantizeLinear', [input], {}, 3);
    cache.set(input, q);
  }
  const [xq = '', xScale = '', xZero = ''] = q;
  const { values, scales } = quantizeLinearWeight(lin.weight, lin.outFeatures, lin.inFeatures, limit);
  const wq = g.constant(`${name}_wq`, 'int8', [lin.inFeatures, lin.outFeatures], values);
  const wZero = g.constant(`${name}_wzero`, 'int8', [lin.outFeatures], new Int8Array(lin.outFeatures));
  const product = g.op('Cast', [g.op('MatMulInteger', [xq, wq, xZero, wZero])], { to: int(1) });
  const combinedScale = g.op('Mul', [xScale, g.floats(`${name}_wscale`, [lin.outFeatures], scales)]);
  return g.op('Add', [
    g.op('Mul', [product, combinedScale]),
    g.floats(`${name}_b`, [lin.outFeatures], lin.bias),
  ]);
}
