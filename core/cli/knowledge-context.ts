import { AppError } from '../contract/errors.js';
import type { Embedder } from '../contract/retrieval.js';
import type { Store } from '../contract/store.js';
import { defaultEmbedderName, defaultModelDirs, loadEmbedder } from '../knowledge/embedding/registry.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';
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

/** Opens the store and the knowledge base; `close` releases both (and the embedder's worker). */
export async function openKnowledge(
  home: string,
  output: Output,
): Promise<{ store: Store; kb: KnowledgeBase; close: () => Promise<void> }> {
  const store = openSqliteStore(home);
  try {
    const embedder = await resolveEmbedder(home, output);
    const kb = new KnowledgeBase({ store, embedder });
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
