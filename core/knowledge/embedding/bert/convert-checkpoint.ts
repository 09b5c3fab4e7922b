import fs from 'node:fs';
import path from 'node:path';
import type { Pooling } from '../pooling.js';
import { TextTokenizer } from '../text-tokenizer.js';
import { buildBertOnnx } from './bert-onnx.js';
import { referenceForward } from './bert-reference.js';
import { bertWeightsFromTensors, parseBertConfig } from './bert-weights.js';
import { checkConversion, conversionPasses, type ConversionCheck } from './check-conversion.js';
import { readSafetensors } from './safetensors.js';

/** A sentence-transformers checkpoint folder as the pip packages ship it. */
export interface CheckpointInfo {
  pooling: Pooling;
  /** sentence_bert_config.json's max_seq_length: what the model was trained to read. */
  maxTokens: number;
  tokenizerJson: string;
  tokenizerConfigJson: string | null;
}

export interface ConvertedModel {
  precision: 'fp32' | 'int8';
  model: Uint8Array;
  /** Hidden size: the dims of the vectors it produces. */
  dims: number;
  check: ConversionCheck;
  passed: boolean;
}

/** Sentences the conversion is checked on: short and long, punctuation, accents, digits, padding. */
export const checkSentences = [
  'How do I reset my password?',
  'Steps to change your account password',
  'Our office is closed on Sunday.',
  'Refund №4521 was issued to the café’s Visa card on 2024-03-01 — see ticket #88!',
  'If your VPN client keeps disconnecting after the latest update, open the settings, turn off the ' +
    'automatic reconnect option, sign out, clear the saved credentials, restart the machine and sign in ' +
    'again with your company account. When the problem continues, collect the client logs from the help ' +
    'menu and attach them to a new support ticket so that the network team can look at the handshake ' +
    'errors and check whether the certificate on your device has expired or was revoked.',
];

/** Reads pooling, sequence length and tokenizer files from a sentence-transformers folder. */
export function readCheckpointInfo(dir: string): CheckpointInfo {
  const readJson = (file: string): Record<string, unknown> | null => {
    const full = path.join(dir, file);
    return fs.existsSync(full)
      ? (JSON.parse(fs.readFileSync(full, 'utf8')) as Record<string, unknown>)
      : null;
  };
  const poolingConfig = readJson(path.join('1_Pooling', 'config.json'));
  const pooling: Pooling = poolingConfig?.pooling_mode_cls_token === true ? 'cls' : 'mean';
  if (poolingConfig && pooling === 'mean' && poolingConfig.pooling_mode_mean_tokens !== true)
    throw new Error('1_Pooling/config.json asks for a pooling other than mean or CLS');
  const maxSeq = readJson('sentence_bert_config.json')?.max_seq_length;
  const configPath = path.join(dir, 'tokenizer_config.json');
  return {
    pooling,
    maxTokens: typeof maxSeq === 'number' ? maxSeq : 512,
    tokenizerJson: fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'),
    tokenizerConfigJson: fs.existsSync(configPath) ? fs.readFileSync(configPath, 'utf8') : null,
  };
}

/**
 * Converts a BERT checkpoint folder (model.safetensors + config.json + tokenizer.json) to ONNX in each of
 * `precisions`, and checks each graph against the reference forward pass on `checkSentences`.
 */
export async function convertCheckpoint(
  dir: string,
  info: CheckpointInfo,
  precisions: ConvertedModel['precision'][],
): Promise<ConvertedModel[]> {
  const config = parseBertConfig(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')));
  const weights = bertWeightsFromTensors(readSafetensors(path.join(dir, 'model.safetensors')), config);
  const tokenizer = new TextTokenizer(
    JSON.parse(info.tokenizerJson) as object,
    info.tokenizerConfigJson ? (JSON.parse(info.tokenizerConfigJson) as object) : {},
    info.maxTokens,
  );
  const encoded = checkSentences.map((s) => tokenizer.encode(s));
  const references = encoded.map((ids) => referenceForward(weights, ids));
  const results: ConvertedModel[] = [];
  for (const precision of precisions) {
    // Reduced-range int8 weights: a folder converted here may be copied to a CPU without VNNI, where full-range
    // u8×s8 sums saturate; on MiniLM it costs almost nothing (min cosine 0.9935 → 0.9925 on checkSentences).
    const model = buildBertOnnx(weights, { precision, reduceRange: true });
    const check = await checkConversion(model, weights, encoded, references);
    results.push({
      precision,
      model,
      dims: config.hiddenSize,
      check,
      passed: conversionPasses(check, precision),
    });
  }
  return results;
}
