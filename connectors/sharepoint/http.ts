import { AppError } from '../../core/contract/index.js';

/**
 * A response that is not what the API sends (HTML, broken JSON, JSON of another shape). Carried as the `cause` of
 * an AppError so `validate` can say "this is not SharePoint" while `load` reports it as an outage.
 */
export class UnexpectedResponse extends Error {
  override readonly name = 'UnexpectedResponse';
}

/** Why the connector gave up on an HTTP status: kept as an AppError's `cause` (never holds the token). */
export interface HttpFailure {
  status: number;
  /** Seconds from `Retry-After` on a 429 or 503, when the service sent one. */
  retryAfterSeconds?: number;
}

export interface ApiClientOptions {
  /** `SharePoint` or `Microsoft Graph`, as messages name it. */
  service: string;
  /** The address the admin configured, as messages name it. */
  where: string;
  /** The bearer token; undefined when the secret did not resolve. */
  token: string | undefined;
  fetch: typeof fetch;
  accept: string;
  /**
   * Turns a link the API handed back (next page, delta) into the URL to request, or throws: the token must never
   * travel to an address the admin did not configure.
   */
  resolveLink: (link: string) => string;
}

/** The largest part of an unexpected body quoted in a message: enough to recognise a login page. */
const quoteLength = 120;

export function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > quoteLength ? `${flat.slice(0, quoteLength)}…` : flat;
}

/** The path of a URL, decoded for reading; messages never carry the query (delta tokens, filters). */
export function pathOf(url: string): string {
  try {
    const { pathname } = new URL(url);
    try {
      return decodeURIComponent(pathname);
    } catch {
      return pathname;
    }
  } catch {
    return url;
  }
}

function retryAfterSeconds(headers: Headers): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The service's own message from an error body: Graph `{error:{code,message}}`, SharePoint JSON light
 * `{"odata.error":{code,message:{value}}}`, verbose `{error:{code,message:{value}}}` or an OAuth
 * `{error_description}`. Null when the body is none of these.
 */
export function serviceMessage(text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(body)) return null;
  const error = body['odata.error'] ?? body.error;
  if (isRecord(error)) {
    const message = isRecord(error.message) ? error.message.value : error.message;
    const code = typeof error.code === 'string' ? ` (${error.code})` : '';
    if (typeof message === 'string') return quote(`${message}${code}`);
  }
  return typeof body.error_description === 'string' ? quote(body.error_description) : null;
}

/**
 * The HTTP client of one SharePoint site or Graph endpoint. Every request goes through the `fetch` the runner gave
 * the connector, which retries 429/5xx with backoff (honouring Retry-After), so this layer makes one attempt and
 * turns a non-OK status into an AppError whose message says what to do. Redirects are not followed with the token.
 */
export class ApiClient {
  constructor(readonly options: ApiClientOptions) {}

  private authorization(): string {
    const { token, service } = this.options;
    if (!token) {
      throw new AppError(
        'unauthorized',
        `no token for ${service}: the connector's "token" secret is empty or could not be read; set it again`,
      );
    }
    return `Bearer ${token}`;
  }

  /** One GET with the token; network failures become `unavailable`, cancellation passes through untouched. */
  async send(url: string, signal: AbortSignal): Promise<Response> {
    const headers = { Authorization: this.authorization(), Accept: this.options.accept };
    try {
      return await this.options.fetch(url, { headers, redirect: 'manual', signal });
    } catch (error) {
      throw this.unreachable(error, signal);
    }
  }

  private unreachable(error: unknown, signal: AbortSignal): unknown {
    if (signal.aborted) return signal.reason ?? error;
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    const { service, where } = this.options;
    return new AppError(
      'unavailable',
      `${service} at ${where} is unreachable (${reason}); check the address and that this machine can reach it`,
      { cause: error },
    );
  }

  /** GET a JSON resource; a non-2xx status throws (see `failure`), a body that is not JSON throws `unavailable`. */
  async getJson(url: string, what: string, signal: AbortSignal): Promise<unknown> {
    const response = await this.send(url, signal);
    const text = await response.text();
    if (response.status < 200 || response.status > 299) throw this.failure(response, text, what);
    return this.parseJson(response, text, what);
  }

