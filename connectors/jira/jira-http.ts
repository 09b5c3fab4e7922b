import type { z } from 'zod';
import { AppError, type ErrorCode } from '../../core/contract/index.js';

/*
 * Why this connector calls Jira's REST API through `context.fetch` instead of jira.js (5.4.0):
 * - jira.js sends every request through its own axios instance. Axios 1.x can be pointed at a custom fetch
 *   (`adapter: 'fetch', env: { fetch }`), but only by reaching into `baseRequestConfig`, and jira.js's methods take
 *   no per-call AbortSignal, so cancelling a sync would mean building a client per call.
 * - Jira Server/Data Center personal access tokens are `Authorization: Bearer`; jira.js knows basic, OAuth 2.0
 *   (Cloud, with cloud-id routing) and JWT only, so PATs would again be smuggled in through axios headers.
 * - jira.js returns unvalidated bodies typed as if every field were present; we must turn a malformed response
 *   into a clear failure, so every response is parsed with our own zod schema anyway.
 * - The connector needs five endpoints (myself, search, enhanced search, comments); with `context.fetch` the runner
 *   sees and bounds every request, 429 Retry-After is honoured with an abortable wait, and errors map directly to
 *   the contract's codes. jira.js stays a dependency for the later createTicket work; this folder does not use it.
 */

export interface JiraHttpOptions {
  baseUrl: string;
  authorization: string;
  fetch: typeof fetch;
  log?: (message: string) => void;
  /** Attempts on 429/503 before giving up; tests lower the wait cap. */
  maxAttempts?: number;
  maxRetryWaitMs?: number;
}

export interface JiraRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  signal: AbortSignal;
}

const jiraErrorBody = (body: unknown): string | null => {
  if (typeof body !== 'object' || body === null) return null;
  const record = body as { errorMessages?: unknown; errors?: unknown; message?: unknown };
  const parts: string[] = [];
  if (Array.isArray(record.errorMessages)) parts.push(...record.errorMessages.map(String));
  if (typeof record.errors === 'object' && record.errors !== null)
    for (const [field, text] of Object.entries(record.errors)) parts.push(`${field}: ${String(text)}`);
  if (typeof record.message === 'string') parts.push(record.message);
  return parts.length > 0 ? parts.join('; ') : null;
};

/** A failed Jira call: the contract's code plus the HTTP status and Jira's own error text, for callers to refine. */
export class JiraHttpError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number | null,
    readonly detail: string | null,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A JSON client for one Jira site: auth header, Retry-After on 429/503, errors as AppError codes. */
export class JiraHttp {
  readonly baseUrl: string;
  constructor(private readonly options: JiraHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** The parsed JSON body of a 2xx response, checked against `schema`; any other outcome throws an AppError. */
  async json<T>(request: JiraRequest, schema: z.ZodType<T>): Promise<T> {
    const body = await this.send(request);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'unknown shape';
      throw new JiraHttpError(
        'unavailable',
        `Jira returned an unexpected response to ${request.method} ${request.path} (${where}). ` +
          'Check that the base URL points at Jira and that apiVersion matches the server.',
        200,
        where,
      );
    }
    return parsed.data;
  }

  private async send(request: JiraRequest): Promise<unknown> {
    const url = new URL(this.baseUrl + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, String(value));
    const maxAttempts = this.options.maxAttempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      const response = await this.fetchOnce(url, request);
      if ((response.status === 429 || response.status === 503) && attempt < maxAttempts) {
        const waitMs = this.retryWaitMs(response.headers.get('retry-after'), attempt);
        await response.body?.cancel();
        this.options.log?.(`Jira answered ${response.status}; retrying in ${Math.round(waitMs / 1000)} s`);
        await abortableDelay(waitMs, request.signal);
        continue;
      }
      return this.read(response, request);
    }
  }

  private async fetchOnce(url: URL, request: JiraRequest): Promise<Response> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: this.options.authorization,
    };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await this.options.fetch(url, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: request.signal,
        redirect: 'manual',
      });
    } catch (error) {
      if (request.signal.aborted) throw error;
      throw new JiraHttpError(
        'unavailable',
        `Jira at ${this.baseUrl} is unreachable (${errorText(error)}). Check the URL, the network and the proxy.`,
        null,
        null,
        { cause: error },
      );
    }
  }

  private async read(response: Response, request: JiraRequest): Promise<unknown> {
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      body = undefined;
    }
    const what = `${request.method} ${request.path}`;
    const detail = jiraErrorBody(body);
    const suffix = detail ? `: ${detail}` : '';
    const fail = (code: ErrorCode, message: string): JiraHttpError =>
      new JiraHttpError(code, message, response.status, detail);
    if (response.ok) {
      if (body === undefined)
        throw fail(
          'unavailable',
          `Jira returned a body that is not JSON to ${what}. Check that the base URL points at Jira.`,
        );
      return body;
    }
    switch (response.status) {
      case 400:
        throw fail('invalid_input', `Jira rejected ${what}${suffix}`);
      case 401:
        throw fail(
          'unauthorized',
          `Jira rejected the credentials (HTTP 401)${suffix}. Check the token (and the email for basic auth).`,
        );
      case 403:
        throw fail(
          'forbidden',
          `Jira refused ${what} (HTTP 403)${suffix}. Check the account's permissions` +
            (response.headers.get('x-seraph-loginreason')?.includes('CAPTCHA')
              ? '; Jira wants a CAPTCHA solved in the browser after failed logins.'
              : '.'),
        );
      case 404:
        throw fail('not_found', `Jira has no ${what} (HTTP 404)${suffix}`);
      case 429:
        throw fail('rate_limited', `Jira kept rate-limiting ${what}; try the sync later.`);
      default:
        if (response.status >= 300 && response.status < 400)
          throw fail(
            'invalid_input',
            `${this.baseUrl} redirects ${what} to ${response.headers.get('location') ?? 'elsewhere'}; ` +
              'set the base URL to the address Jira answers on (is this Jira?).',
          );
        throw fail('unavailable', `Jira failed ${what} (HTTP ${response.status})${suffix}`);
    }
  }

  private retryWaitMs(retryAfter: string | null, attempt: number): number {
    const cap = this.options.maxRetryWaitMs ?? 60_000;
    const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, cap);
    const date = retryAfter === null ? Number.NaN : Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.min(Math.max(0, date - Date.now()), cap);
    return Math.min(1000 * 2 ** (attempt - 1), cap);
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
