import { extractFacts, polarity, type Fact } from './facts.js';
import { splitSentences, stripCitationMarkers } from './sentences.js';
import { contentStems } from './text.js';

/** One sentence of a context passage, prepared once per check. */
export interface ContextSentence {
  passage: number;
  text: string;
  stems: Set<string>;
  facts: Fact[];
  polarity: { negated: Set<string>; positive: Set<string> };
}

/**
 * A stretch of context a reply sentence may rest on: one sentence, or two neighbours, since a reply often
 * joins a condition and its consequence that the source wrote as two sentences. Words are pooled over the
 * stretch; facts are not (see checker.ts), or "Bronze: 90 days. Guest: 30 days." would back "Bronze: 30 days".
 */
export interface SupportUnit {
  passage: number;
  /** Indices into `PreparedContext.sentences`. */
  members: number[];
  stems: Set<string>;
}

export interface PreparedContext {
  sentences: ContextSentence[];
  units: SupportUnit[];
  /** Every stem and fact of the whole context, to tell "stated elsewhere" from "stated nowhere". */
  allStems: Set<string>;
  allFacts: Fact[];
  /** Inverse document frequency over context sentences; a stem the context never uses weighs `maxIdf`. */
  idf: (stem: string) => number;
}

export function prepareContext(passages: string[]): PreparedContext {
  const sentences: ContextSentence[] = [];
  const units: SupportUnit[] = [];
  passages.forEach((passage, p) => {
    const texts = splitSentences(passage).map(stripCitationMarkers);
    const first = sentences.length;
    for (const text of texts)
      sentences.push({
        passage: p,
        text,
        stems: new Set(contentStems(text)),
        facts: extractFacts(text),
        polarity: polarity(text),
      });
    for (let i = first; i < sentences.length; i++) {
      units.push(makeUnit(p, [i], sentences));
      if (i + 1 < sentences.length) units.push(makeUnit(p, [i, i + 1], sentences));
    }
  });
  const df = new Map<string, number>();
  for (const s of sentences) for (const stem of s.stems) df.set(stem, (df.get(stem) ?? 0) + 1);
  const n = Math.max(1, sentences.length);
  const maxIdf = Math.log(1 + (n + 1) / 0.5);
  const allStems = new Set(df.keys());
  return {
    sentences,
    units,
    allStems,
    allFacts: sentences.flatMap((s) => s.facts),
    idf: (stem) => {
      const count = df.get(stem);
      return count === undefined ? maxIdf : Math.log(1 + (n + 1) / (count + 0.5));
    },
  };
}

function makeUnit(passage: number, members: number[], sentences: ContextSentence[]): SupportUnit {
  const stems = new Set<string>();
  for (const i of members) for (const s of sentences[i]?.stems ?? []) stems.add(s);
  return { passage, members, stems };
}
