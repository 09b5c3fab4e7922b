import { describe, expect, it } from 'vitest';
import type { GenerateRequest, GenerateResult, TextGenerator } from '../../contract/answer.js';
import type { Embedder } from '../../contract/retrieval.js';
import { createGroundingChecker, responseScore } from './checker.js';

const context = [
  'Refunds are issued within 14 days of the return. We accept Visa and Amex cards. The fee cannot be removed for Guest members.',
  'To reset your password, open Settings > Security and click [Reset Password]. The link expires after 24 hours.',
];

describe('grounding checker (lexical and facts)', () => {
  const checker = createGroundingChecker();

  it('supports sentences of the context, skips greetings and questions, and cites the passage', async () => {
    const report = await checker.check(
      context,
      'Hi there! Refunds are issued within 14 days [1]. You can reset your password in Settings > Security. Anything else?',
    );
    expect(report.supported).toBe(1);
    expect(report.unsupported).toEqual([]);
    expect(report.sentences.map((s) => s.claim)).toEqual([false, true, true, false]);
    expect(report.sentences[1]).toMatchObject({
      sources: [0],
      quote: 'Refunds are issued within 14 days of the return.',
    });
    expect(report.sentences[2]?.sources[0]).toBe(1);
  });

  it.each([
    ['a changed duration', 'Refunds are issued within 30 days of the return.', '30 days'],
    ['a swapped name', 'We accept Mastercard and Amex cards.', 'Mastercard'],
    ['a flipped negation', 'The fee can be removed for Guest members.', 'remov (negated in source)'],
    ['a name from elsewhere', 'The fee cannot be removed for Gold members.', 'Gold'],
  ])('flags %s', async (_, response, fact) => {
    const report = await checker.check(context, response);
    expect(report.supported).toBe(0);
    expect(report.unsupported).toEqual([response]);
    expect(report.sentences[0]?.unmatchedFacts).toContain(fact);
  });

  it('accepts a consistent rewording of a figure', async () => {
    const report = await checker.check(context, 'The reset link expires after a day.');
    expect(report.supported).toBe(1);
  });

  it('flags a sentence on a topic the context does not cover, and counts the share', async () => {
    const report = await checker.check(
      context,
      'Refunds are issued within 14 days. Our office is open on Sundays from 9 to 5.',
    );
    expect(report.supported).toBe(0.5);
    expect(report.unsupported).toEqual(['Our office is open on Sundays from 9 to 5.']);
    expect(responseScore(report)).toBeLessThan(0.2);
  });

  it('has nothing to check in an empty reply and supports nothing from an empty context', async () => {
    expect((await checker.check(context, '')).supported).toBe(1);
    const none = await checker.check([], 'Refunds are issued within 14 days. Thanks for asking!');
    expect(none.supported).toBe(0);
    expect(none.unsupported).toEqual(['Refunds are issued within 14 days.']);
    expect(none.sentences[1]?.claim).toBe(false);
  });
});

/** A bag-of-words "embedder": texts sharing words point the same way. Enough to test the plumbing. */
function fakeEmbedder(calls: string[][]): Embedder {
  const vocab = ['refund', 'money', 'back', 'days', 'password', 'reset', 'card', 'return'];
  return {
    modelId: 'fake',
    dims: vocab.length,
    maxTokens: 128,
    async embed(texts) {
      calls.push(texts);
      return texts.map((t) => Float32Array.from(vocab.map((w) => (t.toLowerCase().includes(w) ? 1 : 0))));
    },
    async close() {},
  };
}

describe('grounding checker with an embedder', () => {
  it('lets semantic similarity carry a reworded sentence, embedding each context sentence once', async () => {
    const calls: string[][] = [];
    const checker = createGroundingChecker({ embedder: fakeEmbedder(calls) });
    const lexicalOnly = createGroundingChecker();
    const reply = 'Your money comes back within 14 days of the refund return.';
    const withEmbedder = await checker.check(context, reply);
    expect(withEmbedder.sentences[0]?.semantic).not.toBeNull();
    expect(withEmbedder.sentences[0]?.score).toBeGreaterThan(
      (await lexicalOnly.check(context, reply)).sentences[0]?.score ?? 1,
    );
    await checker.check(context, 'Refunds are issued within 14 days.');
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual(['Refunds are issued within 14 days.']);
  });
});

function fakeJudge(answer: string, asked: string[]): TextGenerator {
  return {
    id: 'fake-judge',
    kind: 'llama',
    contextTokens: 2048,
    countTokens: (t) => t.length / 4,
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      asked.push(request.messages.at(-1)?.content ?? '');
      return { text: answer, finish: 'stop', tokens: 5, firstTokenMs: 1, totalMs: 1 };
    },
    async close() {},
  };
}

describe('grounding checker with an LLM judge', () => {
  // Half the words are the context's: a borderline score, where the judge is asked.
  const borderline = 'Refunds are issued within 14 days, often faster for loyal shoppers.';

  it('asks only about borderline sentences and blends its verdict in', async () => {
    const asked: string[] = [];
    const plain = await createGroundingChecker().check(context, borderline);
    const judged = await createGroundingChecker({ judge: fakeJudge('{"supported": false}', asked) }).check(
      context,
      `${borderline} Refunds are issued within 14 days of the return.`,
    );
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('STATEMENT: Refunds are issued within 14 days, often');
    expect(judged.sentences[0]?.judge).toBe(false);
    expect(judged.sentences[0]?.score).toBeLessThan(plain.sentences[0]?.score ?? 0);
    expect(judged.sentences[1]?.judge).toBeNull();
  });

  it('ignores a judge that answers off the schema', async () => {
    const report = await createGroundingChecker({ judge: fakeJudge('yes!', []) }).check(context, borderline);
    expect(report.sentences[0]?.judge).toBeNull();
  });

  it('never lets the judge back a sentence whose figure the context does not state', async () => {
    const asked: string[] = [];
    const judge = fakeJudge('{"supported": true}', asked);
    const report = await createGroundingChecker({ judge, threshold: 0.25 }).check(
      context,
      'Refunds are issued within 30 days of the return.',
    );
    if (asked.length > 0) expect(report.sentences[0]?.supported).toBe(false);
    expect(report.supported).toBe(0);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const judge = fakeJudge('{"supported": true}', []);
    await expect(
      createGroundingChecker({ judge }).check(context, borderline, controller.signal),
    ).rejects.toThrow();
  });
});
