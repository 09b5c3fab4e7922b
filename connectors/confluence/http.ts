import type { z } from 'zod';
import { AppError } from '../../core/contract/index.js';
import { errorBodySchema } from './api-shapes.js';

/**
 * A response that is not what Confluence's REST API sends (HTML, a redirect, JSON of another shape). Carried as the
 * `cause` of an AppError so `validate` can say "this URL is not Confluence" while `load` reports it as an outage.
 */
export class UnexpectedResponse extends Error {
  override readonly name = 'UnexpectedResponse';
}

/** Why the connector gave up on an HTTP status: kept as an AppError's `cause` (never holds the token). */
export interface HttpFailure {
  status: number;
  /** Seconds from `Retry-After` on a 429 or 503, when Confluence sent one. */
  retryAfterSeconds?: number;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** The largest part of an unexpected body quoted in a message: enough to recognise a login page. */
const quoteLength = 120;

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > quoteLength ? `${flat.slice(0, quoteLength)}…` : flat;
}

function retryAfterSeconds(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * The REST client of one Confluence instance. Every request goes through the `fetch` the runner gave the connector:
 * retries with backoff on 429/5xx happen there, so this layer makes one attempt and turns a non-OK status into an
 * AppError whose message says what to do. Redirects are not followed, so the bearer token never travels to another
 * address (a login page or an http→https redirect is reported instead).
 */
export class ConfluenceHttp {
  /** Server clock minus local clock in ms, from the last `Date` header; null before the first answer. */
  serverClockOffsetMs: number | null = null;

  constructor(
    readonly baseUrl: string,
    private readonly token: string,
    private readonly fetchFn: typeof fetch,
  ) {}

  /** The absolute URL of a REST path such as `/content/search`. */
  urlOf(path: string, query: Record<string, string | number | undefined> = {}): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) params.set(name, String(value));
    const search = params.size > 0 ? `?${params.toString()}` : '';
    return `${this.baseUrl}/rest/api${path}${search}`;
  }

  /** One GET; network failures become `unavailable`, cancellation passes through untouched. */
  async get(
    path: string,
    query: Record<string, string | number | undefined>,
    signal: AbortSignal,
  ): Promise<RawResponse> {
    const url = this.urlOf(path, query);
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' },
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      const reason =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      throw new AppError(
        'unavailable',
        `Confluence at ${this.baseUrl} is unreachable (${reason}); check the address and that this machine can reach it`,
        { cause: error },
      );
    }
    const text = await response.text();
    const date = Date.parse(response.headers.get('date') ?? '');
    if (!Number.isNaN(date)) this.serverClockOffsetMs = date - Date.now();
    return { status: response.status, headers: response.headers, text };
  }

  /** GET a JSON resource and check its shape; any non-2xx status throws (see `failure`). */
  async getJson<T extends z.ZodType>(
    path: string,
    query: Record<string, string | number | undefined>,
    schema: T,
    what: string,
    signal: AbortSignal,
  ): Promise<{ data: z.output<T>; response: RawResponse }> {
    const response = await this.get(path, query, signal);
    if (response.status < 200 || response.status > 299) throw this.failure(response, what);
    return { data: this.parse(response, schema, what), response };
  }

  /** Parses a 2xx body; HTML, broken JSON or another shape throw `unavailable` caused by UnexpectedResponse. */
  parse<T extends z.ZodType>(response: RawResponse, schema: T, what: string): z.output<T> {
    const contentType = response.headers.get('content-type') ?? 'no content type';
    if (!/\bjson\b/i.test(contentType)) {
      throw unexpected(`${what}: expected JSON, got ${contentType} "${quote(response.text)}"`);
    }
    let json: unknown;
    try {
      json = JSON.parse(response.text);
    } catch {
      throw unexpected(`${what}: the body is not valid JSON ("${quote(response.text)}")`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unknown shape';
      throw unexpected(`${what}: unexpected JSON shape (${where})`);
    }
    return parsed.data;
  }

  /** The AppError for a non-2xx answer, with Confluence's own message when it sent one. */
  failure(response: RawResponse, what: string): AppError {
    const { status } = response;
    const cause: HttpFailure = { status };
    const retryAfter = retryAfterSeconds(response.headers);
    if (retryAfter !== undefined) cause.retryAfterSeconds = retryAfter;
    const said = confluenceMessage(response);
    const detail = said ? `: ${said}` : '';
    if (status >= 300 && status < 400) {
      const location = response.headers.get('location') ?? 'another address';
      return new AppError(
        'unavailable',
        `${what}: Confluence at ${this.baseUrl} redirected (HTTP ${status}) to ${location}; set baseUrl to the address the wiki is served from`,
        { cause: new UnexpectedResponse(`HTTP ${status} redirect to ${location}`) },
      );
    }
    if (status === 401) {
      return new AppError(
        'unauthorized',
        `the personal access token was refused by Confluence at ${this.baseUrl} (HTTP 401${detail}); it may be expired or revoked: create a new one under Profile > Personal Access Tokens and update the connector`,
        { cause },
      );
    }
    if (status === 403)
      return new AppError('forbidden', `${what}: Confluence denied access (HTTP 403${detail})`, { cause });
    if (status === 404) return new AppError('not_found', `${what}: not found (HTTP 404${detail})`, { cause });
    if (status === 429) {
      const wait = retryAfter === undefined ? '' : `; Confluence asks to retry after ${retryAfter} s`;
      return new AppError(
        'rate_limited',
        `${what}: Confluence is rate limiting this token (HTTP 429)${wait}`,
        {
          cause,
        },
      );
    }
    return new AppError('unavailable', `${what}: Confluence answered HTTP ${status}${detail}`, { cause });
  }
}

function unexpected(detail: string): AppError {
  return new AppError('unavailable', `Confluence sent an unexpected response for ${detail}`, {
    cause: new UnexpectedResponse(detail),
  });
}

/** Confluence's `message` from an error body, or null when the body is not Confluence's error JSON. */
export function confluenceMessage(response: RawResponse): string | null {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(response.text));
    return parsed.success ? quote(parsed.data.message) : null;
  } catch {
    return null;
  }
}

/** Whether an error came from a response that is not Confluence's REST API (see UnexpectedResponse). */
export function isUnexpectedResponse(error: unknown): error is AppError & { cause: UnexpectedResponse } {
  return error instanceof AppError && error.cause instanceof UnexpectedResponse;
}
