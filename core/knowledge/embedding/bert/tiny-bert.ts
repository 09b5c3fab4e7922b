import type { ModelManifest } from '../../../contract/retrieval.js';
import { buildBertOnnx, type BertOnnxOptions } from './bert-onnx.js';
import type { BertConfig, BertWeights, LayerNormWeights, Linear } from './bert-weights.js';
import { installModelFolder } from './install-folder.js';
import { seededRandom } from '../../../seeded-random.js';

/** A tiny BERT's shape: big enough to have heads, layers and padding to get wrong, small enough for tests. */
export const tinyBertConfig: BertConfig = {
  vocabSize: 0, // set from the vocabulary below
  hiddenSize: 32,
  numLayers: 2,
  numHeads: 4,
  intermediateSize: 64,
  maxPositions: 64,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
};

const words = (
  'how do i reset my password change account the office is closed on sunday refund order printer vpn ' +
  'login help a to steps our for it'
).split(' ');
const vocabulary = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  ...words,
  '##s',
  '##ed',
  '##ing',
  '?',
  '.',
  ',',
];

const random = seededRandom;

/** Random weights of BERT's shapes; LayerNorm gains near 1 as trained models have. */
export function tinyBertWeights(seed = 7): BertWeights {
  const next = random(seed);
  const config = { ...tinyBertConfig, vocabSize: vocabulary.length };
  const h = config.hiddenSize;
  const values = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => (next() * 2 - 1) * scale);
  const linear = (out: number, inp: number): Linear => ({
    weight: values(out * inp, 1 / Math.sqrt(inp)),
    bias: values(out, 0.1),
    inFeatures: inp,
    outFeatures: out,
  });
  const norm = (): LayerNormWeights => ({ gamma: values(h, 0.2).map((v) => 1 + v), beta: values(h, 0.1) });
  return {
    config,
    wordEmbeddings: values(config.vocabSize * h, 1),
    positionEmbeddings: values(config.maxPositions * h, 0.5),
    tokenTypeEmbeddings: values(config.typeVocabSize * h, 0.5),
    embeddingNorm: norm(),
    layers: Array.from({ length: config.numLayers }, () => ({
      query: linear(h, h),
      key: linear(h, h),
      value: linear(h, h),
      attentionOutput: linear(h, h),
      attentionNorm: norm(),
      intermediate: linear(config.intermediateSize, h),
      output: linear(h, config.intermediateSize),
      outputNorm: norm(),
    })),
  };
}

/** A WordPiece tokenizer.json over the tiny vocabulary, laid out as Hugging Face writes BERT's. */
export function tinyTokenizerJson(): string {
  const id = (token: string) => vocabulary.indexOf(token);
  const special = (token: string) => ({
    id: id(token),
    content: token,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const piece = (token: string) => ({ SpecialToken: { id: token, type_id: 0 } });
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [piece('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, piece('[SEP]')],
      pair: [
        piece('[CLS]'),
        { Sequence: { id: 'A', type_id: 0 } },
        piece('[SEP]'),
        { Sequence: { id: 'B', type_id: 1 } },
        piece('[SEP]'),
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocabulary.map((token, i) => [token, i])),
    },
  });
}

export interface TinyModelOptions extends Partial<BertOnnxOptions> {
  seed?: number;
  manifest?: Partial<Omit<ModelManifest, 'sha256'>>;
}

/** Writes `<parent>/<name>/` as a complete model folder around a tiny random BERT; returns its weights. */
export function writeTinyModelFolder(
  parent: string,
  name: string,
  options: TinyModelOptions = {},
): BertWeights {
  const weights = tinyBertWeights(options.seed);
  const { precision = 'fp32', withoutTokenTypeIds = false } = options;
  installModelFolder(parent, name, {
    model: buildBertOnnx(weights, { precision, withoutTokenTypeIds }),
    tokenizerJson: tinyTokenizerJson(),
    manifest: {
      kind: 'embedder',
      dims: weights.config.hiddenSize,
      pooling: 'mean',
      maxTokens: 16,
      license: 'test-only',
      ...options.manifest,
    },
  });
  return weights;
}
