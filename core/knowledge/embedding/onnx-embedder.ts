import type { Embedder, ModelManifest } from '../../contract/retrieval.js';
import { openModelWorker, workerScript, type ModelWorker } from '../model-worker.js';
import type { BatchLimits } from './batching.js';
import type { EmbedJob, EmbedResult, EmbedWorkerInfo } from './worker-protocol.js';

export interface OnnxEmbedderOptions {
  /**
   * onnxruntime intra-op threads; default: every core, at most 4. On a 2-vCPU machine MiniLM int8 embeds
   * ~90 passages/s with 1 thread and ~170/s with 2; pool threads do not spin, so an idle worker costs nothing.
   */
  threads?: number;
  /** Texts and padded tokens per forward pass; defaults 32 and 8192 (a batch of 32 × 256 tokens). */
  limits?: BatchLimits;
}

/**
 * A sentence-transformers ONNX model folder (model.onnx, tokenizer.json, manifest.json) as an Embedder.
 * Inference runs in a worker thread (see ModelWorker); an idle worker never keeps a CLI command alive.
 */
export class OnnxEmbedder implements Embedder {
  private constructor(
    private readonly worker: ModelWorker<EmbedWorkerInfo, EmbedJob, EmbedResult>,
    readonly modelId: string,
    readonly manifest: ModelManifest,
  ) {}

  get dims(): number {
    return this.manifest.dims;
  }

  get maxTokens(): number {
    return this.manifest.maxTokens;
  }

  /** Starts a worker on the model folder `dir`; rejects with the folder's problem when it is not usable. */
  static async open(dir: string, options: OnnxEmbedderOptions = {}): Promise<OnnxEmbedder> {
    const { worker, modelId, manifest } = await openModelWorker<EmbedJob, EmbedResult>(
      workerScript(import.meta.url, 'embed-worker'),
      'embedder',
      { dir, threads: options.threads, limits: options.limits ?? { maxTexts: 32, maxTokens: 8192 } },
    );
    return new OnnxEmbedder(worker, modelId, manifest);
  }

  async embed(texts: string[], kind: 'query' | 'document', signal?: AbortSignal): Promise<Float32Array[]> {
    const vectors = await this.worker.run({ texts, kind }, signal);
    const dims = this.manifest.dims;
    return Array.from({ length: texts.length }, (_, i) => vectors.subarray(i * dims, (i + 1) * dims));
  }

  async close(): Promise<void> {
    await this.worker.close();
  }
}
