import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiGenerator } from '../answer/generation/openai-generator.js';
import { answerDraftSchema, consoleRoutes } from '../contract/console-api.js';
import { bearer, openAnswerTestServer, parseEvents, type AnswerTestServer } from './answer-routes.testing.js';

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
  let desk: AnswerTestServer;
  let inference: Awaited<ReturnType<typeof fakeInferenceServer>>;
  beforeAll(async () => {
    inference = await fakeInferenceServer();
    desk = await openAnswerTestServer(
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
