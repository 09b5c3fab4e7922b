import { AnswerEngine } from '../answer/answer-engine.js';
import { createMessageClassifier } from '../answer/escalation/index.js';
import { createGroundingChecker } from '../answer/grounding/index.js';
import type { TextGenerator } from '../contract/answer.js';
import type { Embedder } from '../contract/retrieval.js';
import type { Store } from '../contract/store.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { AnswerDesk } from './answer-routes.js';

/**
 * The answer engine as `airdesk serve` builds it (core/cli/answer-context.ts), over a store the test opened:
 * the real classifier and grounding checker, the given embedder (null = BM25) and generator (null = the
 * extractive composer).
 */
export async function openTestAnswerDesk(
  store: Store,
  embedder: Embedder | null,
  generator: TextGenerator | null = null,
): Promise<{ desk: AnswerDesk; kb: KnowledgeBase; close: () => Promise<void> }> {
  const kb = new KnowledgeBase({ store, embedder });
  const engine = new AnswerEngine({
    kb,
    classifier: await createMessageClassifier({ embedder }),
    grounding: createGroundingChecker({ embedder }),
    generator,
  });
  return {
    desk: { engine, memory: embedder !== null },
    kb,
    close: async () => {
      await engine.close();
      await kb.close();
    },
  };
}
