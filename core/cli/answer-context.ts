import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../contract/errors.js';
import type { Embedder } from '../contract/retrieval.js';
import type { TenantId } from '../contract/tenant.js';
import { AnswerEngine } from '../answer/answer-engine.js';
import { createMessageClassifier } from '../answer/escalation/index.js';
import { resolveGenerator } from '../answer/generation/resolve-generator.js';
import { createGroundingChecker } from '../answer/grounding/index.js';
import { WorkerDeskEngine } from '../answer/worker/engine-client.js';
import type { DeskEngine } from '../desk/index.js';
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

export interface OpenedDeskEngine {
  engine: DeskEngine;
  /** The engine worker the desk drafts in; null when it drafts on the main thread. */
  worker: WorkerDeskEngine | null;
  close: () => Promise<void>;
}

/**
 * The engine the widget desk drafts with: an engine worker thread, so drafting never blocks the widget's HTTP
 * event loop and a backlog over its limit is refused at once instead of every reply falling behind. It borrows
 * the main process's embedder and reranker. Answer memory (replies agents approved or wrote) is written by the
 * main engine: the worker only reads. With a local (llama) generator the desk keeps the main engine: a second
 * copy of the model would double its memory, and its generation already runs off the event loop. If the worker
 * cannot start, the desk drafts on the main thread and the log says why. `onCaughtUp` is told when the engine
 * can take questions it could not (its backlog is under the limit again after refusals, or it was restarted
 * after a crash), so the desk drafts the visitor messages left waiting.
 */
export async function openDeskEngine(
  home: string,
  answers: OpenedAnswerEngine,
  logger: FastifyBaseLogger,
  onCaughtUp: () => void,
): Promise<OpenedDeskEngine> {
  const inProcess = { engine: answers.engine, worker: null, close: async () => {} };
  if (answers.generator.kind === 'llama') {
    logger.info('the desk drafts on the main thread: a local generator model is loaded once');
    return inProcess;
  }
  try {
    const worker = await WorkerDeskEngine.open({
      home,
      embedder: answers.kb.embedder,
      reranker: answers.kb.reranking,
      generator: answers.generator.kind === 'openai',
      notices: answers.generator.notices,
      classifierCacheDir: classifierCacheDir(home),
      onOverload: ({ shedding, refused }) => {
        if (shedding)
          logger.warn('the answer engine is overloaded; new visitor messages wait for it to catch up');
        else {
          logger.info({ refused }, 'the answer engine caught up; refused visitor messages are answered now');
          onCaughtUp();
        }
      },
      onCrash: ({ error, restarting, crashes }) =>
        logger.error(
          { err: error, crashesInAMinute: crashes },
          restarting
            ? 'the engine worker crashed; restarting it (the questions it was drafting are refused for 24 hours ' +
                'in case one of them crashed it: agents answer those)'
            : 'the engine worker crashed too often within a minute and stays down: visitor messages get no ' +
                'draft until the server is restarted',
        ),
      onRestarted: () => {
        logger.info(
          'the engine worker was restarted; visitor messages left without a draft are answered now',
        );
        onCaughtUp();
      },
    });
    logger.info({ generator: worker.generatorId }, 'the desk drafts in an engine worker thread');
    const engine: DeskEngine = {
      ask: (tenant, input) => worker.ask(tenant, input),
      remember: (tenant, input) => answers.engine.remember(tenant, input),
    };
    return { engine, worker, close: () => worker.close() };
  } catch (error) {
    logger.warn({ err: error }, 'the engine worker could not start; the desk drafts on the main thread');
    return inProcess;
  }
}
