import type {
  ConversationSignals,
  CriticalCategory,
  MessageClassification,
  Sentiment,
} from '../../contract/answer.js';
import type { Embedder } from '../../contract/retrieval.js';
import { classifyQuery } from '../../knowledge/retrieval/query-type.js';
import { isComplex } from './complexity.js';
import { sparseFeatures } from './features.js';
import { loadOrTrainHeads, type HeadsCacheReport, type LoadedHeads } from './heads-cache.js';
import { criticalClasses, denseInput, sentimentClasses, type Head, type TrainedHeads } from './heads.js';
import { decideEscalation } from './rules.js';

/** Probability at or above which a message counts as asking for a human. */
export const wantsHumanThreshold = 0.5;
/** Probability at or above which a critical category counts as raised. */
export const criticalThreshold = 0.5;

export interface MessageClassifierOptions {
  /** The sentence embedder (MiniLM by default); null or absent: character and word features only. */
  embedder?: Embedder | null;
  /**
   * Folder for the trained-heads cache (`<home>/cache` in the CLI and server): a second start loads the heads
   * from there in milliseconds instead of training them. Absent: train on every start, write nothing.
   */
  cacheDir?: string | undefined;
}

/** Classifies visitor messages and decides on escalation (SPEC `classify --batch`). */
export interface MessageClassifier {
  /** The embedding model used, or null when the classifier runs on n-gram features only. */
  readonly embedderId: string | null;
  /** Where this process got the heads: read from the cache file, or trained from the examples. */
  readonly headsSource: 'cache' | 'trained';
  /** What happened with the cache file, or null without `cacheDir`. */
  readonly headsCache: HeadsCacheReport | null;
  classify(signals: ConversationSignals, abort?: AbortSignal): Promise<MessageClassification>;
  /** Same as `classify` per item, with one embedding call for the whole batch. */
  classifyBatch(signals: ConversationSignals[], abort?: AbortSignal): Promise<MessageClassification[]>;
}

// Trained (or loaded) once per process, embedding model and cache folder: the examples ship with the code, so
// the heads are a pure function of (code, embedder) and training again would only cost start-up time.
const trained = new Map<string, Promise<LoadedHeads>>();

function headsFor(embedder: Embedder | null, cacheDir: string | undefined): Promise<LoadedHeads> {
  const key = `${embedder?.modelId ?? ''}\0${cacheDir ?? ''}`;
  let heads = trained.get(key);
  if (!heads) {
    heads = loadOrTrainHeads(embedder, { cacheDir });
    trained.set(key, heads);
    // A failed embedding call must not poison the cache for the next caller.
    heads.catch(() => trained.delete(key));
  }
  return heads;
}

/** Forgets the heads held in memory, so the next `createMessageClassifier` loads or trains again (tests). */
export function forgetTrainedHeads(): void {
  trained.clear();
}

function argmax(probs: number[]): number {
  let best = 0;
  for (let k = 1; k < probs.length; k++) if ((probs[k] ?? 0) > (probs[best] ?? 0)) best = k;
  return best;
}

function classifyOne(
  heads: TrainedHeads,
  signals: ConversationSignals,
  vector?: Float32Array,
): MessageClassification {
  const text = signals.text.trim();
  const sparse = sparseFeatures(text);
  const dense = (head: Head) => (vector ? denseInput(vector, head) : undefined);
  const wantsHuman = text ? (heads.wantsHuman.predict(sparse, dense('wantsHuman'))[1] ?? 0) : 0;
  const sentimentProbs = heads.sentiment.predict(sparse, dense('sentiment'));
  const sentiment: Sentiment = text ? (sentimentClasses[argmax(sentimentProbs)] ?? 'neutral') : 'neutral';
  const criticalProbs = heads.critical.predict(sparse, dense('critical'));
  const top = argmax(criticalProbs);
  const topClass = criticalClasses[top];
  const critical: CriticalCategory | null =
    text && topClass && topClass !== 'none' && (criticalProbs[top] ?? 0) >= criticalThreshold
      ? topClass
      : null;
  const queryType = classifyQuery(text).type;
  const complex = isComplex(text, queryType, signals.history?.length ?? 0);
  const escalation = decideEscalation({
    wantsHuman: wantsHuman >= wantsHumanThreshold,
    critical: critical !== null,
    sentiment,
    complex,
    minutesElapsed: signals.minutesElapsed ?? 0,
    failedAttempts: signals.failedAttempts ?? 0,
    ...(signals.confidence !== undefined ? { confidence: signals.confidence } : {}),
    ...(signals.missingKnowledge !== undefined ? { missingKnowledge: signals.missingKnowledge } : {}),
  });
  return { queryType, sentiment, wantsHuman, critical, complex, escalation };
}

/**
 * Builds the message classifier: trains its heads from the shipped examples on first use (kept per process
 * and embedding model, and on disk under `cacheDir` when given). With an embedder it adds the sentence
 * embedding to the n-gram features, which catches paraphrase the n-grams miss; without one it still handles
 * typos and common phrasings.
 */
export async function createMessageClassifier(
  options: MessageClassifierOptions = {},
): Promise<MessageClassifier> {
  const embedder = options.embedder ?? null;
  const loaded = await headsFor(embedder, options.cacheDir);
  const { heads } = loaded;
  const classifyBatch = async (batch: ConversationSignals[], abort?: AbortSignal) => {
    const texts = batch.map((s) => s.text.trim());
    const vectors = embedder && texts.length > 0 ? await embedder.embed(texts, 'query', abort) : [];
    return batch.map((signals, i) => classifyOne(heads, signals, vectors[i]));
  };
  return {
    embedderId: heads.embedderId,
    headsSource: loaded.source,
    headsCache: loaded.cache,
    classifyBatch,
    async classify(signals, abort) {
      const [result] = await classifyBatch([signals], abort);
      if (!result) throw new Error('classifyBatch returned no result for one message');
      return result;
    },
  };
}
