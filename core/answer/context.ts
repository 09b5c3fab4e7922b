import type { HistoryTurn } from '../contract/answer.js';

/**
 * One numbered piece of context a draft may cite: a knowledge-base parent chunk, or an approved answer from
 * answer memory ("answered before"). The marker is the number the draft's "[n]" refers to.
 */
export interface ContextPassage {
  marker: number;
  kind: 'kb' | 'answered_before';
  docId: string;
  externalId: string;
  chunkId: string | null;
  title: string;
  /** The document's address when it has a web one (http/https); null for files and answered-before passages. */
  url: string | null;
  headings: string[];
  text: string;
  /** Retrieval score (or question similarity for an answered-before passage); higher is better. */
  score: number;
}

export type { HistoryTurn };

/** "[KB: Title > Heading]" or "[Answered before: question]": the label the prompt and the console show. */
export function passageLabel(passage: ContextPassage): string {
  if (passage.kind === 'answered_before') return `[Answered before: ${passage.title}]`;
  const path = [passage.title, ...passage.headings.filter((h) => h && h !== passage.title)];
  return `[KB: ${path.join(' > ')}]`;
}
