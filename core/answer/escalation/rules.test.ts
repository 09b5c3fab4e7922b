import { describe, expect, it } from 'vitest';
import { decideEscalation, type EscalationFacts } from './rules.js';

const calm: EscalationFacts = {
  wantsHuman: false,
  critical: false,
  sentiment: 'neutral',
  complex: false,
  minutesElapsed: 0,
  failedAttempts: 0,
};
const decide = (facts: Partial<EscalationFacts>) => decideEscalation({ ...calm, ...facts });

describe('decideEscalation', () => {
  it('keeps resolving when no rule fires', () => {
    expect(decide({})).toEqual({ escalate: false, priority: null, reasons: [] });
    expect(decide({ sentiment: 'negative', minutesElapsed: 60, failedAttempts: 1, confidence: 0.5 })).toEqual(
      {
        escalate: false,
        priority: null,
        reasons: [],
      },
    );
  });

  it('explicit request for a human: high', () => {
    expect(decide({ wantsHuman: true })).toEqual({
      escalate: true,
      priority: 'high',
      reasons: ['human_requested'],
    });
  });

  it('critical category: urgent', () => {
    expect(decide({ critical: true })).toEqual({
      escalate: true,
      priority: 'urgent',
      reasons: ['critical_category'],
    });
  });

  it('frustrated with at least one failed attempt: high; not before the first failure, not when only negative', () => {
    expect(decide({ sentiment: 'frustrated', failedAttempts: 1 })).toMatchObject({
      priority: 'high',
      reasons: ['frustrated_after_attempts'],
    });
    expect(decide({ sentiment: 'frustrated', failedAttempts: 0 }).escalate).toBe(false);
    expect(decide({ sentiment: 'negative', failedAttempts: 2 }).escalate).toBe(false);
  });

  it('complex and more than 15 minutes: medium (15 is not more than 15, 16 is)', () => {
    expect(decide({ complex: true, minutesElapsed: 15 }).escalate).toBe(false);
    expect(decide({ complex: true, minutesElapsed: 16 })).toMatchObject({
      priority: 'medium',
      reasons: ['complex_timeout'],
    });
    expect(decide({ complex: true, minutesElapsed: 15.5 }).reasons).toEqual(['complex_timeout']);
    expect(decide({ complex: false, minutesElapsed: 16 }).escalate).toBe(false);
  });

  it('three or more failed attempts: medium (2 is not enough)', () => {
    expect(decide({ failedAttempts: 2 }).escalate).toBe(false);
    expect(decide({ failedAttempts: 3 })).toMatchObject({
      priority: 'medium',
      reasons: ['repeated_failures'],
    });
  });

  it('more than 20 minutes and at least 2 attempts: low (20 minutes or 1 attempt are not)', () => {
    expect(decide({ minutesElapsed: 21, failedAttempts: 2 })).toMatchObject({
      priority: 'low',
      reasons: ['long_conversation'],
    });
    expect(decide({ minutesElapsed: 20, failedAttempts: 2 }).escalate).toBe(false);
    expect(decide({ minutesElapsed: 21, failedAttempts: 1 }).escalate).toBe(false);
  });

  it('confidence below 0.5 offers a human at low priority; 0.5 itself does not', () => {
    expect(decide({ confidence: 0.49 })).toEqual({
      escalate: true,
      priority: 'low',
      reasons: ['low_confidence'],
    });
    expect(decide({ confidence: 0.5 }).escalate).toBe(false);
  });

  it('missing knowledge: medium', () => {
    expect(decide({ missingKnowledge: true })).toEqual({
      escalate: true,
      priority: 'medium',
      reasons: ['missing_knowledge'],
    });
  });

  it('accumulates reasons in the contract order and takes the highest priority', () => {
    expect(decide({ failedAttempts: 3, minutesElapsed: 21, sentiment: 'frustrated' })).toEqual({
      escalate: true,
      priority: 'high',
      reasons: ['frustrated_after_attempts', 'repeated_failures', 'long_conversation'],
    });
    expect(decide({ wantsHuman: true, critical: true, confidence: 0.1 })).toEqual({
      escalate: true,
      priority: 'urgent',
      reasons: ['human_requested', 'critical_category', 'low_confidence'],
    });
    expect(decide({ complex: true, minutesElapsed: 30, failedAttempts: 2, missingKnowledge: true })).toEqual({
      escalate: true,
      priority: 'medium',
      reasons: ['complex_timeout', 'long_conversation', 'missing_knowledge'],
    });
    expect(decide({ minutesElapsed: 25, failedAttempts: 2, confidence: 0.2 })).toEqual({
      escalate: true,
      priority: 'low',
      reasons: ['long_conversation', 'low_confidence'],
    });
  });

  it('treats missing or non-finite counters as zero', () => {
    expect(decide({ minutesElapsed: Number.NaN, failedAttempts: Number.NaN, complex: true }).escalate).toBe(
      false,
    );
  });
});
