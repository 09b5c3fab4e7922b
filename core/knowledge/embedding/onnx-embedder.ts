import os from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { AppError } from '../../contract/errors.js';
import type { Embedder, ModelManifest } from '../../contract/retrieval.js';
import type { BatchLimits } from './batching.js';
import type { FromWorker, ToWorker, WorkerError, WorkerStart } from './worker-protocol.js';

export interface OnnxEmbedderOptions {
  /**
   * onnxruntime intra-op threads; default: every core, at most 4. On a 2-vCPU machine MiniLM int8 embeds
   * ~90 passages/s with 1 thread and ~170/s with 2; pool threads do not spin, so an idle worker costs nothing.
   */
  threads?: number;
  /** Texts and padded tokens per forward pass; defaults 32 and 8192 (a batch of 32 × 256 tokens). */
  limits?: BatchLimits;
}

interface Pending {
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: Error) => void;
  count: number;
}

/**
 * A sentence-transformers ONNX model folder (model.onnx, tokenizer.json, manifest.json) as an Embedder.
 * Inference runs in a worker thread; the worker is unref'd while idle so a forgotten close() never keeps a
 * CLI command alive.
 */
export class OnnxEmbedder implements Embedder {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly modelId: string,
    readonly manifest: ModelManifest,
  ) {
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    worker.on('error', (error) =>
      this.fail(
        new AppError('unavailable', `the embedding worker crashed: ${error.message}`, { cause: error }),
      ),
    );
    worker.on('exit', () => this.fail(new AppError('unavailable', 'the embedding worker has stopped')));
    worker.unref();
  }

  get dims(): number {
    return this.manifest.dims;
  }

  get maxTokens(): number {
    return this.manifest.maxTokens;
  }

  /** Starts a worker on the model folder `dir`; rejects with the folder's problem when it is not usable. */
  static async open(dir: string, options: OnnxEmbedderOptions = {}): Promise<OnnxEmbedder> {
    const start: WorkerStart = {
      dir,
      threads: options.threads ?? Math.min(os.availableParallelism(), 4),
      limits: options.limits ?? { maxTexts: 32, maxTokens: 8192 },
    };
    const worker = new Worker(...workerEntry(start));
    const ready = await waitUntilReady(worker).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    // The id changes when the weights do, so vectors from two different models are never mixed in one index.
    return new OnnxEmbedder(worker, `${ready.name}@${ready.manifest.sha256.slice(0, 12)}`, ready.manifest);
  }

  embed(texts: string[], kind: 'query' | 'document', signal?: AbortSignal): Promise<Float32Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (texts.length === 0) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise<Float32Array[]>((resolve, reject) => {
      const onAbort = () => {
        this.settle(id);
        this.send({ type: 'cancel', id });
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        count: texts.length,
        resolve: (vectors) => (done(), resolve(vectors)),
        reject: (error) => (done(), reject(error)),
      });
      this.worker.ref();
      this.send({ type: 'embed', id, texts, kind });
    });
  }

  async close(): Promise<void> {
    this.fail(new AppError('unavailable', 'the embedder is closed'));
    await this.worker.terminate();
  }

  private send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    return entry;
  }

  private onMessage(message: FromWorker): void {
    if (message.type !== 'result' && message.type !== 'failed') return;
    const entry = this.settle(message.id);
    if (!entry) return;
    if (message.type === 'failed') return entry.reject(fromWorkerError(message.error));
    const dims = this.manifest.dims;
    entry.resolve(
      Array.from({ length: entry.count }, (_, i) => message.vectors.subarray(i * dims, (i + 1) * dims)),
    );
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(this.failure);
  }
}

/** The worker's first message: ready, or why the model could not be loaded. */
function waitUntilReady(worker: Worker): Promise<Extract<FromWorker, { type: 'ready' }>> {
  return new Promise((resolve, reject) => {
    // Only our own listeners are removed: Worker wires its message port through listener events.
    const stop = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: FromWorker) => {
      stop();
      if (message.type === 'ready') resolve(message);
      else if (message.type === 'load-failed') reject(fromWorkerError(message.error));
      else reject(new Error(`the embedding worker sent ${message.type} before it was ready`));
    };
    const onError = (error: Error) => (stop(), reject(error));
    const onExit = (code: number) => (
      stop(),
      reject(new Error(`the embedding worker exited (code ${code}) while loading`))
    );
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

function fromWorkerError(error: WorkerError): Error {
  return error.code ? new AppError(error.code, error.message) : new Error(error.message);
}

/**
 * The worker's script and options. Built code runs embed-worker.js. Under tsx or vitest this module is .ts,
 * and Node 20 ignores `--import` in a worker's execArgv, so a small bootstrap registers tsx's loader in the
 * worker and then imports the TypeScript source.
 */
function workerEntry(start: WorkerStart): [string | URL, WorkerOptions] {
  const fromSource = import.meta.url.endsWith('.ts');
  const script = new URL(fromSource ? './embed-worker.ts' : './embed-worker.js', import.meta.url);
  if (!fromSource) return [script, { workerData: start }];
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const bootstrap = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); })`;
  return [bootstrap, { eval: true, workerData: start }];
}
