import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatTurn, TextGenerator } from '../../contract/answer.js';
import { AppError } from '../../contract/errors.js';
import {
  chatCompletionsUrl,
  createOpenAiGenerator,
  type OpenAiGeneratorOptions,
} from './openai-generator.js';

/** What the fake server saw of one request. */
interface Seen {
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  url: string;
}
type Handler = (res: http.ServerResponse, seen: Seen) => void | Promise<void>;

const messages: ChatTurn[] = [
  { role: 'system', content: 'Answer from the context.' },
  { role: 'user', content: 'How do I reset my password?' },
];

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startStream(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(`data: ${JSON.stringify({ choices: [{ delta: { role: 'assistant' } }] })}\n\n`);
}
function sendToken(res: http.ServerResponse, text: string): void {
  res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: text }, finish_reason: null }] })}\n\n`);
}
function endStream(res: http.ServerResponse, finish = 'stop'): void {
  res.write(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: finish }] })}\n\n`);
  res.end('data: [DONE]\n\n');
}
/** A handler streaming `tokens` with `gapMs` between them. */
function streams(tokens: string[], gapMs = 5): Handler {
  return async (res) => {
    startStream(res);
    for (const t of tokens) {
      await wait(gapMs);
      sendToken(res, t);
    }
    endStream(res);
  };
}
function status(code: number, body = '{"error":{"message":"overloaded"}}'): Handler {
  return (res) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(body);
  };
}

/** A real HTTP server on 127.0.0.1: the n-th request gets handlers[n] (the last one repeats). */
async function fakeServer(handlers: Handler[]) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Seen = {
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        headers: req.headers,
        url: req.url ?? '',
      };
      seen.push(entry);
      const handler = handlers[Math.min(seen.length - 1, handlers.length - 1)];
      void handler?.(res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { baseUrl: `http://127.0.0.1:${port}/v1`, seen };
}

