import type { Worker } from 'node:worker_threads';
import type { AnswerDraft } from '../../contract/answer.js';
import { AppError } from '../../contract/errors.js';
import type { TenantId } from '../../contract/tenant.js';
import { fromWorkerError } from '../../knowledge/model-worker.js';
import type { AskInput } from '../answer-engine.js';
import { PoisonedQuestions } from './poisoned-questions.js';
import type { FromEngineWorker, ToEngineWorker } from './protocol.js';
import { startEngineThread, type EngineThreadOptions } from './engine-thread.js';

export interface WorkerDeskEngineOptions extends EngineThreadOptions {
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
  /**
   * Told when the worker thread dies other than by close(). `restarting` false: it died too often within a
   * minute and stays down; every question is refused with `unavailable` from then on. `crashes`: within the
   * last minute, this one included.
   */
  onCrash?: (event: { error: Error; restarting: boolean; crashes: number }) => void;
  /** Told when a restarted worker is ready: the questions the crash cut off can be asked again. */
  onRestarted?: () => void;
  /** Restarts within a minute before the engine stays down. Default 3. */
  maxRestartsPerMinute?: number;
  /**
   * Wait before the first restart within a minute; it doubles with each further one (1 s, 2 s, 4 s by default),
   * so a crash loop does not burn through the restarts in a blink.
   */
  restartBackoffMs?: number;
}

interface Job {
  tenant: TenantId;
  input: AskInput;
  resolve: (draft: AnswerDraft) => void;
  reject: (error: Error) => void;
  id?: number;
}

/** The questions asked with one caller's signal, and the one listener this engine has on it. */
interface Watched {
  jobs: Set<Job>;
  onAbort: () => void;
}

const restartWindowMs = 60_000;
/**
 * The desk's answer engine (DeskEngine) in a worker thread: drafting runs off the widget's HTTP event loop, a
 * bounded backlog sheds load with `unavailable` instead of letting every reply fall seconds behind, and a
 * cancel reaches the worker by message (an AbortSignal cannot cross threads). A thread that dies is restarted
 * (a few times a minute at most, after a growing pause); the questions it was running fail with `unavailable`,
 * those waiting wait, and the ones it was running are refused for a day (see PoisonedQuestions).
 */
export class WorkerDeskEngine {
  private nextId = 1;
  private readonly running = new Map<number, Job>();
  private readonly waiting: Job[] = [];
  private failure: Error | null = null;
  private refused = 0;
  private closing = false;
  /** null while a restarted thread loads. */
  private thread: Worker | null = null;
  private readonly crashes: number[] = [];
  /** Questions running at a crash: refused for a day. */
  private readonly poisoned = new PoisonedQuestions();
  private restartTimer: NodeJS.Timeout | null = null;
  /**
   * One listener per caller's signal, not per question: the server passes one long-lived shutdown signal with
   * every question (up to a full backlog at once), and a listener left behind would keep its question alive.
   */
  private readonly watched = new Map<AbortSignal, Watched>();
  private readonly concurrency: number;
  private readonly maxWaiting: number;

  private constructor(
    thread: Worker,
    readonly generatorId: string,
    private readonly options: WorkerDeskEngineOptions,
  ) {
    this.concurrency = options.concurrency ?? 2;
    this.maxWaiting = options.maxWaiting ?? 50;
    this.attach(thread);
  }

  /** Starts the worker and waits until its engine is open; rejects with its load error (no thread left). */
  static async open(options: WorkerDeskEngineOptions): Promise<WorkerDeskEngine> {
    const { worker, generatorId } = await startEngineThread(options);
    return new WorkerDeskEngine(worker, generatorId, options);
  }

  ask(tenant: TenantId, input: AskInput): Promise<AnswerDraft> {
    if (this.failure) return Promise.reject(this.failure);
    if (input.signal?.aborted) return Promise.reject(input.signal.reason as Error);
    const poisoned = this.poisoned.refusal(tenant, input);
    if (poisoned) return Promise.reject(poisoned);
    return new Promise<AnswerDraft>((resolve, reject) => {
      const job: Job = { tenant, input, resolve, reject };
      if (this.thread && this.running.size < this.concurrency) return (this.watch(job), this.send(job));
      if (this.waiting.length >= this.maxWaiting) {
        if (this.refused++ === 0) this.options.onOverload?.({ shedding: true, refused: 0 });
        return reject(
          new AppError(
            'unavailable',
            `the answer engine is busy (${this.waiting.length} questions waiting); it is drafted once the engine catches up`,
          ),
        );
      }
      this.watch(job);
      this.waiting.push(job);
    });
  }

  /** Questions running in the worker, waiting for it, and refused since the last overload ended. */
  stats(): { running: number; waiting: number; refused: number } {
    return { running: this.running.size, waiting: this.waiting.length, refused: this.refused };
  }

  /** Stops the thread; waiting and later questions fail with `unavailable`. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.fail(new AppError('unavailable', 'the answer engine is closed'));
    await this.thread?.terminate();
  }

  /** Ends the worker thread as a crash would (tests of the restart; the engine reacts as to a real crash). */
  async terminateThread(): Promise<void> {
    await this.thread?.terminate();
  }

