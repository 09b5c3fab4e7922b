import * as ort from 'onnxruntime-node';
import { AppError } from '../../contract/errors.js';
import type { ModelManifest } from '../../contract/retrieval.js';
import { openOnnxModel } from '../onnx-session.js';
import { batchTensors, planBatches, type BatchLimits } from './batching.js';
import type { ModelFolder } from './model-folder.js';
import { normalize, poolRow } from './pooling.js';
import { TextTokenizer } from './text-tokenizer.js';

export interface EncoderOptions {
  /** onnxruntime intra-op threads. */
  threads: number;
  limits: BatchLimits;
}

/** Output names sentence-transformers exports use, best first; a pooled output is used as it is. */
const preferredOutputs = ['last_hidden_state', 'token_embeddings', 'sentence_embedding'];

/**
 * One ONNX sentence-embedding model in this thread: tokenizer and onnxruntime session. Runs inside the
 * embedding worker; kept apart from the worker's scheduling so it can be checked directly.
 */
export class OnnxTextEncoder {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly tokenizer: TextTokenizer,
    private readonly outputName: string,
    readonly manifest: ModelManifest,
    readonly limits: BatchLimits,
  ) {}

  static async open(folder: ModelFolder, options: EncoderOptions): Promise<OnnxTextEncoder> {
    const { manifest, modelPath } = folder;
    const { tokenizer, session } = await openOnnxModel(
      folder,
      options.threads,
      (f) => new TextTokenizer(f.tokenizerJson, f.tokenizerConfig, manifest.maxTokens),
    );
    const outputName =
      preferredOutputs.find((n) => session.outputNames.includes(n)) ?? session.outputNames[0] ?? '';
    const encoder = new OnnxTextEncoder(session, tokenizer, outputName, manifest, options.limits);
    const [probe] = await encoder.embedEncoded([tokenizer.encode('dimension check')], [0]);
    if (probe?.length !== manifest.dims)
      throw new AppError(
        'invalid_input',
        `${modelPath} produces ${probe?.length}-dimensional vectors but ${folder.dir}/manifest.json says ` +
          `dims ${manifest.dims}; correct "dims" in the manifest`,
      );
    return encoder;
  }

  /** Token ids of each text, with the manifest's prefix for its kind. */
  tokenize(texts: string[], kind: 'query' | 'document'): number[][] {
    const prefix = (kind === 'query' ? this.manifest.queryPrefix : this.manifest.documentPrefix) ?? '';
    return texts.map((text) => this.tokenizer.encode(prefix + text));
  }

  plan(encoded: number[][]): number[][] {
    return planBatches(
      encoded.map((ids) => ids.length),
      this.limits,
    );
  }

  /** One forward pass over the texts `batch` picks from `encoded`: unit vectors in the batch's order. */
  async embedEncoded(encoded: number[][], batch: number[]): Promise<Float32Array[]> {
    const t = batchTensors(encoded, batch);
    const shape = [t.texts, t.sequence];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', t.inputIds, shape),
    };
    if (this.session.inputNames.includes('attention_mask'))
      feeds.attention_mask = new ort.Tensor('int64', t.attentionMask, shape);
    if (this.session.inputNames.includes('token_type_ids'))
      feeds.token_type_ids = new ort.Tensor('int64', t.tokenTypeIds, shape);
    const outputs = await this.session.run(feeds, [this.outputName]);
    const output = outputs[this.outputName];
    if (!output) throw new Error(`the model returned no ${this.outputName}`);
    const hidden = output.data as Float32Array;
    const dims = output.dims[output.dims.length - 1] ?? 0;
    return batch.map((_, row) =>
      normalize(
        output.dims.length === 2
          ? hidden.slice(row * dims, (row + 1) * dims)
          : poolRow(hidden, row, t.sequence, dims, t.attentionMask, this.manifest.pooling),
      ),
    );
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
