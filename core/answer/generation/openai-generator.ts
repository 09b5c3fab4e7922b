import type { FinishReason, GenerateRequest, GenerateResult, TextGenerator } from '../../contract/answer.js';
import { AppError } from '../../contract/errors.js';
import { errorText, GenerationRun } from './generation-run.js';
import { readSseData } from './sse.js';

export interface OpenAiGeneratorOptions {
  /** The server's API base, e.g. "http://10.0.0.5:8000/v1" (vLLM, llama.cpp server, Ollama's /v1). */
  baseUrl: string;
  /** The model name the server knows, e.g. "qwen2.5-7b-instruct". */
  model: string;
  /** Name of the environment variable holding the API key (the key itself is never logged or shown). */
  apiKeyEnv?: string;
  /** Where `apiKeyEnv` is read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The server's context window; default 8192. */
  contextTokens?: number;
  /** Limit on connecting and receiving the first token; default 30 s. */
  firstTokenTimeoutMs?: number;
  /** Limit on silence between two events once tokens flow; default 15 s. */
  stallTimeoutMs?: number;
  /** Whole-request limit used when a request has no timeoutMs; default 120 s. */
  timeoutMs?: number;
  /** Retries of a failed connection / 429 / 5xx before any token came; default 3. */
  retries?: number;
  /** First retry delay, doubled each time; default 500 ms. */
  retryDelayMs?: number;
}

/** One attempt's end: done (the run holds the result), worth another try, or failed for good. */
type Attempt =
  | { kind: 'done'; finish: FinishReason }
  | { kind: 'retry'; error: string; delayMs?: number }
  | { kind: 'failed'; error: string };

interface StreamChunk {
  choices?: {
    delta?: { content?: string | null };
    message?: { content?: string | null };
    finish_reason?: string | null;
  }[];
  usage?: { completion_tokens?: number } | null;
  error?: { message?: string } | string;
}

const maxRetryDelayMs = 10_000;

/**
 * A client of an OpenAI-compatible `/chat/completions` endpoint (the scale-out generator), streaming with SSE.
 * Retries happen only before the first token, so text is never duplicated; any later failure returns the text so
 * far with its finish reason. Only `baseUrl` is ever contacted.
 */
export function createOpenAiGenerator(options: OpenAiGeneratorOptions): TextGenerator {
  return new OpenAiTextGenerator(options);
}