  private attach(thread: Worker): void {
    this.thread = thread;
    thread.on('message', (message: FromEngineWorker) => this.onMessage(message));
    // An error event is followed by an exit event: the first one seen reports the crash.
    let dead = false;
    const died = (error: Error) => {
      if (dead) return;
      dead = true;
      this.onThreadDied(thread, error);
    };
    thread.on('error', (error) =>
      died(new Error(`the engine worker crashed: ${error.message}`, { cause: error })),
    );
    thread.on('exit', (code) => died(new Error(`the engine worker stopped (exit code ${code})`)));
    if (this.running.size === 0) thread.unref();
  }

  private onThreadDied(thread: Worker, error: Error): void {
    if (this.closing || this.thread !== thread) return;
    this.thread = null;
    const cutOff = [...this.running.values()];
    this.running.clear();
    // Which of them killed the thread is unknown (any of them may have): each is refused from now on, so a
    // question that crashes the worker does it once, not on every catch-up until the engine stays down.
    for (const job of cutOff) this.poisoned.remember(job.tenant, job.input);
    for (const job of cutOff) {
      this.settle(job);
      job.reject(
        new AppError('unavailable', `${error.message}; the question was not drafted`, { cause: error }),
      );
    }
    this.recover(error);
  }

  /** Restarts the thread unless it died too often within a minute; a failed start counts as a crash too. */
  private recover(error: Error): void {
    const now = Date.now();
    this.crashes.push(now);
    while ((this.crashes[0] ?? now) <= now - restartWindowMs) this.crashes.shift();
    const restarting = this.crashes.length <= (this.options.maxRestartsPerMinute ?? 3);
    this.options.onCrash?.({ error, restarting, crashes: this.crashes.length });
    if (!restarting) {
      this.fail(
        new AppError(
          'unavailable',
          `the engine worker stopped ${this.crashes.length} times within a minute and is not restarted again ` +
            `(last: ${error.message}); restart the server`,
          { cause: error },
        ),
      );
      return;
    }
    // 1 s, 2 s, 4 s… (by default) after the first, second, third crash within the minute.
    const backoffMs = (this.options.restartBackoffMs ?? 1_000) * 2 ** (this.crashes.length - 1);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.closing) this.restart();
    }, backoffMs);
  }

  private restart(): void {
    void startEngineThread(this.options).then(
      ({ worker }) => {
        if (this.closing) return void worker.terminate();
        this.attach(worker);
        while (this.running.size < this.concurrency && this.waiting.length > 0) {
          const job = this.waiting.shift()!;
          // The same question asked again while the thread was down waits here: it is refused as well.
          const poisoned = this.poisoned.refusal(job.tenant, job.input);
          if (!poisoned) this.send(job);
          else {
            this.settle(job);
            job.reject(poisoned);
          }
        }
        this.options.onRestarted?.();
      },
      (loadError: unknown) => {
        if (!this.closing)
          this.recover(loadError instanceof Error ? loadError : new Error(String(loadError)));
      },
    );
  }

  private send(job: Job): void {
    const thread = this.thread;
    if (!thread) throw new Error('send without a worker thread');
    const id = this.nextId++;
    job.id = id;
    this.running.set(id, job);
    thread.ref();
    const { signal: _signal, onToken: _onToken, ...input } = job.input;
    this.post({ type: 'ask', id, tenant: job.tenant, input });
  }

  private watch(job: Job): void {
    const { signal } = job.input;
    if (!signal) return;
    let watched = this.watched.get(signal);
    if (!watched) {
      const jobs = new Set<Job>();
      // A waiting question is dropped with the caller's reason; a running one is cancelled in the worker.
      const onAbort = () => {
        this.watched.delete(signal);
        for (const aborted of jobs) {
          const index = this.waiting.indexOf(aborted);
          if (index >= 0) {
            this.waiting.splice(index, 1);
            aborted.reject(signal.reason as Error);
          } else if (aborted.id !== undefined) this.post({ type: 'cancel', id: aborted.id });
        }
      };
      watched = { jobs, onAbort };
      this.watched.set(signal, watched);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    watched.jobs.add(job);
  }

  /** The question has its answer or error: its caller's signal is no longer watched for it. */
  private settle(job: Job): void {
    const { signal } = job.input;
    const watched = signal && this.watched.get(signal);
    if (!signal || !watched) return;
    watched.jobs.delete(job);
    if (watched.jobs.size > 0) return;
    this.watched.delete(signal);
    signal.removeEventListener('abort', watched.onAbort);
  }

  private post(message: ToEngineWorker): void {
    this.thread?.postMessage(message);
  }

  private onMessage(message: FromEngineWorker): void {
    if (message.type !== 'answered' && message.type !== 'failed') return;
    const job = this.running.get(message.id);
    if (!job) return;
    this.running.delete(message.id);
    this.settle(job);
    if (message.type === 'failed') job.reject(fromWorkerError(message.error));
    else job.resolve(message.draft);
    const next = this.waiting.shift();
    if (next) this.send(next);
    else if (this.running.size === 0) this.thread?.unref();
    if (this.refused > 0 && this.waiting.length < this.maxWaiting / 2) {
      this.options.onOverload?.({ shedding: false, refused: this.refused });
      this.refused = 0;
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const jobs = [...this.running.values(), ...this.waiting.splice(0)];
    this.running.clear();
    for (const job of jobs) {
      this.settle(job);
      job.reject(this.failure);
    }
  }
}
