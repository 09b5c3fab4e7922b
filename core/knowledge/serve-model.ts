/**
 * The worker thread's side of ModelWorker: the message loop, the job queue, cancellation and error
 * serialisation, shared by every model worker. Jobs run one batch (forward pass) at a time; between batches
 * the worker yields, so a cancel is seen promptly and drops the rest of that job, and an urgent job (an
 * interactive query) goes before the rest of a bulk one.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../contract/errors.js';
import type { FromModelWorker, ToModelWorker, WorkerError } from './model-worker.js';

/** One job as the model plans it: its forward passes, then its result. */
export interface PlannedJob<Result> {
  /** Runs before every job that is not urgent. */
  urgent?: boolean;
  /** The forward passes, run one at a time in order; each stores its share of the result. */
  batches: (() => Promise<void>)[];
  /** The result once every batch has run, and the buffers to transfer rather than copy. */
  finish(): { result: Result; transfer?: ArrayBuffer[] };
}

/** A loaded model: what the worker reports as ready, and how it turns a job into batches (throws if bad). */
export interface ServedModel<Info, Job, Result> {
  info: Info;
  plan(job: Job): PlannedJob<Result>;
}

interface Queued<Result> {
  id: number;
  planned: PlannedJob<Result>;
  next: number;
}

/**
 * Runs this worker thread's model: loads it from `workerData` with `load`, reports ready (or why it could
 * not load), then serves ModelWorker.run jobs until the thread is terminated.
 */
export async function serveModel<Start, Info, Job, Result>(
  load: (start: Start) => Promise<ServedModel<Info, Job, Result>>,
): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('a model worker runs as a worker thread only');
  const post = (message: FromModelWorker<Info, Result>, transfer: ArrayBuffer[] = []) =>
    port.postMessage(message, transfer);
  const jobs: Queued<Result>[] = [];
  let model: ServedModel<Info, Job, Result> | null = null;
  let draining = false;

  const remove = (job: Queued<Result>) => {
    const index = jobs.indexOf(job);
    if (index >= 0) jobs.splice(index, 1);
  };
  const finish = (job: Queued<Result>) => {
    remove(job);
    const { result, transfer } = job.planned.finish();
    post({ type: 'result', id: job.id, result }, transfer);
  };

  /** Runs queued batches until none is left; never rejects (each job's failure goes to its caller). */
  const drain = async () => {
    if (draining) return;
    draining = true;
    try {
      for (;;) {
        const job = jobs.find((j) => j.planned.urgent) ?? jobs[0];
        if (!job) break;
        try {
          await job.planned.batches[job.next++]?.();
          if (job.next >= job.planned.batches.length) finish(job);
        } catch (error) {
          remove(job);
          post({ type: 'failed', id: job.id, error: toWorkerError(error) });
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      draining = false;
    }
  };

  port.on('message', (message: ToModelWorker<Job>) => {
    if (message.type === 'cancel') {
      const index = jobs.findIndex((job) => job.id === message.id);
      if (index >= 0) jobs.splice(index, 1);
      return;
    }
    if (!model)
      return post({ type: 'failed', id: message.id, error: { message: 'the model is not loaded' } });
    try {
      const job = { id: message.id, planned: model.plan(message.job), next: 0 };
      if (job.planned.batches.length === 0) return finish(job);
      jobs.push(job);
    } catch (error) {
      return post({ type: 'failed', id: message.id, error: toWorkerError(error) });
    }
    void drain();
  });

  try {
    model = await load(workerData as Start);
    post({ type: 'ready', info: model.info });
  } catch (error) {
    post({ type: 'load-failed', error: toWorkerError(error) });
  }
}

function toWorkerError(error: unknown): WorkerError {
  if (isAppError(error)) return { code: error.code, message: error.message };
  return { message: error instanceof Error ? error.message : String(error) };
}
