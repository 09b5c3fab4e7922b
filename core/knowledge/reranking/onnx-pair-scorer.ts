import * as ort from 'onnxruntime-node';
import { AppError } from '../../contract/errors.js';
import type { ModelManifest } from '../../contract/retrieval.js';
import { openOnnxModel } from '../onnx-session.js';
import { batchTensors, planBatches, type BatchLimits } from '../embedding/batching.js';
import type { ModelFolder } from '../embedding/model-folder.js';
import { PairTokenizer, type EncodedPair } from './pair-tokenizer.js';

export interface PairScorerOptions {
  /** onnxruntime intra-op threads. */
  threads: number;
  limits: BatchLimits;
}

/**
 * One ONNX cross-encoder in this thread: pair tokenizer and onnxruntime session. Runs inside the rerank
 * worker; kept apart from the worker's scheduling so it can be checked directly. The model is what
 * sentence-transformers and Hugging Face export for a sequence-classification head (ms-marco-MiniLM and
 * friends): `logits` [pairs, 1], or [pairs, 2] for a binary classifier.
 */
export class OnnxPairScorer {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly tokenizer: PairTokenizer,
    private readonly outputName: string,
    readonly manifest: ModelManifest,
    readonly limits: BatchLimits,
  ) {}

  static async open(folder: ModelFolder, options: PairScorerOptions): Promise<OnnxPairScorer> {
    const { manifest, modelPath } = folder;
    const { tokenizer, session } = await openOnnxModel(
      folder,
      options.threads,
      (f) => new PairTokenizer(f.tokenizerJson, f.tokenizerConfig, manifest.maxTokens),
    );
    const outputName = session.outputNames.includes('logits') ? 'logits' : (session.outputNames[0] ?? '');
    const scorer = new OnnxPairScorer(session, tokenizer, outputName, manifest, options.limits);
    // A manifest copied from an embedder ("dims": 384) or a head with other labels is caught here, not
    // later as silently wrong scores.
    const labels = await scorer.labelCount();
    if (labels !== manifest.dims)
      throw new AppError(
        'invalid_input',
        `${modelPath} outputs ${labels} logits per pair but ${folder.dir}/manifest.json says dims ` +
          `${manifest.dims}; for a reranker "dims" is the number of logits (1, or 2 for a binary classifier)`,
      );
    if (labels !== 1 && labels !== 2)
      throw new AppError(
        'invalid_input',
        `${modelPath} outputs ${labels} logits per pair; a reranker needs one relevance logit (or two, ` +
          'irrelevant and relevant)',
      );
    return scorer;
  }

  /** Each (query, passage) pair's tokens, the passage truncated to fit maxTokens. */
  tokenize(query: string, passages: string[]): EncodedPair[] {
    return passages.map((passage) => this.tokenizer.encode(query, passage));
  }

  plan(encoded: EncodedPair[]): number[][] {
    return planBatches(
      encoded.map((pair) => pair.ids.length),
      this.limits,
    );
  }

  /**
   * One forward pass over the pairs `batch` picks from `encoded`: a relevance score each, in the batch's
   * order. One logit is the score as it is (raw, so large logits never saturate into ties as a sigmoid's
   * float32 would); with two, the score is logit(relevant) − logit(irrelevant), the log-odds the softmax's
   * relevant probability is monotone in, so it ranks exactly as that probability does.
   */
  async scoreEncoded(encoded: EncodedPair[], batch: number[]): Promise<number[]> {
    const logits = await this.run(encoded, batch);
    const labels = logits.length / batch.length;
    return batch.map((_, row) =>
      labels === 2
        ? (logits[row * 2 + 1] ?? 0) - (logits[row * 2] ?? 0)
        : (logits[row * labels] ?? Number.NaN),
    );
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  private async labelCount(): Promise<number> {
    return (await this.run([this.tokenizer.encode('label check', 'label check')], [0])).length;
  }

  private async run(encoded: EncodedPair[], batch: number[]): Promise<Float32Array> {
    const t = batchTensors(
      encoded.map((pair) => pair.ids),
      batch,
    );
    // batchTensors pads with segment 0; a pair's passage side is segment 1 (BERT) and must say so.
    batch.forEach((pairIndex, row) =>
      encoded[pairIndex]?.typeIds.forEach((type, s) => {
        t.tokenTypeIds[row * t.sequence + s] = BigInt(type);
      }),
    );
    const shape = [t.texts, t.sequence];
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', t.inputIds, shape) };
    if (this.session.inputNames.includes('attention_mask'))
      feeds.attention_mask = new ort.Tensor('int64', t.attentionMask, shape);
    if (this.session.inputNames.includes('token_type_ids'))
      feeds.token_type_ids = new ort.Tensor('int64', t.tokenTypeIds, shape);
    const output = (await this.session.run(feeds, [this.outputName]))[this.outputName];
    if (!output) throw new Error(`the model returned no ${this.outputName}`);
    const perPair = output.dims.slice(1).reduce((a, b) => a * b, 1);
    if (output.dims[0] !== t.texts || output.dims.length > 2)
      throw new AppError(
        'invalid_input',
        `the reranker's output ${this.outputName} is [${output.dims.join(', ')}]; expected [pairs, logits] ` +
          '(a sequence-classification export)',
      );
    return (output.data as Float32Array).subarray(0, t.texts * perPair);
  }
}
