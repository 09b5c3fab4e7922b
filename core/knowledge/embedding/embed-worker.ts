/**
 * The embedding worker thread: owns the onnxruntime session and the tokenizer so inference never blocks the
 * main thread's event loop (HTTP, SSE, index writes). Requests run one batch at a time; between batches the
 * worker yields, so a cancel is seen promptly and a waiting query goes before the rest of a bulk ingest.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError } from '../../contract/errors.js';
import { readModelFolder } from './model-folder.js';
import { OnnxTextEncoder } from './onnx-text-encoder.js';
import type { FromWorker, ToWorker, WorkerError, WorkerStart } from './worker-protocol.js';

interface Job {
  id: number;
  kind: 'query' | 'document';
  encoded: number[][];
  batches: number[][];
  next: number;
  vectors: Float32Array;
}

const port = parentPort;
if (!port) throw new Error('embed-worker.ts runs as a worker thread only');
const start = workerData as WorkerStart;
const jobs: Job[] = [];
let encoder: OnnxTextEncoder | null = null;
let draining = false;

const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

function toWorkerError(error: unknown): WorkerError {
  if (isAppError(error)) return { code: error.code, message: error.message };
  return { message: error instanceof Error ? error.message : String(error) };
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') {
    const index = jobs.findIndex((job) => job.id === message.id);
    if (index >= 0) jobs.splice(index, 1);
    return;
  }
  if (!encoder)
    return post({ type: 'failed', id: message.id, error: { message: 'the model is not loaded' } });
  try {
    const encoded = encoder.tokenize(message.texts, message.kind);
    const dims = encoder.manifest.dims;
    const job = { id: message.id, kind: message.kind, encoded, batches: encoder.plan(encoded), next: 0 };
    jobs.push({ ...job, vectors: new Float32Array(encoded.length * dims) });
  } catch (error) {
    return post({ type: 'failed', id: message.id, error: toWorkerError(error) });
  }
  void drain();
});

/** Runs queued batches until none is left; never rejects (each job's failure is reported to its caller). */
async function drain(): Promise<void> {
  if (draining || !encoder) return;
  draining = true;
  const model = encoder;
  try {
    for (;;) {
      const job = jobs.find((j) => j.kind === 'query') ?? jobs[0];
      if (!job) break;
      const batch = job.batches[job.next++] ?? [];
      try {
        const vectors = await model.embedEncoded(job.encoded, batch);
        batch.forEach((textIndex, row) =>
          job.vectors.set(vectors[row] ?? [], textIndex * model.manifest.dims),
        );
        if (job.next >= job.batches.length) {
          remove(job);
          post({ type: 'result', id: job.id, vectors: job.vectors }, [job.vectors.buffer as ArrayBuffer]);
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
  const folder = await readModelFolder(start.dir, 'embedder');
  encoder = await OnnxTextEncoder.open(folder, { threads: start.threads, limits: start.limits });
  post({ type: 'ready', name: folder.name, manifest: folder.manifest });
} catch (error) {
  post({ type: 'load-failed', error: toWorkerError(error) });
}
