import os from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { ModelManifest } from '../contract/retrieval.js';
import { AppError, type ErrorCode } from '../contract/errors.js';
import type { BatchLimits } from './embedding/batching.js';

/** What a model worker is started with (its `workerData`): the model folder and how to run it. */
export interface ModelWorkerStart {
  dir: string;
  /** onnxruntime intra-op threads. */
  threads: number;
  limits: BatchLimits;
}

/** The loaded model, as a worker reports it once ready. */
export interface ModelWorkerInfo {
  name: string;
  manifest: ModelManifest;
}

/** An error as it crosses the thread boundary: AppErrors keep their code, bugs keep their message. */
export interface WorkerError {
  code?: ErrorCode;
  message: string;
}

/** What the main thread sends a model worker: a job with its id, or the cancellation of one. */
export type ToModelWorker<Job> = { type: 'run'; id: number; job: Job } | { type: 'cancel'; id: number };

/** What a model worker sends back: once ready (or why not), then one result or failure per job. */
export type FromModelWorker<Info, Result> =
  | { type: 'ready'; info: Info }
  | { type: 'load-failed'; error: WorkerError }
  | { type: 'result'; id: number; result: Result }
  | { type: 'failed'; id: number; error: WorkerError };

interface Pending<Result> {
  resolve: (result: Result) => void;
  reject: (error: Error) => void;
}

/**
 * The main thread's side of a worker thread that owns a model: numbered jobs, cancellation by AbortSignal,
 * and the worker unref'd while idle so a forgotten close() never keeps a CLI command alive. A crash fails
 * every waiting job and every later one with `unavailable`.
 */
export class ModelWorker<Info, Job, Result> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending<Result>>();
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly label: string,
  ) {
    worker.on('message', (message: FromModelWorker<Info, Result>) => this.onMessage(message));
    worker.on('error', (error) =>
      this.fail(
        new AppError('unavailable', `the ${label} worker crashed: ${error.message}`, { cause: error }),
      ),
    );
    worker.on('exit', () => this.fail(new AppError('unavailable', `the ${label} worker has stopped`)));
    worker.unref();
  }

  /**
   * Starts `script` (the .ts URL under tsx or vitest, the .js one when built) with `workerData` and waits
   * for its ready message; rejects with the worker's load error, and leaves no thread behind, when not.
   */
  static async start<Info, Job, Result>(
    script: URL,
    workerData: unknown,
    label: string,
  ): Promise<{ worker: ModelWorker<Info, Job, Result>; info: Info }> {
    const thread = new Worker(...workerEntry(script, workerData));
    const info = await waitUntilReady<Info>(thread, label).catch(async (error: unknown) => {
      await thread.terminate();
      throw error;
    });
    return { worker: new ModelWorker<Info, Job, Result>(thread, label), info };
  }

  /** Runs one job; an abort rejects with the signal's reason and tells the worker to drop the job. */
  run(job: Job, signal?: AbortSignal): Promise<Result> {
    if (this.failure) return Promise.reject(this.failure);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      const onAbort = () => {
        this.settle(id);
        this.send({ type: 'cancel', id });
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (result) => (done(), resolve(result)),
        reject: (error) => (done(), reject(error)),
      });
      this.worker.ref();
      this.send({ type: 'run', id, job });
    });
  }

  /** Stops the thread; waiting and later jobs fail with `unavailable` saying the model is closed. */
  async close(): Promise<void> {
    this.fail(new AppError('unavailable', `the ${this.label} is closed`));
    await this.worker.terminate();
  }

  private send(message: ToModelWorker<Job>): void {
    this.worker.postMessage(message);
  }

  private settle(id: number): Pending<Result> | undefined {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    return entry;
  }

  private onMessage(message: FromModelWorker<Info, Result>): void {
    if (message.type !== 'result' && message.type !== 'failed') return;
    const entry = this.settle(message.id);
    if (!entry) return;
    if (message.type === 'failed') entry.reject(fromWorkerError(message.error));
    else entry.resolve(message.result);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(this.failure);
  }
}

/** The worker's first message: ready, or why the model could not be loaded. */
function waitUntilReady<Info>(worker: Worker, label: string): Promise<Info> {
  return new Promise((resolve, reject) => {
    // Only our own listeners are removed: Worker wires its message port through listener events.
    const stop = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: FromModelWorker<Info, unknown>) => {
      stop();
      if (message.type === 'ready') resolve(message.info);
      else if (message.type === 'load-failed') reject(fromWorkerError(message.error));
      else reject(new Error(`the ${label} worker sent ${message.type} before it was ready`));
    };
    const onError = (error: Error) => (stop(), reject(error));
    const onExit = (code: number) => (
      stop(),
      reject(new Error(`the ${label} worker exited (code ${code}) while loading`))
    );
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/** An error from the worker as the caller sees it: AppErrors keep their code, bugs stay plain errors. */
export function fromWorkerError(error: WorkerError): Error {
  return error.code ? new AppError(error.code, error.message) : new Error(error.message);
}

/**
 * Node 20 ignores `--import` in a worker's execArgv, so under tsx or vitest (a .ts script) a small bootstrap
 * registers tsx's loader in the worker and then imports the TypeScript source; built code runs the .js.
 */
function workerEntry(script: URL, workerData: unknown): [string | URL, WorkerOptions] {
  if (!script.pathname.endsWith('.ts')) return [script, { workerData }];
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const bootstrap = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); })`;
  return [bootstrap, { eval: true, workerData }];
}

/**
 * The worker script `name` (say `embed-worker`) beside the module at `moduleUrl`: the .ts source under tsx
 * or vitest, the built .js otherwise.
 */
export function workerScript(moduleUrl: string, name: string): URL {
  return new URL(`./${name}${moduleUrl.endsWith('.ts') ? '.ts' : '.js'}`, moduleUrl);
}

/**
 * Starts the model worker `script` on the model folder `start.dir` (threads default to every core, at most 4)
 * and names the loaded model `name@` its weights' sha256 prefix: the id changes when the weights do, so
 * vectors from two models are never mixed in one index, and logged rerank scores say which model made them.
 */
export async function openModelWorker<Job, Result>(
  script: URL,
  label: string,
  start: { dir: string; threads?: number; limits: BatchLimits },
): Promise<{ worker: ModelWorker<ModelWorkerInfo, Job, Result>; modelId: string; manifest: ModelManifest }> {
  const workerData: ModelWorkerStart = {
    ...start,
    threads: start.threads ?? Math.min(os.availableParallelism(), 4),
  };
  const { worker, info } = await ModelWorker.start<ModelWorkerInfo, Job, Result>(script, workerData, label);
  return { worker, modelId: `${info.name}@${info.manifest.sha256.slice(0, 12)}`, manifest: info.manifest };
}
