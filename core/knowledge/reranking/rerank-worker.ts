/**
 * The rerank worker thread: owns the cross-encoder's onnxruntime session and tokenizer so scoring never
 * blocks the main thread's event loop (HTTP, SSE, index writes). Jobs run oldest first, one batch at a time
 * (see serveModel).
 */
import { readModelFolder } from '../embedding/model-folder.js';
import type { ModelWorkerStart } from '../model-worker.js';
import { serveModel, type ServedModel } from '../serve-model.js';
import { OnnxPairScorer } from './onnx-pair-scorer.js';
import type { RerankJob, RerankResult, RerankWorkerInfo } from './rerank-protocol.js';

await serveModel(
  async (start: ModelWorkerStart): Promise<ServedModel<RerankWorkerInfo, RerankJob, RerankResult>> => {
    const folder = await readModelFolder(start.dir, 'reranker');
    const scorer = await OnnxPairScorer.open(folder, { threads: start.threads, limits: start.limits });
    return {
      info: { name: folder.name, manifest: folder.manifest },
      plan: ({ query, passages }) => {
        const encoded = scorer.tokenize(query, passages);
        const scores = new Float64Array(encoded.length);
        const batches = scorer.plan(encoded).map((batch) => async () => {
          const batchScores = await scorer.scoreEncoded(encoded, batch);
          batch.forEach((pairIndex, row) => (scores[pairIndex] = batchScores[row] ?? Number.NaN));
        });
        return { batches, finish: () => ({ result: scores, transfer: [scores.buffer] }) };
      },
    };
  },
);
