import { describe, expect, it } from 'vitest';
import type { GroundingReport } from '../contract/answer.js';
import {
  hedgesIn,
  noHedging,
  offerEscalation,
  questionCoverage,
  scoreConfidence,
  specificity,
} from './confidence.js';

function grounding(
  supported: number,
  quote = 'Refunds are issued within 14 days of the return.',
): GroundingReport {
  return {
    supported,
    unsupported: [],
    sentences: [
      {
        sentence: 'x',
        supported: supported > 0,
        score: supported,
        lexical: supported,
        semantic: null,
        judge: null,
        unmatchedFacts: [],
        sources: [0],
        quote,
        claim: true,
      },
    ],
  };
}

const question = 'How long do refunds take after a return?';
const specific =
  'Refunds are issued within 14 days of the return [1]. Open [Orders] and click "Refund status" to track it.';

describe('scoreConfidence', () => {
  it('is high for a covered, specific, unhedged, grounded answer', () => {
    const { confidence, parts } = scoreConfidence({
      question,
      answer: specific,
      retrieval: { grade: 'relevant' },
      grounding: grounding(1),
    });
    expect(parts).toMatchObject({ noHedging: 1, grounding: 1 });
    expect(parts.coverage).toBeGreaterThan(0.6);
    expect(parts.specificity).toBe(1);
    expect(confidence).toBeGreaterThan(0.8);
    expect(offerEscalation(confidence)).toBe(false);
  });

  it('drops below 0.5 when the claims are not grounded, however well the answer reads', () => {
    const { confidence } = scoreConfidence({
      question,
      answer: specific,
      retrieval: { grade: 'relevant', coverage: 1 },
      grounding: grounding(0),
    });
    expect(confidence).toBeLessThanOrEqual(0.25);
    expect(offerEscalation(confidence)).toBe(true);
  });

  it('is low for a hedged, generic answer from irrelevant context', () => {
    const { confidence, parts } = scoreConfidence({
      question,
      answer: 'I think it probably depends. It might take a while, so maybe contact support.',
      retrieval: { grade: 'irrelevant', coverage: 0.9 },
      grounding: grounding(1),
    });
    expect(parts.coverage).toBe(0.2);
    expect(parts.noHedging).toBe(0);
    expect(parts.specificity).toBeLessThan(0.3);
    expect(confidence).toBeLessThan(0.5);
  });

  it('blends 0..1 top scores into coverage and caps it by the grade', () => {
    const base = { question, answer: specific, grounding: grounding(1) };
    expect(
      scoreConfidence({ ...base, retrieval: { grade: 'relevant', coverage: 1, topScores: [0.2] } }).parts
        .coverage,
    ).toBe(0.8);
    expect(
      scoreConfidence({ ...base, retrieval: { grade: 'relevant', coverage: 1, topScores: [12.5] } }).parts
        .coverage,
    ).toBe(1);
    expect(scoreConfidence({ ...base, retrieval: { grade: 'ambiguous', coverage: 1 } }).parts.coverage).toBe(
      0.7,
    );
  });

  it('gives an empty answer no confidence', () => {
    const { confidence } = scoreConfidence({
      question,
      answer: ' ',
      retrieval: { grade: 'relevant' },
      grounding: grounding(1),
    });
    expect(confidence).toBe(0);
  });
});

describe('parts', () => {
  it('finds multi-word hedges case-insensitively, not inside other words', () => {
    expect(hedgesIn("I THINK so. It Might work; I'm not sure. Maybelline is a brand.")).toEqual([
      'i think',
      'it might',
      "i'm not sure",
    ]);
    expect(noHedging('Refunds take 14 days. I believe they are fast.')).toBe(0.5);
    expect(noHedging('Refunds take 14 days.')).toBe(1);
  });

  it('scores steps and named settings above generic advice', () => {
    expect(specificity('1. Open Settings > Billing.\n2. Click [Update card].')).toBe(1);
    expect(specificity('There are many ways to do this. It depends on your situation.')).toBeLessThan(0.2);
  });

  it('measures how much of the question the context covers', () => {
    expect(questionCoverage(question, ['Refunds are issued within 14 days of the return.'])).toBeGreaterThan(
      0.6,
    );
    expect(questionCoverage(question, ['Our office is open on Sunday.'])).toBe(0);
  });

  it('offers escalation below 0.5 only', () => {
    expect([0.49, 0.5, 0.9].map(offerEscalation)).toEqual([true, false, false]);
  });
});
