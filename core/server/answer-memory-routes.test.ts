import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerDraftSchema,
  consoleRoutes,
  rememberedAnswerSchema,
  similarAnswersSchema,
} from '../contract/console-api.js';
import { defaultEmbedderName } from '../knowledge/embedding/registry.js';
import {
  hasMiniLm,
  modelsDir,
  openAnswerTestServer,
  type AnswerTestServer,
} from './answer-routes.testing.js';

if (!hasMiniLm)
  console.warn(`SKIPPED answer memory over HTTP with ${defaultEmbedderName}: not in ${modelsDir}`);

describe.skipIf(!hasMiniLm)(`answer memory over HTTP (${defaultEmbedderName})`, () => {
  let desk: AnswerTestServer;
  beforeAll(async () => {
    desk = await openAnswerTestServer(true);
  }, 60_000);
  afterAll(async () => desk?.close());

  const refund = {
    question: 'How long does it take to get my money back after a return?',
    answer: 'Refunds reach your card within 5 business days after the warehouse receives the return.',
    origin: 'approved',
  } as const;

  it('remembers an approved answer, finds it for a paraphrase, and audits ids only', async () => {
    const res = await desk.post(consoleRoutes.answers, 'acme', refund);
    expect(res.status).toBe(201);
    const remembered = rememberedAnswerSchema.parse(await res.json());
    expect(remembered).toMatchObject({ ...refund, conversationId: null });

    const found = await desk.similar('acme', 'when will I get my refund?');
    expect(found.status).toBe(200);
    const matches = similarAnswersSchema.parse(await found.json());
    expect(matches[0]?.answer.id).toBe(remembered.id);
    expect(matches[0]!.similarity).toBeGreaterThan(0.5);

    const audit = (await desk.store.audit.list({ tenantId: 'acme' })).find(
      (e) => e.action === 'answer.remember',
    );
    expect(audit).toMatchObject({ actor: 'console-token', tenantId: 'acme', target: remembered.id });
    expect(JSON.stringify(audit)).not.toMatch(/money|refund|warehouse/i);
  });

  it('offers the remembered answer in a draft for the same question', async () => {
    const res = await desk.post(consoleRoutes.drafts, 'acme', { question: refund.question });
    const draft = answerDraftSchema.parse(await res.json());
    expect(draft.citations.map((c) => c.kind)).toContain('answered_before');
  });

  it("replaces a conversation's entry when the agent corrects it", async () => {
    const conversation = await desk.store.conversations.create('acme', { channel: 'widget' });
    const first = rememberedAnswerSchema.parse(
      await (
        await desk.post(consoleRoutes.answers, 'acme', {
          question: 'Can I change my delivery address after ordering?',
          answer: 'Yes, any time before shipping.',
          origin: 'approved',
          conversationId: conversation.id,
        })
      ).json(),
    );
    const corrected = await desk.post(consoleRoutes.answers, 'acme', {
      question: 'Can I change my delivery address after ordering?',
      answer: 'Yes, within one hour of ordering, from the order page.',
      origin: 'agent_written',
      conversationId: conversation.id,
    });
    expect(corrected.status).toBe(201);
    const second = rememberedAnswerSchema.parse(await corrected.json());
    expect(second).toMatchObject({ id: first.id, origin: 'agent_written', conversationId: conversation.id });

    const matches = similarAnswersSchema.parse(
      await (await desk.similar('acme', 'change the shipping address of my order')).json(),
    );
    const hits = matches.filter((m) => m.answer.conversationId === conversation.id);
    expect(hits.map((m) => m.answer.answer)).toEqual([
      'Yes, within one hour of ordering, from the order page.',
    ]);
    expect(
      (await desk.store.audit.list({ tenantId: 'acme' })).filter((e) => e.target === first.id),
    ).toHaveLength(2);
  });

  it('refuses a conversation the tenant does not have', async () => {
    const res = await desk.post(consoleRoutes.answers, 'acme', { ...refund, conversationId: 'nope' });
    expect(res.status).toBe(404);
  });

  it("keeps tenants apart: another tenant's similar list is empty", async () => {
    const res = await desk.similar('globex', refund.question, '&minSimilarity=0');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
  });

  it('honours limit and minSimilarity', async () => {
    const all = similarAnswersSchema.parse(
      await (await desk.similar('acme', refund.question, '&minSimilarity=0&limit=1')).json(),
    );
    expect(all).toHaveLength(1);
    const strict = similarAnswersSchema.parse(
      await (await desk.similar('acme', 'What is the capital of France?', '&minSimilarity=0.9')).json(),
    );
    expect(strict).toEqual([]);
  });
});
