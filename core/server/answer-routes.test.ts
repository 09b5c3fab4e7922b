import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerDraftSchema,
  consoleRoutes,
  rememberedAnswerSchema,
  similarAnswersSchema,
  tenantRoute,
} from '../contract/console-api.js';
import type { Store } from '../contract/store.js';
import { defaultEmbedderName, loadEmbedder } from '../knowledge/embedding/registry.js';
import { runIngest } from '../knowledge/pipeline/ingest-run.js';
import { createOpenAiGenerator } from '../answer/generation/openai-generator.js';
import type { TextGenerator } from '../contract/answer.js';
import { packageRoot } from '../package-root.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { openTestAnswerDesk } from './answer-desk.testing.js';
import { startServer, type RunningServer } from './server.js';

const token = 'answer-routes-test-token-0123456789';
const bearer = { authorization: `Bearer ${token}` };

const docs: Record<string, string> = {
  'password.md': `# Reset your password

## Steps
1. Open Settings and choose Security.
2. Click Reset password.
3. Enter the six-digit code we email to you.
`,
  'shipping.md': `# Shipping

## Delivery times
Standard shipping takes 3 to 5 business days. Express shipping arrives the next business day if ordered before 2 pm.
`,
};

const modelsDir = path.join(packageRoot, 'models');
const hasMiniLm = fs.existsSync(path.join(modelsDir, defaultEmbedderName, 'manifest.json'));
if (!hasMiniLm)
  console.warn(`SKIPPED answer memory over HTTP with ${defaultEmbedderName}: not in ${modelsDir}`);

interface ErrorJson {
  error: { code: string; message: string };
}

/** A real server over a real store and index in a temp home, tenants acme (with the docs) and globex. */
async function startDesk(withEmbedder: boolean, generator: TextGenerator | null = null) {
  const t = tempDir();
  const store: Store = openSqliteStore(path.join(t.dir, 'home'));
  await store.tenants.create({ id: 'acme' });
  await store.tenants.create({ id: 'globex' });
  const embedder = withEmbedder ? await loadEmbedder(defaultEmbedderName, [modelsDir]) : null;
  const answers = await openTestAnswerDesk(store, embedder, generator);
  const folder = path.join(t.dir, 'kb');
  fs.mkdirSync(folder);
  for (const [name, text] of Object.entries(docs)) fs.writeFileSync(path.join(folder, name), text);
  await runIngest(answers.kb, { tenant: 'acme', paths: [folder], source: 'help' });
  const server: RunningServer = await startServer({
    store,
    answers: answers.desk,
    logger: pino({ level: 'silent' }),
    consolePort: 0,
    widgetPort: 0,
    widgetHost: '127.0.0.1',
    consoleToken: token,
  });
  const origin = new URL(server.listening.console).origin;
  const url = (route: string, tenant: string, query = '') => `${origin}${tenantRoute(route, tenant)}${query}`;
  const post = (route: string, tenant: string, body: unknown, headers: Record<string, string> = bearer) =>
    fetch(url(route, tenant), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const similar = (tenant: string, q: string, extra = '') =>
    fetch(url(consoleRoutes.similarAnswers, tenant, `?q=${encodeURIComponent(q)}${extra}`), {
      headers: bearer,
    });
  return {
    store,
    server,
    origin,
    url,
    post,
    similar,
    close: async () => {
      await server.close();
      await answers.close();
      await store.close();
      t.cleanup();
    },
  };
}

type Desk = Awaited<ReturnType<typeof startDesk>>;

/** Server-sent events of a response body, in order. */
function parseEvents(text: string): { event: string; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice('event: '.length) ?? 'message';
      const data = lines.find((l) => l.startsWith('data: '))?.slice('data: '.length) ?? 'null';
      return { event, data: JSON.parse(data) as unknown };
    });
}