/** The `/chat/completions` URL for a base URL with or without the path; throws invalid_input for a bad URL. */
export function chatCompletionsUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new AppError(
      'invalid_input',
      `"${baseUrl}" is not a URL: give the server's API base, e.g. http://10.0.0.5:8000/v1`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AppError(
      'invalid_input',
      `"${baseUrl}" is not an http(s) URL: give the server's API base, e.g. http://10.0.0.5:8000/v1`,
    );
  if (url.username || url.password)
    throw new AppError(
      'invalid_input',
      'the generator URL must not hold credentials: put the API key in an environment variable',
    );
  if (!url.pathname.endsWith('/chat/completions'))
    url.pathname = url.pathname.replace(/\/*$/, '') + '/chat/completions';
  return url;
}

class OpenAiTextGenerator implements TextGenerator {
  readonly kind = 'openai' as const;
  readonly id: string;
  readonly contextTokens: number;
  private readonly url: URL;
  // Private so it cannot end up in a log line or JSON dump of the generator.
  readonly #apiKey: string | undefined;
  private readonly active = new Set<GenerationRun>();
  private closed = false;
  /** The options without `env`: the environment (and the key in it) must not be reachable from the generator. */
  private readonly options: Omit<OpenAiGeneratorOptions, 'env'>;

  constructor({ env, ...options }: OpenAiGeneratorOptions) {
    this.options = options;
    this.url = chatCompletionsUrl(options.baseUrl);
    this.id = `openai:${options.baseUrl.replace(/\/+$/, '')}#${options.model}`;
    this.contextTokens = options.contextTokens ?? 8192;
    if (options.apiKeyEnv) {
      const key = (env ?? process.env)[options.apiKeyEnv];
      if (!key)
        throw new AppError(
          'invalid_input',
          `the environment variable ${options.apiKeyEnv} (named for the generator's API key) is not set`,
        );
      this.#apiKey = key;
    }
  }

  /** An estimate: about 4 characters per token for English text; the server's tokenizer is not available here. */
  countTokens(text: string): number {
    return Math.ceil(text.length / 4);
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (this.closed) throw new AppError('unavailable', `the generator ${this.id} is closed`);
    const run = new GenerationRun(
      request.signal,
      request.timeoutMs ?? this.options.timeoutMs ?? 120_000,
      request.onToken,
    );
    this.active.add(run);
    try {
      const retries = this.options.retries ?? 3;
      for (let attempt = 0; ; attempt++) {
        if (run.stopped) return run.result('aborted');
        const outcome = await this.attempt(request, run);
        if (outcome.kind === 'done') return run.result(outcome.finish);
        if (outcome.kind === 'failed' || attempt >= retries)
          return run.result('error', this.redact(outcome.error));
        const backoff = Math.min((this.options.retryDelayMs ?? 500) * 2 ** attempt, maxRetryDelayMs);
        await sleep(Math.max(backoff, outcome.delayMs ?? 0), run.signal);
      }
    } finally {
      this.active.delete(run);
    }
  }

  private async attempt(request: GenerateRequest, run: GenerationRun): Promise<Attempt> {
    const firstTokenMs = this.options.firstTokenTimeoutMs ?? 30_000;
    const stallMs = this.options.stallTimeoutMs ?? 15_000;
    let timer = setTimeout(
      () => run.stop('timeout', `the server at ${this.url.host} sent no token within ${firstTokenMs} ms`),
      firstTokenMs,
    );
    const rearm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => run.stop('timeout', `the server at ${this.url.host} went silent for ${stallMs} ms mid-answer`),
        stallMs,
      );
    };
    try {
      let response: Response;
      try {
        response = await fetch(this.url, {
          method: 'POST',
          headers: this.headers(),
          body: JSON.stringify(this.body(request)),
          signal: run.signal,
        });
      } catch (error) {
        if (run.stopped) return { kind: 'done', finish: 'aborted' };
        return { kind: 'retry', error: `cannot reach ${this.url.host}: ${causeText(error)}` };
      }
      if (!response.ok) return await this.refused(response);
      if (!response.body) return { kind: 'failed', error: `${this.url.host} answered with an empty body` };
      if (!(response.headers.get('content-type') ?? '').includes('text/event-stream'))
        return await this.wholeAnswer(response, run);
      return await this.stream(response.body, run, () => {
        if (run.tokens > 0) rearm();
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads the SSE stream into the run. `onEvent` is called for each event so the stall clock restarts. */
  private async stream(
    body: ReadableStream<Uint8Array>,
    run: GenerationRun,
    onEvent: () => void,
  ): Promise<Attempt> {
    let finish: FinishReason | null = null;
    let usageTokens: number | null = null;
    try {
      for await (const data of readSseData(body)) {
        if (data.trim() === '[DONE]') break;
        const chunk = parseChunk(data);
        if (!chunk) continue;
        if (chunk.error) return this.midStreamError(run, serverMessage(chunk.error));
        const choice = chunk.choices?.[0];
        const text = choice?.delta?.content;
        if (text) run.push(text);
        if (choice?.finish_reason) finish = choice.finish_reason === 'length' ? 'length' : 'stop';
        if (typeof chunk.usage?.completion_tokens === 'number') usageTokens = chunk.usage.completion_tokens;
        onEvent();
        if (run.stopped) break;
      }
    } catch (error) {
      if (run.stopped) return { kind: 'done', finish: 'aborted' };
      return this.midStreamError(run, `the connection to ${this.url.host} broke: ${causeText(error)}`);
    }
    if (run.stopped) return { kind: 'done', finish: 'aborted' };
    if (usageTokens !== null) run.tokens = usageTokens;
    if (finish) return { kind: 'done', finish };
    return this.midStreamError(run, `${this.url.host} closed the stream before the answer was complete`);
  }

  /** A failure after the request was accepted: retried only while nothing has been shown to the caller. */
  private midStreamError(run: GenerationRun, error: string): Attempt {
    return run.tokens === 0 && run.text === '' ? { kind: 'retry', error } : { kind: 'failed', error };
  }

  /** A server that ignored `stream: true` sends one JSON answer. */
  private async wholeAnswer(response: Response, run: GenerationRun): Promise<Attempt> {
    const chunk = parseChunk(await response.text());
    const choice = chunk?.choices?.[0];
    if (!chunk || chunk.error || typeof choice?.message?.content !== 'string')
      return { kind: 'failed', error: `${this.url.host} sent an answer that is not a chat completion` };
    run.push(choice.message.content);
    if (typeof chunk.usage?.completion_tokens === 'number') run.tokens = chunk.usage.completion_tokens;
    return { kind: 'done', finish: choice.finish_reason === 'length' ? 'length' : 'stop' };
  }

  private async refused(response: Response): Promise<Attempt> {
    const detail = serverMessage(await response.text().catch(() => ''));
    const error = `${this.url.host} answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
    if (response.status === 429 || response.status >= 500) {
      const retryAfter = Number(response.headers.get('retry-after'));
      return { kind: 'retry', error, ...(retryAfter > 0 ? { delayMs: retryAfter * 1000 } : {}) };
    }
    if (response.status === 401 || response.status === 403)
      return {
        kind: 'failed',
        error: `${error}. ${this.options.apiKeyEnv ? `Check the API key in ${this.options.apiKeyEnv}` : 'The server wants an API key: set AIRDESK_GENERATOR_API_KEY_ENV to the name of the variable holding it'}`,
      };
    return { kind: 'failed', error };
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'text/event-stream',
    };
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    return headers;
  }

  private body(request: GenerateRequest): Record<string, unknown> {
    return {
      model: this.options.model,
      messages: request.messages.map(({ role, content }) => ({ role, content })),
      max_tokens: request.maxTokens,
      temperature: request.temperature ?? 0,
      stream: true,
      ...(request.jsonSchema
        ? {
            response_format: {
              type: 'json_schema',
              json_schema: { name: 'answer', schema: request.jsonSchema, strict: true },
            },
          }
        : {}),
    };
  }

  /** A server could echo the key back in an error body; it never reaches a message. */
  private redact(text: string): string {
    return this.#apiKey ? text.split(this.#apiKey).join('[API key]') : text;
  }

  close(): Promise<void> {
    this.closed = true;
    for (const run of this.active) run.stop('aborted');
    return Promise.resolve();
  }
}

function parseChunk(text: string): StreamChunk | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : null;
  } catch {
    return null;
  }
}

/** The message of an OpenAI-style error body, or the body itself cut short. */
function serverMessage(body: unknown): string {
  if (typeof body === 'string') {
    const parsed = parseChunk(body);
    if (parsed?.error) return serverMessage(parsed.error);
    return body.trim().slice(0, 300);
  }
  if (typeof body === 'object' && body !== null && 'message' in body)
    return String(body.message).slice(0, 300);
  return '';
}

/** fetch reports "fetch failed" and hides the reason (ECONNREFUSED, ...) in `cause`. */
function causeText(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? errorText(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
