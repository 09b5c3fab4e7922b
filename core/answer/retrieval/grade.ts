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
 * Thresholds of the retrieval grader (CRAG). A chunk is relevant when it shares most of the question's topic
 * words, or when it is close in meaning and shares some of them; irrelevant when it is neither. A cross-encoder
 * score, when a reranker ran, decides on its own: it was trained for exactly this judgement. The numbers were
 * set on our own ABCD questions (answerable vs. off-topic) in `npm run bench:answer`, which prints how the
 * grader separates them.
 */
export const gradeThresholds = {
  relevantCoverage: 0.6,
  relevantSemantic: 0.5,
  semanticCoverage: 0.3,
  irrelevantCoverage: 0.25,
  irrelevantSemantic: 0.35,
  rerankRelevant: 0,
  rerankIrrelevant: -5,
};

export function gradeHit(questionTerms: Set<string>, hit: SearchHit): GradedHit {
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
  } else if (
    coverage >= t.relevantCoverage ||
    (semantic !== null && semantic >= t.relevantSemantic && coverage >= t.semanticCoverage)
  ) {
    grade = 'relevant';
  } else if (coverage < t.irrelevantCoverage && (semantic === null || semantic < t.irrelevantSemantic)) {
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
