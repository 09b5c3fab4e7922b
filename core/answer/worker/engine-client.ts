import { Worker } from 'node:worker_threads';
import type { AnswerDraft } from '../../contract/answer.js';
import { AppError } from '../../contract/errors.js';
import type { Embedder, Reranker } from '../../contract/retrieval.js';
import type { TenantId } from '../../contract/tenant.js';
import { fromWorkerError, workerScript, type WorkerError } from '../../knowledge/model-worker.js';
import type { AskInput } from '../answer-engine.js';
import type { EngineWorkerStart, FromEngineWorker, ModelCall, ToEngineWorker } from './protocol.js';

export interface WorkerDeskEngineOptions {
  home: string;
  /** The main process's models, lent to the worker (never loaded twice). */
  embedder: Embedder | null;
  reranker?: { reranker: Reranker; top: number } | null;
  /** Whether the worker loads the configured generator; false: extractive drafts. */
  generator: boolean;
  /** With `generator` false: said with every draft (the main process's notices about the generator). */
  notices?: string[];
  classifierCacheDir?: string;
  /** Questions the worker runs at once (they overlap on index and database I/O). Default 2. */
  concurrency?: number;
  /**
   * Questions that may wait for a free slot; one more is refused at once with `unavailable` (the desk then
   * keeps the visitor's message for an agent) rather than answered seconds late. Default 50 (about a second
   * of extractive drafting).
   */
  maxWaiting?: number;
  /**
   * Linux nice steps the worker thread runs below the main thread (default 10): when the CPU is short, the
   * widget's HTTP requests and event streams go before drafting. 0 keeps them equal.
   */
  niceness?: number;
  /** Told when refusals start (`shedding`) and when the backlog is under the limit again (with the count). */
  onOverload?: (event: { shedding: boolean; refused: number }) => void;
}

interface Job {
  tenant: TenantId;
  input: AskInput;
  resolve: (draft: AnswerDraft) => void;
  reject: (error: Error) => void;
  id?: number;
}

/**
 * The desk's answer engine (DeskEngine) in a worker thread: drafting runs off the widget's HTTP event loop, a
 * bounded backlog sheds load with `unavailable` instead of letting every reply fall seconds behind, and a
 * cancel reaches the worker by message (an AbortSignal cannot cross threads).
 */
export class WorkerDeskEngine {
  private nextId = 1;
  private readonly running = new Map<number, Job>();
  private readonly waiting: Job[] = [];
  private failure: Error | null = null;
  private refused = 0;
  private readonly concurrency: number;
  private readonly maxWaiting: number;

  private constructor(
    private readonly worker: Worker,
    readonly generatorId: string,
    private readonly options: WorkerDeskEngineOptions,
  ) {
    this.concurrency = options.concurrency ?? 2;
    this.maxWaiting = options.maxWaiting ?? 50;
    worker.on('message', (message: FromEngineWorker) => this.onMessage(message));
    worker.on('error', (error) =>
      this.fail(new AppError('unavailable', `the engine worker crashed: ${error.message}`, { cause: error })),
    );
    worker.on('exit', () => this.fail(new AppError('unavailable', 'the engine worker has stopped')));
    worker.unref();
  }

  /** Starts the worker and waits until its engine is open; rejects with its load error (no thread left). */
  static async open(options: WorkerDeskEngineOptions): Promise<WorkerDeskEngine> {
    const start: EngineWorkerStart = {
      home: options.home,
      embedder: options.embedder && {
        modelId: options.embedder.modelId,
        dims: options.embedder.dims,
        maxTokens: options.embedder.maxTokens,
      },
      reranker: options.reranker
        ? { modelId: options.reranker.reranker.modelId, top: options.reranker.top }
        : null,
      generator: options.generator,
      notices: options.notices ?? [],
      niceness: options.niceness ?? 10,
      ...(options.classifierCacheDir ? { classifierCacheDir: options.classifierCacheDir } : {}),
    };
    const worker = new Worker(...workerEntry(workerScript(import.meta.url, 'engine-worker'), start));
    // Model calls can come while the worker loads (the classifier embeds its examples when it trains).
    const serveModels = (message: FromEngineWorker) => {
      if (message.type === 'model') void answerModelCall(worker, options, message.id, message.call);
    };
    worker.on('message', serveModels);
    try {
      const generatorId = await waitUntilReady(worker);
      return new WorkerDeskEngine(worker, generatorId, options);
    } catch (error) {
      await worker.terminate();
      throw error;
    } finally {
      worker.off('message', serveModels);
    }
  }

