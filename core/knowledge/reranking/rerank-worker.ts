/**
 * The rerank worker thread: owns the cross-encoder's onnxruntime session and tokenizer so scoring never
 * blocks the main thread's event loop (HTTP, SSE, index writes). Jobs run one batch at a time, oldest first;
 * between batches the worker yields, so a cancel is seen promptly and drops the rest of that job.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../../contract/errors.js';
import type { WorkerError } from '../embedding/worker-protocol.js';
import { readModelFolder } from '../embedding/model-folder.js';
import { OnnxPairScorer } from './onnx-pair-scorer.js';
import type { EncodedPair } from './pair-tokenizer.js';
import type { FromRerankWorker, RerankWorkerStart, ToRerankWorker } from './rerank-protocol.js';

interface Job {
  id: number;
  encoded: EncodedPair[];
  batches: number[][];
  next: number;
  scores: Float64Array;
}

const port = parentPort;
if (!port) throw new Error('rerank-worker.ts runs as a worker thread only');
const start = workerData as RerankWorkerStart;
const jobs: Job[] = [];
let scorer: OnnxPairScorer | null = null;
let draining = false;

const post = (message: FromRerankWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

function toWorkerError(error: unknown): WorkerError {
  if (isAppError(error)) return { code: error.code, message: error.message };
  return { message: error instanceof Error ? error.message : String(error) };
}

port.on('message', (message: ToRerankWorker) => {
  if (message.type === 'cancel') {
    const index = jobs.findIndex((job) => job.id === message.id);
    if (index >= 0) jobs.splice(index, 1);
    return;
  }
  if (!scorer) return post({ type: 'failed', id: message.id, error: { message: 'the model is not loaded' } });
  try {
    const encoded = scorer.tokenize(message.job.query, message.job.passages);
    const scores = new Float64Array(encoded.length);
    if (encoded.length === 0) return post({ type: 'result', id: message.id, result: scores });
    jobs.push({ id: message.id, encoded, batches: scorer.plan(encoded), next: 0, scores });
  } catch (error) {
    return post({ type: 'failed', id: message.id, error: toWorkerError(error) });
  }
  void drain();
});

/** Runs queued batches until none is left; never rejects (each job's failure is reported to its caller). */
async function drain(): Promise<void> {
  if (draining || !scorer) return;
  draining = true;
  const model = scorer;
  try {
    for (;;) {
      const job = jobs[0];
      if (!job) break;
      const batch = job.batches[job.next++] ?? [];
      try {
        const scores = await model.scoreEncoded(job.encoded, batch);
        batch.forEach((pairIndex, row) => (job.scores[pairIndex] = scores[row] ?? Number.NaN));
        if (job.next >= job.batches.length) {
          remove(job);
          post({ type: 'result', id: job.id, result: job.scores }, [job.scores.buffer as ArrayBuffer]);
        }
      } catch (error) {
        remove(job);
        post({ type: 'failed', id: job.id, error: toWorkerError(error) });
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    draining = false;
  }
}

function remove(job: Job): void {
  const index = jobs.indexOf(job);
  if (index >= 0) jobs.splice(index, 1);
}

try {
  const folder = await readModelFolder(start.dir, 'reranker');
  scorer = await OnnxPairScorer.open(folder, { threads: start.threads, limits: start.limits });
  post({ type: 'ready', info: { name: folder.name, manifest: folder.manifest } });
} catch (error) {
  post({ type: 'load-failed', error: toWorkerError(error) });
}
