import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerDraftSchema, consoleRoutes } from '../contract/console-api.js';
import {
  bearer,
  openAnswerTestServer,
  parseEvents,
  type AnswerTestServer,
  type ErrorJson,
} from './answer-routes.testing.js';

// Answer memory with an embedding model is in answer-memory-routes.test.ts, drafts from a generator in
// answer-generator-routes.test.ts.
describe('answer routes (BM25: no embedding model)', () => {
  let desk: AnswerTestServer;
  // Loading models and ingesting can take more than the default 10 s on a busy machine.
  beforeAll(async () => {
    desk = await openAnswerTestServer(false);
  }, 60_000);
  afterAll(async () => desk?.close());

  it('need the console token', async () => {
    const anonymous = {};
    expect((await desk.post(consoleRoutes.drafts, 'acme', { question: 'hi' }, anonymous)).status).toBe(401);
    expect(
      (
        await desk.post(
          consoleRoutes.answers,
          'acme',
          { question: 'q', answer: 'a', origin: 'approved' },
          anonymous,
        )
      ).status,
    ).toBe(401);
    const res = await fetch(desk.url(consoleRoutes.similarAnswers, 'acme', '?q=refund'));
    expect(res.status).toBe(401);
    expect(((await res.json()) as ErrorJson).error.code).toBe('unauthorized');
  });

  it('answer 404 for a tenant that does not exist, and 400 for an id that cannot be one', async () => {
    for (const res of [
      await desk.post(consoleRoutes.drafts, 'initech', { question: 'How do I reset my password?' }),
      await desk.post(consoleRoutes.answers, 'initech', { question: 'q', answer: 'a', origin: 'approved' }),
      await desk.similar('initech', 'refund'),
    ]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: { code: 'not_found', message: 'tenant "initech" does not exist; create it first' },
      });
    }
    const bad = await desk.post(consoleRoutes.drafts, 'Not_A_Tenant', { question: 'hi' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorJson).error.message).toMatch(/^tenant: a tenant id is/);
  });

  it('answer 400 naming the field for a bad body or query', async () => {
    const cases: [Promise<Response>, RegExp][] = [
      [desk.post(consoleRoutes.drafts, 'acme', {}), /^question: /],
      [desk.post(consoleRoutes.drafts, 'acme', { question: '   ' }), /^question: the question is empty/],
      [
        desk.post(consoleRoutes.drafts, 'acme', { question: 'hi', history: [{ role: 'bot', text: 'x' }] }),
        /^history\.0\.role: /,
      ],
      [desk.post(consoleRoutes.drafts, 'acme', { question: 'hi', failedAttempts: -1 }), /^failedAttempts: /],
      [
        desk.post(consoleRoutes.answers, 'acme', { question: 'q', answer: 'a', origin: 'maybe' }),
        /^origin: /,
      ],
      [desk.post(consoleRoutes.answers, 'acme', { question: 'q', origin: 'approved' }), /^answer: /],
      [desk.similar('acme', ''), /^q: the question is empty/],
      [desk.similar('acme', 'refund', '&limit=0'), /^limit: /],
    ];
    for (const [request, message] of cases) {
      const res = await request;
      expect(res.status).toBe(400);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.code).toBe('invalid_input');
      expect(body.error.message).toMatch(message);
    }
  });

  it('drafts an answer that cites the ingested document, in the contract shape', async () => {
    const res = await desk.post(consoleRoutes.drafts, 'acme', {
      question: 'How do I reset my password?',
      history: [{ role: 'visitor', text: 'Hello, I am locked out.' }],
      minutesElapsed: 2,
      failedAttempts: 0,
    });
    expect(res.status).toBe(200);
    const draft = answerDraftSchema.parse(await res.json());
    expect(draft.abstained).toBe(false);
    expect(draft.generator.kind).toBe('extractive');
    expect(draft.answer).toMatch(/Reset password/);
    expect(draft.citations[0]).toMatchObject({ kind: 'kb', externalId: 'password.md' });
  });

  it('answers from the tenant\'s own knowledge only: another tenant gets "I don\'t know"', async () => {
    const res = await desk.post(consoleRoutes.drafts, 'globex', { question: 'How do I reset my password?' });
    const draft = answerDraftSchema.parse(await res.json());
    expect(draft.abstained).toBe(true);
    expect(draft.citations).toEqual([]);
  });

  it('streams the draft as server-sent events when asked to', async () => {
    const res = await desk.post(
      consoleRoutes.drafts,
      'acme',
      { question: 'How long does standard shipping take?' },
      { ...bearer, accept: 'text/event-stream' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseEvents(await res.text());
    // The extractive composer writes no tokens: the one event is the finished draft.
    expect(events.map((e) => e.event)).toEqual(['draft']);
    const draft = answerDraftSchema.parse(events[0]!.data);
    expect(draft.answer).toMatch(/3 to 5 business days/);
    expect(draft.citations[0]?.externalId).toBe('shipping.md');
  });

  it('says when a question is too long: 413 as JSON, an error event in a stream', async () => {
    const question = 'Why was I charged twice? '.repeat(400);
    const res = await desk.post(consoleRoutes.drafts, 'acme', { question });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorJson).error.code).toBe('too_large');
    const streamed = await desk.post(
      consoleRoutes.drafts,
      'acme',
      { question },
      { ...bearer, accept: 'text/event-stream' },
    );
    const events = parseEvents(await streamed.text());
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: 'error', data: { error: { code: 'too_large' } } });
  });

  it('answers 503 for answer memory without an embedding model, and audits nothing', async () => {
    const remembered = await desk.post(consoleRoutes.answers, 'acme', {
      question: 'How long do refunds take?',
      answer: 'Five business days.',
      origin: 'approved',
    });
    expect(remembered.status).toBe(503);
    const body = (await remembered.json()) as ErrorJson;
    expect(body.error.code).toBe('unavailable');
    expect(body.error.message).toMatch(/needs an embedding model/);
    const similar = await desk.similar('acme', 'refund');
    expect(similar.status).toBe(503);
    expect((await desk.store.audit.list({ tenantId: 'acme' })).map((e) => e.action)).not.toContain(
      'answer.remember',
    );
  });

  it('publishes the routes in the OpenAPI document with the tenant as a path parameter', async () => {
    const doc = (await (await fetch(`${desk.origin}/api/openapi.json`, { headers: bearer })).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const drafts = doc.paths['/api/tenants/{tenant}/drafts']?.post;
    expect(drafts?.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'tenant', in: 'path' })]),
    );
    expect(doc.paths['/api/tenants/{tenant}/answers']?.post).toBeDefined();
    const similar = doc.paths['/api/tenants/{tenant}/answers/similar']?.get;
    expect(similar?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['path:tenant', 'query:q', 'query:limit']),
    );
  });
});