  ask(tenant: TenantId, input: AskInput): Promise<AnswerDraft> {
    if (this.failure) return Promise.reject(this.failure);
    if (input.signal?.aborted) return Promise.reject(input.signal.reason as Error);
    return new Promise<AnswerDraft>((resolve, reject) => {
      const job: Job = { tenant, input, resolve, reject };
      if (this.running.size < this.concurrency) return this.send(job);
      if (this.waiting.length >= this.maxWaiting) {
        if (this.refused++ === 0) this.options.onOverload?.({ shedding: true, refused: 0 });
        return reject(
          new AppError(
            'unavailable',
            `the answer engine is busy (${this.waiting.length} questions waiting); it is drafted once the engine catches up`,
          ),
        );
      }
      this.waiting.push(job);
      input.signal?.addEventListener(
        'abort',
        () => {
          const index = this.waiting.indexOf(job);
          if (index < 0) return; // already sent: the worker was told
          this.waiting.splice(index, 1);
          reject(input.signal?.reason as Error);
        },
        { once: true },
      );
    });
  }

  /** Questions running in the worker, waiting for it, and refused since the last overload ended. */
  stats(): { running: number; waiting: number; refused: number } {
    return { running: this.running.size, waiting: this.waiting.length, refused: this.refused };
  }

  /** Stops the thread; waiting and later questions fail with `unavailable`. */
  async close(): Promise<void> {
    this.fail(new AppError('unavailable', 'the answer engine is closed'));
    await this.worker.terminate();
  }

  private send(job: Job): void {
    const id = this.nextId++;
    job.id = id;
    this.running.set(id, job);
    this.worker.ref();
    const { signal, onToken: _onToken, ...input } = job.input;
    signal?.addEventListener('abort', () => this.post({ type: 'cancel', id }), { once: true });
    this.post({ type: 'ask', id, tenant: job.tenant, input });
  }

  private post(message: ToEngineWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private onMessage(message: FromEngineWorker): void {
    if (message.type === 'model') {
      void answerModelCall(this.worker, this.options, message.id, message.call);
      return;
    }
    if (message.type !== 'answered' && message.type !== 'failed') return;
    const job = this.running.get(message.id);
    if (!job) return;
    this.running.delete(message.id);
    if (message.type === 'failed') job.reject(fromWorkerError(message.error));
    else job.resolve(message.draft);
    const next = this.waiting.shift();
    if (next) this.send(next);
    else if (this.running.size === 0) this.worker.unref();
    if (this.refused > 0 && this.waiting.length < this.maxWaiting / 2) {
      this.options.onOverload?.({ shedding: false, refused: this.refused });
      this.refused = 0;
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const jobs = [...this.running.values(), ...this.waiting.splice(0)];
    this.running.clear();
    for (const job of jobs) job.reject(this.failure);
  }
}

/** Runs a model call of the worker on the main process's embedder or reranker and posts the outcome back. */
async function answerModelCall(
  worker: Worker,
  options: WorkerDeskEngineOptions,
  id: number,
  call: ModelCall,
): Promise<void> {
  const post = (message: ToEngineWorker, transfer: ArrayBuffer[] = []) =>
    worker.postMessage(message, transfer);
  try {
    if (call.model === 'embed') {
      if (!options.embedder) throw new Error('the engine worker asked for an embedder it was not given');
      const vectors = await options.embedder.embed(call.texts, call.kind);
      // Copies, not the embedder's own buffers: a cached vector must stay usable here after the transfer.
      const copies = vectors.map((v) => v.slice());
      post(
        { type: 'model-result', id, result: copies },
        copies.map((v) => v.buffer),
      );
    } else {
      const reranker = options.reranker?.reranker;
      if (!reranker) throw new Error('the engine worker asked for a reranker it was not given');
      post({ type: 'model-result', id, result: await reranker.score(call.query, call.passages) });
    }
  } catch (error) {
    const crossing: WorkerError =
      error instanceof AppError
        ? { code: error.code, message: error.message }
        : { message: error instanceof Error ? error.message : String(error) };
    post({ type: 'model-failed', id, error: crossing });
  }
}

function waitUntilReady(worker: Worker): Promise<string> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: FromEngineWorker) => {
      if (message.type === 'model') return;
      stop();
      if (message.type === 'ready') resolve(message.generatorId);
      else if (message.type === 'load-failed') reject(fromWorkerError(message.error));
      else reject(new Error(`the engine worker sent ${message.type} before it was ready`));
    };
    const onError = (error: Error) => (stop(), reject(error));
    const onExit = (code: number) => (
      stop(),
      reject(new Error(`the engine worker exited (code ${code}) while loading`))
    );
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/** As in model-worker.ts: under tsx or vitest a bootstrap registers tsx in the worker (Node 20 ignores --import). */
function workerEntry(
  script: URL,
  workerData: unknown,
): [string | URL, { eval?: boolean; workerData: unknown }] {
  if (!script.pathname.endsWith('.ts')) return [script, { workerData }];
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const bootstrap = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); })`;
  return [bootstrap, { eval: true, workerData }];
}
