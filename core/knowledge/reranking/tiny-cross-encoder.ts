import onnxProto from 'onnx-proto';
import type { ModelManifest } from '../../contract/retrieval.js';
import { buildBertOnnx } from '../embedding/bert/bert-onnx.js';
import type { BertWeights, Linear } from '../embedding/bert/bert-weights.js';
import { installModelFolder } from '../embedding/bert/install-folder.js';
import { GraphBuilder, int } from '../embedding/bert/onnx-builder.js';
import { transpose } from '../embedding/bert/quantize.js';
import { tinyBertWeights, tinyTokenizerJson } from '../embedding/bert/tiny-bert.js';

const { onnx } = onnxProto;

/**
 * BertForSequenceClassification's head, the one ms-marco cross-encoders carry: the pooler (dense + tanh on
 * the [CLS] token's hidden state), then a linear layer to one logit per label. Weights in PyTorch layout.
 */
export interface ClassifierHead {
  pooler: Linear;
  classifier: Linear;
}

/** A tiny random cross-encoder: the encoder's weights and its head's. */
export interface TinyCrossEncoder {
  weights: BertWeights;
  head: ClassifierHead;
}

/**
 * Random head weights for a tiny BERT. They are drawn from a second tiny BERT (another seed) so the tests'
 * generator stays the one in tiny-bert.ts: its layer 0 attention-output dense is the pooler, and the first
 * `labels` rows of its layer 0 query projection are the classifier.
 */
export function tinyClassifierHead(weights: BertWeights, labels: 1 | 2, seed: number): ClassifierHead {
  const [donor] = tinyBertWeights(seed + 1000).layers;
  if (!donor) throw new Error('the tiny BERT has no layers');
  const h = weights.config.hiddenSize;
  return {
    pooler: donor.attentionOutput,
    classifier: {
      weight: donor.query.weight.slice(0, labels * h),
      bias: donor.query.bias.slice(0, labels),
      inFeatures: h,
      outFeatures: labels,
    },
  };
}

/**
 * The cross-encoder graph: the BERT encoder as buildBertOnnx writes it, with the classifier head added
 * after last_hidden_state, so the model's only output is `logits` [batch, labels] as a Hugging Face
 * sequence-classification export has. The head is written with its own GraphBuilder and its names
 * prefixed, so they cannot collide with the encoder's.
 */
export function buildCrossEncoderOnnx(
  weights: BertWeights,
  head: ClassifierHead,
  options: { withoutTokenTypeIds?: boolean } = {},
): Uint8Array {
  const encoder = onnx.ModelProto.decode(buildBertOnnx(weights, { precision: 'fp32', ...options }));
  const headGraph = onnx.ModelProto.decode(buildHeadOnnx(weights.config.hiddenSize, head)).graph;
  const graph = encoder.graph;
  if (!graph || !headGraph) throw new Error('an ONNX model without a graph');
  const shared = new Set(['last_hidden_state', 'logits']);
  const rename = (name: string) => (shared.has(name) ? name : `classifier/${name}`);
  for (const node of headGraph.node ?? []) {
    node.name = rename(node.name ?? '');
    node.input = (node.input ?? []).map(rename);
    node.output = (node.output ?? []).map(rename);
  }
  for (const tensor of headGraph.initializer ?? []) tensor.name = rename(tensor.name ?? '');
  graph.node = [...(graph.node ?? []), ...(headGraph.node ?? [])];
  graph.initializer = [...(graph.initializer ?? []), ...(headGraph.initializer ?? [])];
  graph.output = headGraph.output ?? [];
  encoder.docString = `${encoder.docString ?? ''}, with a sequence-classification head`;
  return onnx.ModelProto.encode(encoder).finish();
}

/** The head alone: last_hidden_state [batch, sequence, hidden] in, logits [batch, labels] out. */
function buildHeadOnnx(hidden: number, head: ClassifierHead): Uint8Array {
  const g = new GraphBuilder();
  const weightsOf = (lin: Linear, name: string) => [
    g.floats(
      `${name}_w`,
      [lin.inFeatures, lin.outFeatures],
      transpose(lin.weight, lin.outFeatures, lin.inFeatures),
    ),
    g.floats(`${name}_b`, [lin.outFeatures], lin.bias),
  ];
  // A scalar index on the sequence axis takes [CLS]'s row and drops the axis: [batch, hidden].
  const cls = g.op('Gather', ['last_hidden_state', g.int64s('cls_index', [], [0])], { axis: int(1) });
  const [poolerW = '', poolerB = ''] = weightsOf(head.pooler, 'pooler');
  const pooled = g.op('Tanh', [g.op('Add', [g.op('MatMul', [cls, poolerW]), poolerB])]);
  const [classifierW = '', classifierB = ''] = weightsOf(head.classifier, 'classifier');
  g.node('Add', [g.op('MatMul', [pooled, classifierW]), classifierB], {}, ['logits']);
  return g.encode({
    name: 'classifier_head',
    doc: 'sequence-classification head',
    opset: 17,
    inputs: [{ name: 'last_hidden_state', type: 'float', dims: ['batch', 'sequence', hidden] }],
    outputs: [{ name: 'logits', type: 'float', dims: ['batch', head.classifier.outFeatures] }],
  });
}

/**
 * tiny-bert.ts's tokenizer.json with BERT's real pair template, where the closing [SEP] belongs to the
 * passage's segment (type 1) as in bert-base-uncased's tokenizer.json; the embedder's copy never encodes
 * pairs, so it does not matter there.
 */
export function tinyCrossEncoderTokenizerJson(): string {
  const json = JSON.parse(tinyTokenizerJson()) as { post_processor: { pair: unknown[] } };
  const closing = json.post_processor.pair.at(-1) as { SpecialToken?: { type_id: number } } | undefined;
  if (!closing?.SpecialToken)
    throw new Error('the tiny tokenizer.json has no closing [SEP] in its pair template');
  closing.SpecialToken.type_id = 1;
  return JSON.stringify(json);
}

export interface TinyRerankerOptions {
  seed?: number;
  /** 1 (a relevance logit, as ms-marco cross-encoders) or 2 (irrelevant, relevant). */
  labels?: 1 | 2;
  withoutTokenTypeIds?: boolean;
  manifest?: Partial<Omit<ModelManifest, 'sha256'>>;
}

/**
 * Writes `<parent>/<name>/` as a complete reranker folder around a tiny random cross-encoder (kind
 * "reranker", dims = labels, maxTokens 24 unless `manifest` says otherwise); returns its weights.
 */
export function writeTinyRerankerFolder(
  parent: string,
  name: string,
  options: TinyRerankerOptions = {},
): TinyCrossEncoder {
  const { seed = 7, labels = 1, withoutTokenTypeIds = false } = options;
  const weights = tinyBertWeights(seed);
  const head = tinyClassifierHead(weights, labels, seed);
  installModelFolder(parent, name, {
    model: buildCrossEncoderOnnx(weights, head, { withoutTokenTypeIds }),
    tokenizerJson: tinyCrossEncoderTokenizerJson(),
    manifest: {
      kind: 'reranker',
      dims: labels,
      pooling: 'cls',
      maxTokens: 24,
      license: 'test-only',
      ...options.manifest,
    },
  });
  return { weights, head };
}
