import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../contract/errors.js';
import type { ModelManifest, Reranker } from '../../contract/retrieval.js';
import type { BatchLimits } from '../embedding/batching.js';
import { findModels } from '../embedding/registry.js';
import { openModelWorker, workerScript, type ModelWorker } from '../model-worker.js';
import type { RerankJob, RerankResult, RerankWorkerInfo } from './rerank-protocol.js';

export interface OnnxRerankerOptions {
  /** onnxruntime intra-op threads; default: every core, at most 4 (reranking is on the query's path). */
  threads?: number;
  /**
   * Pairs and padded tokens per forward pass; defaults 16 and 8192. A pair is query plus passage, so pairs
   * run close to maxTokens and fewer of them fit a batch than an embedder's short texts.
   */
  limits?: BatchLimits;
}

/**
 * A cross-encoder ONNX model folder (model.onnx, tokenizer.json, manifest.json with kind "reranker") as a
 * Reranker: each (query, passage) pair goes through the model together, which judges relevance better than
 * comparing two separately made vectors, at the price of one forward pass per passage. Inference runs in a
 * worker thread; see OnnxPairScorer for the model it expects and what the score means.
 */
export class OnnxReranker implements Reranker {
  private constructor(
    private readonly worker: ModelWorker<RerankWorkerInfo, RerankJob, RerankResult>,
    readonly modelId: string,
    readonly manifest: ModelManifest,
  ) {}

  /** Starts a worker on the model folder `dir`; rejects with the folder's problem when it is not usable. */
  static async open(dir: string, options: OnnxRerankerOptions = {}): Promise<OnnxReranker> {
    const { worker, modelId, manifest } = await openModelWorker<RerankJob, RerankResult>(
      workerScript(import.meta.url, 'rerank-worker'),
      'reranker',
      { dir, threads: options.threads, limits: options.limits ?? { maxTexts: 16, maxTokens: 8192 } },
    );
    return new OnnxReranker(worker, modelId, manifest);
  }

  /** One score per passage, in order; higher is more relevant. Scores compare within one model only. */
  async score(query: string, passages: string[], signal?: AbortSignal): Promise<number[]> {
    return Array.from(await this.worker.run({ query, passages }, signal));
  }

  async close(): Promise<void> {
    await this.worker.close();
  }
}

/**
 * Opens the reranker called `name` from the first of `dirs` that has it, as loadEmbedder does for
 * embedders. A missing model is `not_found` saying what to do; a broken one is the folder's own error
 * (which file, what is wrong) — also when the folder exists but lacks its manifest.
 */
export async function loadReranker(
  name: string,
  dirs: string[],
  options: OnnxRerankerOptions = {},
): Promise<Reranker> {
  const entry = findModels(dirs).find((m) => m.name === name);
  if (entry?.format === 'gguf')
    throw new AppError(
      'invalid_input',
      `${entry.path} is a GGUF model; rerankers run as ONNX cross-encoder folders (model.onnx, ` +
        'tokenizer.json, manifest.json with kind "reranker")',
    );
  // findModels skips a folder without manifest.json; opening it anyway makes the error name that file.
  const dir = entry?.path ?? dirs.map((d) => path.join(d, name)).find((d) => isDirectory(d));
  if (!dir)
    throw new AppError(
      'not_found',
      `no reranker model "${name}" in ${dirs.join(' or ')}; import a cross-encoder folder (model.onnx, ` +
        `tokenizer.json, manifest.json with kind "reranker") into AIRDESK_HOME/models/${name}/, or turn ` +
        'reranking off (search works without it)',
    );
  return OnnxReranker.open(dir, options);
}

function isDirectory(p: string): boolean {
  return fs.existsSync(p) && fs.statSync(p).isDirectory();
}