  /** Parses a 2xx body; HTML or broken JSON throws `unavailable` caused by UnexpectedResponse. */
  parseJson(response: Response, text: string, what: string): unknown {
    const contentType = response.headers.get('content-type') ?? 'no content type';
    if (!/\bjson\b/i.test(contentType)) {
      throw this.unexpected(`${what}: expected JSON, got ${contentType} "${quote(text)}"`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw this.unexpected(
        `${what}: the body is not valid JSON (${error instanceof Error ? error.message : String(error)}; "${quote(text)}")`,
      );
    }
  }

  /** An AppError for a body of the wrong shape: the service, a proxy or a login page answered something else. */
  unexpected(detail: string): AppError {
    const { service, where } = this.options;
    return new AppError('unavailable', `${service} at ${where} sent an unexpected response for ${detail}`, {
      cause: new UnexpectedResponse(detail),
    });
  }

  /** The AppError for a non-2xx answer, with the service's own message when it sent one. */
  failure(response: Response, text: string, what: string): AppError {
    const { status } = response;
    const { service, where } = this.options;
    const cause: HttpFailure = { status };
    const retryAfter = retryAfterSeconds(response.headers);
    if (retryAfter !== undefined) cause.retryAfterSeconds = retryAfter;
    const said = serviceMessage(text);
    const detail = said ? `: ${said}` : '';
    if (status >= 300 && status < 400) {
      const location = response.headers.get('location') ?? 'another address';
      return new AppError(
        'unavailable',
        `${what}: ${service} at ${where} redirected (HTTP ${status}) to ${pathOf(location)}, probably a sign-in page; this connector signs in with a bearer token only`,
        { cause: new UnexpectedResponse(`HTTP ${status} redirect`) },
      );
    }
    if (status === 401) {
      return new AppError(
        'unauthorized',
        `${service} at ${where} refused the token (HTTP 401${detail}); it may be expired or revoked: get a new one and update the connector`,
        { cause },
      );
    }
    if (status === 403)
      return new AppError('forbidden', `${what}: access denied (HTTP 403${detail})`, { cause });
    if (status === 404) return new AppError('not_found', `${what}: not found (HTTP 404${detail})`, { cause });
    if (status === 429) {
      const wait = retryAfter === undefined ? '' : `; ${service} asks to retry after ${retryAfter} s`;
      return new AppError('rate_limited', `${what}: ${service} is throttling this token (HTTP 429)${wait}`, {
        cause,
      });
    }
    if (status === 400) {
      return new AppError('invalid_input', `${what}: ${service} rejected the request (HTTP 400${detail})`, {
        cause,
      });
    }
    return new AppError('unavailable', `${what}: ${service} answered HTTP ${status}${detail}`, { cause });
  }

  /**
   * Downloads a file's bytes, stopping at `maxBytes` ('too_large'). With `followRedirect` one redirect is followed
   * without the token: Graph answers `/content` with a 302 to a short-lived pre-authenticated URL.
   */
  async download(
    url: string,
    what: string,
    signal: AbortSignal,
    options: { maxBytes: number; followRedirect: boolean },
  ): Promise<Uint8Array | 'too_large'> {
    let response = await this.send(url, signal);
    const location = response.headers.get('location');
    if (options.followRedirect && response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      try {
        response = await this.options.fetch(new URL(location, url), { redirect: 'manual', signal });
      } catch (error) {
        throw this.unreachable(error, signal);
      }
    }
    if (response.status < 200 || response.status > 299) {
      throw this.failure(response, await response.text(), what);
    }
    return readCapped(response, options.maxBytes);
  }
}

/** The body's bytes, or 'too_large' as soon as they pass `maxBytes` (the rest is never read). */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array | 'too_large'> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes || !response.body) {
    await response.body?.cancel();
    return declared > maxBytes ? 'too_large' : new Uint8Array();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const result = await reader.read();
    if (result.done) break;
    const value = result.value as Uint8Array;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return 'too_large';
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