describe('answer routes (BM25: no embedding model)', () => {
  let desk: Desk;
  // Loading models and ingesting can take more than the default 10 s on a busy machine.
  beforeAll(async () => {
    desk = await startDesk(false);
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

describe.skipIf(!hasMiniLm)(`answer memory over HTTP (${defaultEmbedderName})`, () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await startDesk(true);
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

/**
 * An OpenAI-compatible inference server (the scale-out generator) on 127.0.0.1 that streams `tokens`, `gapMs`
 * apart, and records whether each request's connection closed before the stream was finished.
 */
async function fakeInferenceServer() {
  const requests: { finished: boolean; closedEarly: boolean }[] = [];
  let plan = { tokens: ['Open Settings', ' and choose Security', ' [1].'], gapMs: 5 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const seen = { finished: false, closedEarly: false };
      requests.push(seen);
      res.on('close', () => (seen.closedEarly = !seen.finished));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({ choices: [{ delta, finish_reason: finish }] })}\n\n`;
      void (async () => {
        for (const text of plan.tokens) {
          await new Promise((resolve) => setTimeout(resolve, plan.gapMs));
          if (res.destroyed) return;
          res.write(chunk({ content: text }, null));
        }
        seen.finished = true;
        res.end(chunk({}, 'stop') + 'data: [DONE]\n\n');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    /** From now on, stream this many tokens this far apart. */
    slow(count: number, gapMs: number) {
      plan = { tokens: Array.from({ length: count }, (_, i) => ` word${i}`), gapMs };
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function until(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('drafts from a generator (a fake OpenAI-compatible inference server)', () => {
  let desk: Desk;
  let inference: Awaited<ReturnType<typeof fakeInferenceServer>>;
  beforeAll(async () => {
    inference = await fakeInferenceServer();
    desk = await startDesk(
      false,
      createOpenAiGenerator({ baseUrl: inference.baseUrl, model: 'test-model', contextTokens: 4096 }),
    );
  }, 60_000);
  afterAll(async () => {
    await desk?.close();
    await inference?.close();
  });

  const ask = { question: 'How do I reset my password?' };

  it('streams the tokens as they come, then the draft', async () => {
    const res = await desk.post(consoleRoutes.drafts, 'acme', ask, {
      ...bearer,
      accept: 'text/event-stream',
    });
    const events = parseEvents(await res.text());
    expect(events.map((e) => e.event)).toEqual(['token', 'token', 'token', 'draft']);
    expect(events.slice(0, 3).map((e) => (e.data as { text: string }).text)).toEqual([
      'Open Settings',
      ' and choose Security',
      ' [1].',
    ]);
    const draft = answerDraftSchema.parse(events[3]!.data);
    expect(draft).toMatchObject({ complete: true, generator: { kind: 'openai' } });
    expect(draft.answer).toBe('Open Settings and choose Security [1].');
  });

  it('stops generating when the console closes the connection (stream and JSON)', async () => {
    inference.slow(400, 25); // 10 s of tokens
    for (const accept of ['text/event-stream', 'application/json']) {
      const before = inference.requests.length;
      // node:http rather than fetch: undici opens a spare connection when a request is aborted, which would
      // keep the server from closing at the end of the test.
      const request = http.request(desk.url(consoleRoutes.drafts, 'acme'), {
        method: 'POST',
        agent: false,
        headers: { ...bearer, 'content-type': 'application/json', accept },
      });
      request.on('error', () => {}); // the abort below
      request.end(JSON.stringify(ask));
      await until(() => inference.requests.length > before, 'the generation to start');
      await new Promise((resolve) => setTimeout(resolve, 100));
      request.destroy();
      await until(
        () => inference.requests[before]?.closedEarly === true,
        `the generation to stop (${accept})`,
      );
    }
  });

  it('hands back what was written when the server gives up draining (abortWork)', async () => {
    inference.slow(400, 25);
    const pending = desk.post(consoleRoutes.drafts, 'acme', ask);
    const before = inference.requests.length;
    await until(() => inference.requests.length > before, 'the generation to start');
    await new Promise((resolve) => setTimeout(resolve, 200));
    desk.server.abortWork();
    const res = await pending;
    expect(res.status).toBe(200);
    const draft = answerDraftSchema.parse(await res.json());
    expect(draft.complete).toBe(false);
    expect(draft.answer).toMatch(/^word0 word1/);
    await until(() => inference.requests.at(-1)?.closedEarly === true, 'the generation to stop');
  });
});
