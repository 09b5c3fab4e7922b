import type { RetrievalGrade } from '../../contract/answer.js';
import type { SearchHit } from '../../contract/retrieval.js';
import { termCoverage } from './terms.js';

export interface GradedHit {
  hit: SearchHit;
  grade: RetrievalGrade;
  /** Share of the question's content words the hit's section contains. */
  coverage: number;
  /** Cosine similarity of question and chunk from the vector leg; null when it did not find this chunk. */
  semantic: number | null;
}

/**
 * Thresholds of the retrieval grader (CRAG). With vectors, meaning decides and shared words confirm: a chunk is
 * relevant when it is close in meaning and shares some of the question's topic words, irrelevant when it is far
 * in meaning and shares at most half of them (common support words like "order" or "offer" are everywhere, so
 * words alone must not rescue a chunk the embedding calls unrelated). Without vectors, shared words are all
 * there is. A cross-encoder score, when a reranker ran, decides on its own: it was trained for exactly this.
 * The numbers are for all-MiniLM-L6-v2 cosines, set on our own ABCD questions (answerable vs. off-topic);
 * `npm run bench:answer` prints how the engine then separates them. Another embedding model needs its own.
 */
export const gradeThresholds = {
  relevantSemantic: 0.5,
  relevantSemanticCoverage: 0.3,
  closeSemantic: 0.4,
  closeSemanticCoverage: 0.6,
  irrelevantSemantic: 0.35,
  irrelevantSemanticCoverage: 0.5,
  relevantCoverage: 0.6,
  irrelevantCoverage: 0.25,
  rerankRelevant: 0,
  rerankIrrelevant: -5,
};

/**
 * Grades one hit. `vectorLeg` says the search ran a vector leg: a hit it did not return (BM25 found it alone)
 * was not among the closest chunks in meaning, so it counts as far.
 */
export function gradeHit(questionTerms: Set<string>, hit: SearchHit, vectorLeg = false): GradedHit {
  const t = gradeThresholds;
  const coverage = termCoverage(questionTerms, `${hit.title} ${hit.headings.join(' ')} ${hit.parentText}`);
  const semantic = hit.stages.vector?.score ?? null;
  let grade: RetrievalGrade;
  if (hit.stages.rerank !== undefined) {
    grade =
      hit.stages.rerank >= t.rerankRelevant
        ? 'relevant'
        : hit.stages.rerank <= t.rerankIrrelevant
          ? 'irrelevant'
          : 'ambiguous';
  } else if (semantic !== null || vectorLeg) {
    const cos = semantic ?? 0;
    if (
      (cos >= t.relevantSemantic && coverage >= t.relevantSemanticCoverage) ||
      (cos >= t.closeSemantic && coverage >= t.closeSemanticCoverage)
    ) {
      grade = 'relevant';
    } else if (cos < t.irrelevantSemantic && coverage <= t.irrelevantSemanticCoverage) {
      grade = 'irrelevant';
    } else {
      grade = 'ambiguous';
    }
  } else if (coverage >= t.relevantCoverage) {
    grade = 'relevant';
  } else if (coverage < t.irrelevantCoverage) {
    grade = 'irrelevant';
  } else {
    grade = 'ambiguous';
  }
  return { hit, grade, coverage, semantic };
}

/** The retrieval as a whole is as good as its best chunk. */
export function overallGrade(graded: GradedHit[]): RetrievalGrade {
  if (graded.some((g) => g.grade === 'relevant')) return 'relevant';
  if (graded.some((g) => g.grade === 'ambiguous')) return 'ambiguous';
  return 'irrelevant';
}
