import { describe, expect, it } from 'vitest';
import { PoisonedQuestions, poisonedForMs } from './poisoned-questions.js';

describe('PoisonedQuestions', () => {
  it('refuses a remembered question of the same tenant and conversation for a day, then forgets it', () => {
    let now = 1_000;
    const poisoned = new PoisonedQuestions(() => now);
    const question = { question: 'crash me', conversationId: 'c1' };
    poisoned.remember('acme', question);
    expect(poisoned.refusal('acme', question)).toMatchObject({ code: 'invalid_input' });
    expect(poisoned.refusal('other', question)).toBeNull();
    expect(poisoned.refusal('acme', { ...question, conversationId: 'c2' })).toBeNull();
    expect(poisoned.refusal('acme', { ...question, question: 'crash me!' })).toBeNull();
    now += poisonedForMs - 1;
    expect(poisoned.refusal('acme', question)).not.toBeNull();
    now += 1;
    expect(poisoned.refusal('acme', question)).toBeNull();
  });

  it('keeps at most a thousand questions, dropping the oldest', () => {
    const poisoned = new PoisonedQuestions();
    for (let i = 0; i <= 1_000; i++) poisoned.remember('acme', { question: `q${i}` });
    expect(poisoned.refusal('acme', { question: 'q0' })).toBeNull();
    expect(poisoned.refusal('acme', { question: 'q1' })).not.toBeNull();
    expect(poisoned.refusal('acme', { question: 'q1000' })).not.toBeNull();
  });
});
