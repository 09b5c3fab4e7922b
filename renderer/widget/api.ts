import type { ConversationStatus, MessageRole } from '../../core/contract/conversation.js';
import { backoffMs, SseParser, type SseEvent } from './sse.js';

/** A citation as the widget API sends it: the contract's Citation, plus an optional link to the source. */
export interface WireCitation {
  docId?: string;
  title?: string;
  quote?: string;
  url?: string;
}

export interface WireMessage {
  id: string;
  role: MessageRole;
  text: string;
  citations?: WireCitation[];
  createdAt?: string;
}

/** A failed widget API call: the HTTP status, the error code of SPEC.md's `{error: {code, message}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds from `Retry-After` (429), when the server sent one. */
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
  }
}

/** `Retry-After` as whole seconds (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

export interface FollowOptions {
  lastEventId: string;
  signal: AbortSignal;
  onEvent: (event: SseEvent) => void;
  /** The stream is up (again). */
  onOpen: () => void;
  /** The stream dropped; the widget reconnects after a backoff. */
  onDrop: () => void;
  /** The server refused the stream for good (401, 403, 404): the conversation is gone or not ours. */
  onRefused: (status: number) => void;
}

/** The widget HTTP API of SPEC.md, as one visitor's browser calls it. */
export class WidgetApi {
  visitorToken: string | null = null;

  constructor(
    private readonly base: string,
    private readonly key: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}`, ...extra };
    if (this.visitorToken) headers['x-visitor-token'] = this.visitorToken;
    return headers;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: this.headers(), credentials: 'omit', cache: 'no-store' };
    if (body !== undefined) {
      init.headers = this.headers({ 'content-type': 'application/json' });
      init.body = JSON.stringify(body);
    }
    const res = await fetch(this.base + path, init);
    if (!res.ok) {
      let code = 'http_' + res.status;
      let message = res.statusText;
      try {
        const parsed = (await res.json()) as { error?: { code?: string; message?: string } };
        code = parsed.error?.code ?? code;
        message = parsed.error?.message ?? message;
      } catch {
        // Not a JSON error body (a proxy's page): the status says enough.
      }
      throw new ApiError(res.status, code, message, parseRetryAfter(res.headers.get('retry-after')));
    }
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  startConversation(): Promise<{ conversationId: string; visitorToken: string }> {
    return this.call('POST', '/v1/conversations', {});
  }

  sendMessage(conversationId: string, text: string): Promise<{ messageId: string }> {
    return this.call('POST', `/v1/conversations/${encodeURIComponent(conversationId)}/messages`, { text });
  }

  listMessages(conversationId: string): Promise<{ status: ConversationStatus; messages: WireMessage[] }> {
    return this.call('GET', `/v1/conversations/${encodeURIComponent(conversationId)}/messages`);
  }

  rate(conversationId: string, rating: number): Promise<void> {
    return this.call('POST', `/v1/conversations/${encodeURIComponent(conversationId)}/csat`, { rating });
  }

  /**
   * Follows the conversation's event stream until `signal` aborts: reconnects with backoff after a drop and
   * resumes with `Last-Event-ID`, so no delta is lost or repeated.
   */
  async followEvents(conversationId: string, options: FollowOptions): Promise<void> {
    const url = `${this.base}/v1/conversations/${encodeURIComponent(conversationId)}/events`;
    let lastEventId = options.lastEventId;
    let attempt = 0;
    let retryMs: number | null = null;
    while (!options.signal.aborted) {
      try {
        const extra: Record<string, string> = { accept: 'text/event-stream' };
        if (lastEventId) extra['last-event-id'] = lastEventId;
        const res = await fetch(url, {
          headers: this.headers(extra),
          signal: options.signal,
          credentials: 'omit',
          cache: 'no-store',
        });
        if (res.status === 401 || res.status === 403 || res.status === 404) {
          options.onRefused(res.status);
          return;
        }
        if (!res.ok || !res.body) throw new Error(`event stream: HTTP ${res.status}`);
        options.onOpen();
        const parser = new SseParser();
        parser.lastEventId = lastEventId;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          attempt = 0;
          for (const event of parser.push(value)) {
            lastEventId = event.id;
            options.onEvent(event);
          }
          lastEventId = parser.lastEventId;
          retryMs = parser.retryMs ?? retryMs;
        }
      } catch {
        // A network error or an abort: either way the loop decides below.
      }
      if (options.signal.aborted) return;
      options.onDrop();
      await sleep(retryMs !== null && attempt === 0 ? retryMs : backoffMs(attempt, 500), options.signal);
      attempt++;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
