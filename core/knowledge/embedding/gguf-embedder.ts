import path from 'node:path';
import type { LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import { AppError } from '../../contract/errors.js';
import type { Embedder } from '../../contract/retrieval.js';
import { sha256File } from './model-folder.js';
import { normalize } from './pooling.js';

/** Room beyond maxTokens for the BOS/EOS tokens node-llama-cpp adds, which must fit in the context too. */
const reservedTokens = 8;

export interface GgufEmbedderOptions {
  /**
   * llama.cpp threads. Default 1: DEPENDENCIES.md measured 2 threads on 2 cores 10× slower for small models,
   * and the main thread needs a core.
   */
  threads?: number;
  /** Tokens per text; longer texts are cut. Default: the model's training context (at most 512) less a few. */
  maxTokens?: number;
}

/**
 * A GGUF embedding model (e.g. a bge/nomic GGUF export) through node-llama-cpp. llama.cpp runs on its own
 * native threads, so this needs no worker of ours; requests are serialised because one embedding context
 * evaluates one sequence at a time.
 */
export class GgufEmbedder implements Embedder {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaEmbeddingContext,
    readonly modelId: string,
    readonly dims: number,
    readonly maxTokens: number,
  ) {}

  static async open(file: string, options: GgufEmbedderOptions = {}): Promise<GgufEmbedder> {
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    // Never build or download llama.cpp at run time: the prebuilt CPU binary ships with the package.
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: file });
    } catch (error) {
      throw new AppError('invalid_input', `${file} is not a GGUF model llama.cpp can load: ${String(error)}`);
    }
    const maxTokens = options.maxTokens ?? Math.min(model.trainContextSize, 512) - reservedTokens;
    const context = await model.createEmbeddingContext({
      contextSize: maxTokens + reservedTokens,
      threads: options.threads ?? 1,
    });
    const name = path.basename(file, '.gguf');
    const sha = await sha256File(file);
    return new GgufEmbedder(
      model,
      context,
      `${name}@${sha.slice(0, 12)}`,
      model.embeddingVectorSize,
      maxTokens,
    );
  }

  embed(texts: string[], _kind: 'query' | 'document', signal?: AbortSignal): Promise<Float32Array[]> {
    const run = async (): Promise<Float32Array[]> => {
      const vectors: Float32Array[] = [];
      for (const text of texts) {
        if (this.closed) throw new AppError('unavailable', 'the embedder is closed');
        signal?.throwIfAborted();
        const tokens = this.model.tokenize(text).slice(0, this.maxTokens);
        const { vector } = await this.context.getEmbeddingFor(tokens);
        // Text with no tokens gets the zero vector: similar to nothing, and the right length.
        vectors.push(
          vector.length === 0 ? new Float32Array(this.dims) : normalize(Float32Array.from(vector)),
        );
      }
      return vectors;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    await this.context.dispose();
    await this.model.dispose();
  }
}
