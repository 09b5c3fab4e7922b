/**
 * The embedding worker thread: owns the onnxruntime session and the tokenizer so inference never blocks the
 * main thread's event loop (HTTP, SSE, index writes). Queries are urgent, so a waiting query goes before the
 * rest of a bulk ingest (see serveModel).
 */
import type { ModelWorkerStart } from '../model-worker.js';
import { serveModel, type ServedModel } from '../serve-model.js';
import { readModelFolder } from './model-folder.js';
import { OnnxTextEncoder } from './onnx-text-encoder.js';
import type { EmbedJob, EmbedResult, EmbedWorkerInfo } from './worker-protocol.js';

await serveModel(
  async (start: ModelWorkerStart): Promise<ServedModel<EmbedWorkerInfo, EmbedJob, EmbedResult>> => {
    const folder = await readModelFolder(start.dir, 'embedder');
    const encoder = await OnnxTextEncoder.open(folder, { threads: start.threads, limits: start.limits });
    const dims = encoder.manifest.dims;
    return {
      info: { name: folder.name, manifest: folder.manifest },
      plan: ({ texts, kind }) => {
        const encoded = encoder.tokenize(texts, kind);
        const vectors = new Float32Array(encoded.length * dims);
        const batches = encoder.plan(encoded).map((batch) => async () => {
          const batchVectors = await encoder.embedEncoded(encoded, batch);
          batch.forEach((textIndex, row) => vectors.set(batchVectors[row] ?? [], textIndex * dims));
        });
        return {
          urgent: kind === 'query',
          batches,
          finish: () => ({ result: vectors, transfer: [vectors.buffer] }),
        };
      },
    };
  },
);