const servers: http.Server[] = [];
const generators: TextGenerator[] = [];
afterEach(async () => {
  await Promise.all(generators.splice(0).map((g) => g.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function generatorFor(baseUrl: string, options: Partial<OpenAiGeneratorOptions> = {}): TextGenerator {
  const generator = createOpenAiGenerator({ baseUrl, model: 'qwen-test', retryDelayMs: 10, ...options });
  generators.push(generator);
  return generator;
}

describe('OpenAI-compatible generator (real HTTP server on 127.0.0.1)', () => {
  it('streams the answer token by token and sends an OpenAI chat request', async () => {
    const { baseUrl, seen } = await fakeServer([streams(['To reset', ' your password', ', open Settings.'])]);
    const generator = generatorFor(baseUrl);
    const pieces: string[] = [];
    const result = await generator.generate({
      messages,
      maxTokens: 64,
      temperature: 0.2,
      onToken: (t) => pieces.push(t),
    });
    expect(result).toMatchObject({
      finish: 'stop',
      text: 'To reset your password, open Settings.',
      tokens: 3,
    });
    expect(pieces).toEqual(['To reset', ' your password', ', open Settings.']);
    expect(result.firstTokenMs).not.toBeNull();
    expect(generator.id).toBe(`openai:${baseUrl}#qwen-test`);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('/v1/chat/completions');
    expect(seen[0]?.body).toEqual({
      model: 'qwen-test',
      messages,
      max_tokens: 64,
      temperature: 0.2,
      stream: true,
    });
    expect(seen[0]?.headers.authorization).toBeUndefined();
  });

  it('reports "length" when the server stops at max_tokens and uses its token count when given', async () => {
    const { baseUrl } = await fakeServer([
      (res) => {
        startStream(res);
        sendToken(res, 'partial');
        res.write(
          `data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'length' }], usage: { completion_tokens: 7 } })}\n\n`,
        );
        res.end('data: [DONE]\n\n');
      },
    ]);
    const result = await generatorFor(baseUrl).generate({ messages, maxTokens: 7 });
    expect(result).toMatchObject({ finish: 'length', text: 'partial', tokens: 7 });
  });

  it('retries after a 500 and a 429 that came before any token', async () => {
    const { baseUrl, seen } = await fakeServer([status(500), status(429), streams(['ok'])]);
    const result = await generatorFor(baseUrl).generate({ messages, maxTokens: 8 });
    expect(result).toMatchObject({ finish: 'stop', text: 'ok' });
    expect(seen).toHaveLength(3);
  });

  it('gives up after the configured retries with the server status in the error', async () => {
    const { baseUrl, seen } = await fakeServer([status(503)]);
    const result = await generatorFor(baseUrl, { retries: 2 }).generate({ messages, maxTokens: 8 });
    expect(result.finish).toBe('error');
    expect(result.text).toBe('');
    expect(result.error).toMatch(/HTTP 503: overloaded/);
    expect(seen).toHaveLength(3);
  });

  it('does not retry a 400', async () => {
    const { baseUrl, seen } = await fakeServer([status(400, '{"error":{"message":"bad schema"}}')]);
    const result = await generatorFor(baseUrl).generate({ messages, maxTokens: 8 });
    expect(result).toMatchObject({ finish: 'error' });
    expect(result.error).toMatch(/HTTP 400: bad schema/);
    expect(seen).toHaveLength(1);
  });

  it('never retries once tokens have streamed: the partial text comes back with finish "error"', async () => {
    const { baseUrl, seen } = await fakeServer([
      async (res) => {
        startStream(res);
        sendToken(res, 'First');
        sendToken(res, ' part');
        await wait(20);
        res.destroy();
      },
      streams(['a duplicate']),
    ]);
    const pieces: string[] = [];
    const result = await generatorFor(baseUrl).generate({
      messages,
      maxTokens: 8,
      onToken: (t) => pieces.push(t),
    });
    expect(result).toMatchObject({ finish: 'error', text: 'First part', tokens: 2 });
    expect(pieces.join('')).toBe('First part');
    expect(seen).toHaveLength(1);
  });

  it('returns the partial text with finish "timeout" when the stream stalls', async () => {
    const { baseUrl, seen } = await fakeServer([
      (res) => {
        startStream(res);
        sendToken(res, 'Before the stall');
        // ... and nothing more, connection left open.
      },
    ]);
    const started = Date.now();
    const result = await generatorFor(baseUrl, { stallTimeoutMs: 200 }).generate({ messages, maxTokens: 8 });
    expect(result).toMatchObject({ finish: 'timeout', text: 'Before the stall' });
    expect(result.error).toMatch(/silent for 200 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(seen).toHaveLength(1);
  });

  it('times out without retrying when no first token comes', async () => {
    const { baseUrl, seen } = await fakeServer([() => undefined]);
    const result = await generatorFor(baseUrl, { firstTokenTimeoutMs: 200 }).generate({
      messages,
      maxTokens: 8,
    });
    expect(result).toMatchObject({ finish: 'timeout', text: '', firstTokenMs: null });
    expect(result.error).toMatch(/no token within 200 ms/);
    expect(seen).toHaveLength(1);
  });

  it('stops at the request timeoutMs even while tokens keep coming', async () => {
    const { baseUrl } = await fakeServer([
      streams(
        Array.from({ length: 100 }, () => 'x'),
        30,
      ),
    ]);
    const result = await generatorFor(baseUrl).generate({ messages, maxTokens: 100, timeoutMs: 250 });
    expect(result.finish).toBe('timeout');
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.text.length).toBeLessThan(100);
  });

  it('stops on abort and keeps the text so far', async () => {
    const { baseUrl } = await fakeServer([streams(['one', ' two', ' three', ' four', ' five'], 40)]);
    const controller = new AbortController();
    const result = await generatorFor(baseUrl).generate({
      messages,
      maxTokens: 8,
      signal: controller.signal,
      onToken: (t) => {
        if (t === ' two') controller.abort();
      },
    });
    expect(result).toMatchObject({ finish: 'aborted', text: 'one two' });
  });

  it('passes a JSON schema as response_format and returns the JSON text', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    const { baseUrl, seen } = await fakeServer([streams(['{"answer":', '"Open Settings"}'])]);
    const result = await generatorFor(baseUrl).generate({ messages, maxTokens: 32, jsonSchema: schema });
    expect(seen[0]?.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'answer', schema, strict: true },
    });
    expect(JSON.parse(result.text)).toEqual({ answer: 'Open Settings' });
  });

  it('sends the API key from the named variable and never shows it', async () => {
    const key = 'sk-very-secret-123';
    const { baseUrl, seen } = await fakeServer([
      (res, { headers }) => {
        if (headers.authorization === `Bearer ${key}`)
          return streams(['hi'])(res, { body: {}, headers, url: '' });
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `invalid key ${key}` } }));
      },
      (res) => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `invalid key ${key}` } }));
      },
    ]);
    const env = { AIRDESK_TEST_KEY: key };
    const generator = generatorFor(baseUrl, { apiKeyEnv: 'AIRDESK_TEST_KEY', env });
    expect(await generator.generate({ messages, maxTokens: 8 })).toMatchObject({
      finish: 'stop',
      text: 'hi',
    });
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${key}`);

    const refused = await generator.generate({ messages, maxTokens: 8 });
    expect(refused.finish).toBe('error');
    expect(refused.error).toMatch(/HTTP 401/);
    expect(refused.error).toContain('AIRDESK_TEST_KEY');
    expect(refused.error).not.toContain(key);
    expect(JSON.stringify(generator)).not.toContain(key);
    expect(seen).toHaveLength(2);
  });

  it('refuses a key variable that is not set, naming the variable', () => {
    expect(() =>
      createOpenAiGenerator({
        baseUrl: 'http://127.0.0.1:1/v1',
        model: 'm',
        apiKeyEnv: 'AIRDESK_NO_SUCH_KEY',
        env: {},
      }),
    ).toThrow(/AIRDESK_NO_SUCH_KEY/);
  });

  it('retries a refused connection, then reports it', async () => {
    const { baseUrl } = await fakeServer([status(200)]);
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const result = await generatorFor(baseUrl, { retries: 1 }).generate({ messages, maxTokens: 8 });
    expect(result.finish).toBe('error');
    expect(result.error).toMatch(/cannot reach 127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  it('accepts a server that ignores stream:true and sends one JSON answer', async () => {
    const { baseUrl } = await fakeServer([
      status(
        200,
        JSON.stringify({ choices: [{ message: { content: 'whole answer' }, finish_reason: 'stop' }] }),
      ),
    ]);
    const result = await generatorFor(baseUrl).generate({ messages, maxTokens: 8 });
    expect(result).toMatchObject({ finish: 'stop', text: 'whole answer' });
  });

  it('estimates tokens as characters / 4', () => {
    const generator = generatorFor('http://127.0.0.1:1/v1');
    expect(generator.countTokens('')).toBe(0);
    expect(generator.countTokens('abcdefgh')).toBe(2);
  });
});

describe('chatCompletionsUrl', () => {
  it('adds /chat/completions to an API base, with or without a slash', () => {
    expect(chatCompletionsUrl('http://10.0.0.5:8000/v1').href).toBe(
      'http://10.0.0.5:8000/v1/chat/completions',
    );
    expect(chatCompletionsUrl('http://10.0.0.5:8000/v1/').href).toBe(
      'http://10.0.0.5:8000/v1/chat/completions',
    );
    expect(chatCompletionsUrl('http://h/v1/chat/completions').href).toBe('http://h/v1/chat/completions');
  });

  it('refuses what is not an http(s) URL or holds credentials', () => {
    for (const bad of ['10.0.0.5:8000', 'file:///etc/passwd', 'http://user:pw@h/v1'])
      expect(() => chatCompletionsUrl(bad)).toThrow(AppError);
  });
});
