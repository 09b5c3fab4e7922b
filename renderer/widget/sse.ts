/**
 * A small Server-Sent Events parser (the WHATWG "event stream interpretation"), fed with decoded text chunks from a
 * fetch body. The widget reads the event stream with fetch rather than EventSource because EventSource cannot send
 * the `Authorization` and `X-Visitor-Token` headers the widget API requires.
 */
export interface SseEvent {
  /** The `event:` field, `message` when the server sent none. */
  event: string;
  data: string;
  /** The last event id seen on this stream (the value to resume from with `Last-Event-ID`). */
  id: string;
}

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private eventType = '';
  private sawBom = false;
  /** The previous chunk ended in CR: a LF at the start of this one completes that CRLF, not a new line. */
  private pendingLf = false;
  /** The last `id:` field received; kept across events, as the spec's "last event ID buffer". */
  lastEventId = '';
  /** The reconnection delay the server asked for with `retry:`, in milliseconds. */
  retryMs: number | null = null;

  /** Feeds a chunk of text and returns the events it completed. */
  push(chunk: string): SseEvent[] {
    if (this.pendingLf && chunk.length > 0) {
      if (chunk.startsWith('\n')) chunk = chunk.slice(1);
      this.pendingLf = false;
    }
    let text = this.buffer + chunk;
    if (!this.sawBom && text.length > 0) {
      this.sawBom = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c !== '\n' && c !== '\r') continue;
      this.line(text.slice(start, i), events);
      if (c === '\r' && i === text.length - 1) this.pendingLf = true;
      if (c === '\r' && text[i + 1] === '\n') i++;
      start = i + 1;
    }
    this.buffer = text.slice(start);
    return events;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === '') {
      this.dispatch(events);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break;
    }
  }

  private dispatch(events: SseEvent[]): void {
    const type = this.eventType || 'message';
    const hasData = this.data.length > 0;
    const data = this.data.join('\n');
    this.data = [];
    this.eventType = '';
    if (hasData) events.push({ event: type, data, id: this.lastEventId });
  }
}

/** The delay before the n-th reconnection attempt (0-based): doubling from `baseMs`, capped, with some jitter. */
export function backoffMs(attempt: number, baseMs = 1000, maxMs = 30_000, random = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(exp * (0.75 + 0.5 * random()));
}
