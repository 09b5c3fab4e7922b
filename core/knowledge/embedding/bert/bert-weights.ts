import type { NamedTensor } from './safetensors.js';

/** The shape of a BERT encoder, from a Hugging Face `config.json`. */
export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  maxPositions: number;
  typeVocabSize: number;
  layerNormEps: number;
}

/** A linear layer in PyTorch layout: `weight` is [out, in], row-major. */
export interface Linear {
  weight: Float32Array;
  bias: Float32Array;
  inFeatures: number;
  outFeatures: number;
}

export interface LayerNormWeights {
  gamma: Float32Array;
  beta: Float32Array;
}

export interface BertLayerWeights {
  query: Linear;
  key: Linear;
  value: Linear;
  attentionOutput: Linear;
  attentionNorm: LayerNormWeights;
  intermediate: Linear;
  output: Linear;
  outputNorm: LayerNormWeights;
}

export interface BertWeights {
  config: BertConfig;
  wordEmbeddings: Float32Array;
  positionEmbeddings: Float32Array;
  tokenTypeEmbeddings: Float32Array;
  embeddingNorm: LayerNormWeights;
  layers: BertLayerWeights[];
}

/** Reads the fields we need from a Hugging Face BERT `config.json`, refusing what this converter cannot do. */
export function parseBertConfig(json: unknown): BertConfig {
  const c = json as Record<string, unknown>;
  const num = (key: string, fallback?: number): number => {
    const value = c[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new Error(`config.json: "${key}" must be a number`);
    return value;
  };
  if (c.model_type !== undefined && c.model_type !== 'bert')
    throw new Error(`config.json: model_type ${JSON.stringify(c.model_type)} is not "bert"`);
  if (c.hidden_act !== undefined && c.hidden_act !== 'gelu')
    throw new Error(`config.json: hidden_act ${JSON.stringify(c.hidden_act)} is not "gelu" (exact GELU)`);
  if (c.position_embedding_type !== undefined && c.position_embedding_type !== 'absolute')
    throw new Error('config.json: only absolute position embeddings are supported');
  const config: BertConfig = {
    vocabSize: num('vocab_size'),
    hiddenSize: num('hidden_size'),
    numLayers: num('num_hidden_layers'),
    numHeads: num('num_attention_heads'),
    intermediateSize: num('intermediate_size'),
    maxPositions: num('max_position_embeddings'),
    typeVocabSize: num('type_vocab_size', 2),
    layerNormEps: num('layer_norm_eps', 1e-12),
  };
  if (config.hiddenSize % config.numHeads !== 0)
    throw new Error('config.json: hidden_size must be a multiple of num_attention_heads');
  return config;
}

/**
 * Picks the encoder's tensors out of a safetensors map, checking every shape against the config. Names may
 * carry a `bert.` prefix (BertForX checkpoints) or not (sentence-transformers' BertModel).
 */
export function bertWeightsFromTensors(tensors: Map<string, NamedTensor>, config: BertConfig): BertWeights {
  const prefix = tensors.has('bert.embeddings.word_embeddings.weight') ? 'bert.' : '';
  const get = (name: string, shape: number[]): Float32Array => {
    const t = tensors.get(prefix + name);
    if (!t) throw new Error(`model.safetensors has no tensor "${prefix + name}"`);
    if (t.shape.join('x') !== shape.join('x'))
      throw new Error(
        `model.safetensors: "${prefix + name}" is [${t.shape.join(', ')}], expected [${shape.join(', ')}]`,
      );
    return t.data;
  };
  const h = config.hiddenSize;
  const linear = (name: string, out: number, inp: number): Linear => ({
    weight: get(`${name}.weight`, [out, inp]),
    bias: get(`${name}.bias`, [out]),
    inFeatures: inp,
    outFeatures: out,
  });
  const norm = (name: string): LayerNormWeights => ({
    gamma: get(`${name}.weight`, [h]),
    beta: get(`${name}.bias`, [h]),
  });
  const layers: BertLayerWeights[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const p = `encoder.layer.${i}`;
    layers.push({
      query: linear(`${p}.attention.self.query`, h, h),
      key: linear(`${p}.attention.self.key`, h, h),
      value: linear(`${p}.attention.self.value`, h, h),
      attentionOutput: linear(`${p}.attention.output.dense`, h, h),
      attentionNorm: norm(`${p}.attention.output.LayerNorm`),
      intermediate: linear(`${p}.intermediate.dense`, config.intermediateSize, h),
      output: linear(`${p}.output.dense`, h, config.intermediateSize),
      outputNorm: norm(`${p}.output.LayerNorm`),
    });
  }
  return {
    config,
    wordEmbeddings: get('embeddings.word_embeddings.weight', [config.vocabSize, h]),
    positionEmbeddings: get('embeddings.position_embeddings.weight', [config.maxPositions, h]),
    tokenTypeEmbeddings: get('embeddings.token_type_embeddings.weight', [config.typeVocabSize, h]),
    embeddingNorm: norm('embeddings.LayerNorm'),
    layers,
  };
}

/** The inverse of bertWeightsFromTensors, with sentence-transformers' names (to write test checkpoints). */
export function tensorsFromBertWeights(w: BertWeights): Map<string, NamedTensor> {
  const c = w.config;
  const h = c.hiddenSize;
  const tensors = new Map<string, NamedTensor>();
  const put = (name: string, shape: number[], data: Float32Array) => tensors.set(name, { shape, data });
  const linear = (name: string, l: Linear) => {
    put(`${name}.weight`, [l.outFeatures, l.inFeatures], l.weight);
    put(`${name}.bias`, [l.outFeatures], l.bias);
  };
  const norm = (name: string, n: LayerNormWeights) => {
    put(`${name}.weight`, [h], n.gamma);
    put(`${name}.bias`, [h], n.beta);
  };
  put('embeddings.word_embeddings.weight', [c.vocabSize, h], w.wordEmbeddings);
  put('embeddings.position_embeddings.weight', [c.maxPositions, h], w.positionEmbeddings);
  put('embeddings.token_type_embeddings.weight', [c.typeVocabSize, h], w.tokenTypeEmbeddings);
  norm('embeddings.LayerNorm', w.embeddingNorm);
  w.layers.forEach((layer, i) => {
    const p = `encoder.layer.${i}`;
    linear(`${p}.attention.self.query`, layer.query);
    linear(`${p}.attention.self.key`, layer.key);
    linear(`${p}.attention.self.value`, layer.value);
    linear(`${p}.attention.output.dense`, layer.attentionOutput);
    norm(`${p}.attention.output.LayerNorm`, layer.attentionNorm);
    linear(`${p}.intermediate.dense`, layer.intermediate);
    linear(`${p}.output.dense`, layer.output);
    norm(`${p}.output.LayerNorm`, layer.outputNorm);
  });
  return tensors;
}
