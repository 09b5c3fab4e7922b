import path from 'node:path';
import { AppError } from '../contract/errors.js';
import type { Embedder } from '../contract/retrieval.js';
import type { TenantId } from '../contract/tenant.js';
import { AnswerEngine } from '../answer/answer-engine.js';
import { createMessageClassifier } from '../answer/escalation/index.js';
import { resolveGenerator } from '../answer/generation/resolve-generator.js';
import { createGroundingChecker } from '../answer/grounding/index.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { openKnowledge, resolveEmbedder } from './knowledge-context.js';
import type { Output } from './output.js';

export interface OpenedAnswerEngine {
  engine: AnswerEngine;
  kb: KnowledgeBase;
  /** The generator's kind (null: extractive) and the notices said with every draft, for the desk's engine worker. */
  generator: { kind: 'llama' | 'openai' | null; notices: string[] };
  close: () => Promise<void>;
}

/**
 * The answer engine as the CLI and server use it: the knowledge base, the configured generator (or the
 * extractive composer, with a notice when a configured model could not be used), the escalation classifier
 * and the grounding checker, which also uses the generator as a judge when there is one.
 */
export async function openAnswerEngine(
  home: string,
  output: Output,
  options: { tenant?: TenantId } = {},
): Promise<OpenedAnswerEngine> {
  const knowledge = await openKnowledge(home, output);
  try {
    // A mistyped tenant is refused before a generator model (seconds to load) is read.
    if (options.tenant !== undefined && !(await knowledge.store.tenants.get(options.tenant))) {
      throw new AppError(
        'not_found',
        `tenant "${options.tenant}" does not exist; create it with "airdesk tenants create ${options.tenant}"`,
      );
    }
    const { generator, notices } = await resolveGenerator(home);
    const classifier = await createMessageClassifier({
      embedder: knowledge.kb.embedder,
      cacheDir: classifierCacheDir(home),
    });
    const grounding = createGroundingChecker({ embedder: knowledge.kb.embedder, judge: generator });
    const engine = new AnswerEngine({ kb: knowledge.kb, classifier, grounding, generator, notices });
    return {
      engine,
      kb: knowledge.kb,
      generator: { kind: generator?.kind ?? null, notices },
      close: async () => {
        await engine.close();
        await knowledge.close();
      },
    };
  } catch (error) {
    await knowledge.close();
    throw error;
  }
}

/** Just the embedder, for the commands that check text without a tenant's knowledge (classify, grounding). */
export async function openEmbedderOnly(
  home: string,
  output: Output,
): Promise<{ embedder: Embedder | null; close: () => Promise<void> }> {
  const embedder = await resolveEmbedder(home, output);
  return { embedder, close: async () => embedder?.close() };
}

/** Where the escalation classifier keeps its trained weights, so a start loads them instead of training. */
export function classifierCacheDir(home: string): string {
  return path.join(home, 'cache');
}
