import { AppError } from '../contract/errors.js';
import type { Embedder, Reranker } from '../contract/retrieval.js';
import type { Store } from '../contract/store.js';
import { defaultEmbedderName, defaultModelDirs, loadEmbedder } from '../knowledge/embedding/registry.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { loadReranker } from '../knowledge/reranking/onnx-reranker.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Output } from './output.js';

/**
 * The embedder the CLI and server use: `AIRDESK_EMBEDDER` names a model in AIRDESK_HOME/models or the package's
 * models/ ("none" turns vectors off); by default the set-up's all-MiniLM-L6-v2. A missing default model means
 * full-text search with a notice; a named or broken model is an error that says which file is wrong.
 */
export async function resolveEmbedder(home: string, output: Output): Promise<Embedder | null> {
  const wanted = process.env.AIRDESK_EMBEDDER?.trim();
  if (wanted === 'none') return null;
  const name = wanted || defaultEmbedderName;
  try {
    return await loadEmbedder(name, defaultModelDirs(home));
  } catch (error) {
    if (!wanted && error instanceof AppError && error.code === 'not_found') {
      output.info(`airdesk: note: ${error.message}`);
      return null;
    }
    throw error;
  }
}

/**
 * The optional cross-encoder: `AIRDESK_RERANKER` names a reranker model folder; without it there is no rerank
 * stage. `AIRDESK_RERANK_TOP` (default 20) is how many fused hits it re-scores.
 */
export async function resolveReranker(home: string): Promise<{ reranker: Reranker; top: number } | null> {
  const name = process.env.AIRDESK_RERANKER?.trim();
  if (!name || name === 'none') return null;
  const top = Number(process.env.AIRDESK_RERANK_TOP ?? 20);
  if (!Number.isInteger(top) || top < 1 || top > 200) {
    throw new AppError('invalid_input', 'AIRDESK_RERANK_TOP must be a whole number from 1 to 200');
  }
  return { reranker: await loadReranker(name, defaultModelDirs(home)), top };
}

/** Opens the store and the knowledge base; `close` releases both (and the models' workers). */
export async function openKnowledge(
  home: string,
  output: Output,
): Promise<{ store: Store; kb: KnowledgeBase; close: () => Promise<void> }> {
  const store = openSqliteStore(home);
  try {
    const embedder = await resolveEmbedder(home, output);
    const rerank = await resolveReranker(home).catch(async (error: unknown) => {
      await embedder?.close();
      throw error;
    });
    const kb = new KnowledgeBase({
      store,
      embedder,
      ...(rerank ? { reranker: rerank.reranker, rerankTop: rerank.top } : {}),
    });
    return {
      store,
      kb,
      close: async () => {
        await kb.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
