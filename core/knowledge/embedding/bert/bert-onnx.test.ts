import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../testing/temp-home.js';
import { TextTokenizer } from '../text-tokenizer.js';
import { buildBertOnnx } from './bert-onnx.js';
import { erf, referenceForward } from './bert-reference.js';
import { bertWeightsFromTensors, parseBertConfig, tensorsFromBertWeights } from './bert-weights.js';
import { checkConversion, conversionPasses } from './check-conversion.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { tinyBertWeights, tinyTokenizerJson } from './tiny-bert.js';

const sentences = [
  'How do I reset my password?',
  'Steps to change my account password.',
  'Our office is closed on Sunday',
  'vpn',
  'printer printing printed, refund order help login',
];

function encodeAll(texts: string[]): number[][] {
  const tokenizer = new TextTokenizer(JSON.parse(tinyTokenizerJson()) as object, {}, 64);
  return texts.map((text) => tokenizer.encode(text));
}

describe('BERT → ONNX conversion', () => {
  const weights = tinyBertWeights();
  const encoded = encodeAll(sentences);

  it('computes what the independent reference forward pass computes, padding included', async () => {
    const check = await checkConversion(buildBertOnnx(weights, { precision: 'fp32' }), weights, encoded);
    expect(check.maxAbsDiff).toBeLessThan(1e-4);
    expect(check.minCosine).toBeGreaterThan(0.9999);
    expect(conversionPasses(check, 'fp32')).toBe(true);
  });

  it('int8 dynamic quantisation stays close to the reference', async () => {
    const check = await checkConversion(buildBertOnnx(weights, { precision: 'int8' }), weights, encoded);
    expect(check.minCosine).toBeGreaterThan(0.99);
    expect(conversionPasses(check, 'int8')).toBe(true);
  });

  it('a graph without token_type_ids computes the same', async () => {
    const check = await checkConversion(
      buildBertOnnx(weights, { precision: 'fp32', withoutTokenTypeIds: true }),
      weights,
      encoded,
    );
    expect(check.maxAbsDiff).toBeLessThan(1e-4);
  });

  it('refuses a graph built from other weights', async () => {
    const other = buildBertOnnx(tinyBertWeights(8), { precision: 'fp32' });
    expect(conversionPasses(await checkConversion(other, weights, encoded), 'fp32')).toBe(false);
  });

  it('reads weights back from a safetensors checkpoint, with or without the bert. prefix', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'model.safetensors');
      const prefixed = new Map([...tensorsFromBertWeights(weights)].map(([k, v]) => ['bert.' + k, v]));
      for (const tensors of [tensorsFromBertWeights(weights), prefixed]) {
        writeSafetensors(file, tensors);
        const read = bertWeightsFromTensors(readSafetensors(file), weights.config);
        expect(referenceForward(read, encoded[0] ?? [])).toEqual(referenceForward(weights, encoded[0] ?? []));
      }
      writeSafetensors(file, new Map([...tensorsFromBertWeights(weights)].slice(1)));
      expect(() => bertWeightsFromTensors(readSafetensors(file), weights.config)).toThrow(/no tensor/);
    } finally {
      cleanup();
    }
  });

  it('parses a Hugging Face config and refuses what it cannot convert', () => {
    const hf = {
      model_type: 'bert',
      hidden_act: 'gelu',
      vocab_size: 10,
      hidden_size: 8,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      intermediate_size: 16,
      max_position_embeddings: 32,
    };
    expect(parseBertConfig(hf)).toMatchObject({ hiddenSize: 8, typeVocabSize: 2, layerNormEps: 1e-12 });
    expect(() => parseBertConfig({ ...hf, hidden_act: 'relu' })).toThrow(/hidden_act/);
    expect(() => parseBertConfig({ ...hf, model_type: 'roberta' })).toThrow(/model_type/);
  });

  it('erf is accurate to well below the check tolerance', () => {
    expect(erf(0)).toBeCloseTo(0, 7);
    expect(erf(0.5)).toBeCloseTo(0.5204998778, 6);
    expect(erf(-1.5)).toBeCloseTo(-0.9661051465, 6);
  });
});
