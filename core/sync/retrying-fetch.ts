/** How the sync runner retries a connector's HTTP calls. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  maxAttempts?: number;
  /** First backoff ceiling; doubles per attempt (full jitter: a random wait below the ceiling). Default 500 ms. */
  baseDelayMs?: number;
  /** Backoff ceiling. Default 30 s. */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the response goes back to the connector. Default 5 min. */
  maxRetryAfterMs?: number;
  /** Aborts the waits and the requests (the sync's signal). */
  signal?: AbortSignal;
  /** One line per retry; carries the method, origin and path only, never headers or the query. */
  log?: (message: string) => void;
  /** Tests: a fixed random source and clock. */
  random?: () => number;
  now?: () => number;
}

const retryableStatus = new Set([429, 500, 502, 503, 504]);

/**
 * Wraps `fetch` for connectors: network errors and 5xx are retried with exponential backoff and full jitter,
 * 429/503 wait what `Retry-After` says (seconds or an HTTP date), attempts are bounded, and every wait and request
 * ends on the signal. A request whose body is a stream cannot be replayed and is sent once.
 */
export function retryingFetch(base: typeof fetch, options: RetryOptions = {}): typeof fetch {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const baseDelay = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 5 * 60_000;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;

  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const signal = combine(
      options.signal,
      init?.signal ?? (input instanceof Request ? input.signal : undefined),
    );
    const replayable = !(init?.body instanceof ReadableStream) && !(input instanceof Request && input.body);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const where = describe(input);
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const last = attempt >= maxAttempts || !replayable;
      let wait: number;
      let why: string;
      try {
        const response = await base(input, { ...init, ...(signal ? { signal } : {}) });
        if (last || !retryableStatus.has(response.status)) return response;
        const after = retryAfterMs(response.headers.get('retry-after'), now());
        if (after !== null && after > maxRetryAfter) return response;
        wait = after ?? backoff(attempt, baseDelay, maxDelay, random);
        why = `${response.status}`;
        await response.body?.cancel().catch(() => {});
      } catch (error) {
        if (signal?.aborted || last || !isNetworkError(error)) throw error;
        wait = backoff(attempt, baseDelay, maxDelay, random);
        why = `network error (${error instanceof Error ? error.message : String(error)})`;
      }
      options.log?.(
        `retrying ${method} ${where} after ${why} (attempt ${attempt + 1}/${maxAttempts} in ${(wait / 1000).toFixed(1)} s)`,
      );
      await sleep(wait, signal);
    }
  };
  return wrapped;
}

/** Full jitter (AWS architecture blog): a uniform wait in [0, min(max, base · 2^(attempt-1))). */
export function backoff(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
}

/** `Retry-After` in milliseconds from now: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** fetch (undici) rejects with a TypeError for connection failures; anything else is not ours to retry. */
function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError;
}

function describe(input: string | URL | Request): string {
  try {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    return `${url.origin}${url.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

function combine(a: AbortSignal | undefined, b: AbortSignal | null | undefined): AbortSignal | undefined {
  if (a && b) return AbortSignal.any([a, b]);
  return a ?? b ?? undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
