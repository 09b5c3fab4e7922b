import type { CriticalCategory, Sentiment } from '../../contract/answer.js';
import { criticalCategories, sentiments } from '../../contract/answer.js';
import type { Embedder } from '../../contract/retrieval.js';
import { augment, seededRandom } from './augment.js';
import { sparseFeatures } from './features.js';
import { SoftmaxModel, type Example } from './linear-model.js';
import { criticalExamples } from './training/critical.js';
import { sentimentExamples } from './training/sentiment.js';
import { composedNotWantsHuman, composedWantsHuman } from './training/templates.js';
import { wantsHumanNegative, wantsHumanPositive } from './training/wants-human.js';

/** The three trained heads; each one's classes in the order its model scores them. */
export interface TrainedHeads {
  wantsHuman: SoftmaxModel;
  sentiment: SoftmaxModel;
  critical: SoftmaxModel;
  /** Embedding model the dense weights were trained with, or null for n-gram features only. */
  embedderId: string | null;
}

export const sentimentClasses: readonly Sentiment[] = sentiments;
export const criticalClasses: readonly (CriticalCategory | 'none')[] = [...criticalCategories, 'none'];

/**
 * How much the sentence embedding counts against the n-gram part (both unit length), per head. The embedding
 * carries paraphrase ("is anybody real there?"); the n-grams carry typos and exact cue words. For "wants a
 * human" the embedding is kept light: a misspelt or sworn-at message drifts in embedding space towards "talk
 * to an agent" more than its n-grams do. Sentiment gains most from the embedding (tone is paraphrase).
 */
export const embeddingWeight = { wantsHuman: 0.5, sentiment: 1.5, critical: 1.0 } as const;
export type Head = keyof typeof embeddingWeight;

const variantsPerExample = 6;

/** A unit-length copy of an embedding, scaled by the head's `embeddingWeight`. */
export function denseInput(vector: Float32Array, head: Head): Float32Array {
  let norm = 0;
  for (const v of vector) norm += v * v;
  const scale = embeddingWeight[head] / (Math.sqrt(norm) || 1);
  return vector.map((v) => v * scale);
}

export interface Labelled {
  text: string;
  label: number;
}

function buildExamples(
  items: Labelled[],
  vectors: Map<string, Float32Array> | null,
  head: Head,
  seed: number,
): Example[] {
  const random = seededRandom(seed);
  const out: Example[] = [];
  for (const item of items) {
    // Variants reuse their original's embedding: the n-grams learn the typos, the embedding the meaning.
    const vector = vectors?.get(item.text);
    const dense = vector ? denseInput(vector, head) : undefined;
    for (const variant of augment(item.text, variantsPerExample, random))
      out.push({ sparse: sparseFeatures(variant), label: item.label, ...(dense ? { dense } : {}) });
  }
  return out;
}

function labelled<C extends string>(byClass: Record<C, string[]>, classes: readonly C[]): Labelled[] {
  return classes.flatMap((c, label) => byClass[c].map((text) => ({ text, label })));
}

/** The authored (and composed) examples of each head, labelled by class index. */
export interface TrainingSets {
  wantsHuman: Labelled[];
  sentiment: Labelled[];
  critical: Labelled[];
}

/**
 * Everything besides the examples and the code that decides what the heads learn: augmentation and SGD seeds,
 * variants per example, embedding weights, class lists. Part of the heads cache key (heads-cache.ts).
 */
export const trainingSettings = {
  variantsPerExample,
  embeddingWeight,
  heads: {
    wantsHuman: { augmentSeed: 11, modelSeed: 1, classes: ['no', 'yes'] },
    sentiment: { augmentSeed: 12, modelSeed: 2, classes: sentimentClasses },
    critical: { augmentSeed: 13, modelSeed: 3, classes: criticalClasses },
  },
} as const;

export function trainingSets(): TrainingSets {
  return {
    wantsHuman: [
      ...wantsHumanPositive.map((text) => ({ text, label: 1 })),
      ...wantsHumanNegative.map((text) => ({ text, label: 0 })),
      ...composedWantsHuman().map((text) => ({ text, label: 1 })),
      ...composedNotWantsHuman().map((text) => ({ text, label: 0 })),
    ],
    sentiment: labelled(sentimentExamples, sentimentClasses),
    critical: labelled(criticalExamples, criticalClasses),
  };
}

/**
 * Trains the heads from the shipped examples, with the embedder's vectors of the authored texts when given.
 * Pure n-gram training takes about a second on one core; embedding the ~1,400 authored texts adds over one.
 * The result is a pure function of (examples, settings, code, embedder), which is what lets heads-cache.ts
 * keep it on disk.
 */
export async function trainHeads(
  embedder: Embedder | null,
  sets: TrainingSets = trainingSets(),
): Promise<TrainedHeads> {
  let vectors: Map<string, Float32Array> | null = null;
  if (embedder) {
    const all = [...sets.wantsHuman, ...sets.sentiment, ...sets.critical];
    const texts = [...new Set(all.map((i) => i.text))];
    const embedded = await embedder.embed(texts, 'query');
    vectors = new Map(texts.map((t, i) => [t, embedded[i] ?? new Float32Array(embedder.dims)]));
  }
  const train = (head: Head) => {
    const settings = trainingSettings.heads[head];
    return SoftmaxModel.train(buildExamples(sets[head], vectors, head, settings.augmentSeed), {
      classes: settings.classes.length,
      seed: settings.modelSeed,
    });
  };
  return {
    wantsHuman: train('wantsHuman'),
    sentiment: train('sentiment'),
    critical: train('critical'),
    embedderId: embedder?.modelId ?? null,
  };
}
