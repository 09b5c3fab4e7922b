import type { WidgetApi, WireMessage } from './api.js';
import type { SseEvent } from './sse.js';

/**
 * The conversation's event stream (fetch-based SSE, resumed with Last-Event-ID by WidgetApi.followEvents) and what
 * its events mean to the widget. Decoding is lenient about the payload's shape (`messageId` or `id`, `delta` or
 * `text`, a message nested or flat) so the widget keeps working while the server's event bodies evolve.
 */
export type ConversationEvent =
  | { kind: 'delta'; messageId: string; role: string; delta: string }
  | { kind: 'completed'; message: WireMessage }
  | { kind: 'handoff'; joined: boolean }
  | { kind: 'resolved' }
  /** An event this widget does not show (unknown name, or a payload missing what it needs); its id still counts. */
  | { kind: 'ignored' };

/** What an event means, or null when its data is not a JSON object (such events are skipped entirely). */
export function decodeEvent(event: SseEvent): ConversationEvent | null {
  const data = parseObject(event.data);
  if (!data) return null;
  switch (event.event) {
    case 'message.delta': {
      const messageId = data.messageId ?? data.id;
      const delta = data.delta ?? data.text;
      if (typeof messageId !== 'string' || typeof delta !== 'string') return { kind: 'ignored' };
      const role = typeof data.role === 'string' ? data.role : 'assistant';
      return { kind: 'delta', messageId, role, delta };
    }
    case 'message.completed': {
      const message = (data.message ?? data) as Partial<WireMessage> & { messageId?: string };
      const id = message.id ?? message.messageId;
      if (typeof id !== 'string' || typeof message.text !== 'string') return { kind: 'ignored' };
      const role = message.role ?? 'assistant';
      return { kind: 'completed', message: { id, role, text: message.text, citations: message.citations } };
    }
    case 'conversation.handoff':
      return {
        kind: 'handoff',
        joined: data.state === 'joined' || data.joined === true || typeof data.agent === 'object',
      };
    case 'conversation.resolved':
      return { kind: 'resolved' };
    default:
      return { kind: 'ignored' };
  }
}

/** What the widget does with the stream's events and its state changes. */
export interface StreamHandlers {
  /** A decoded event and its id ('' when the server sent none). */
  onEvent: (event: ConversationEvent, eventId: string) => void;
  /** The stream is up (again). */
  onOpen: () => void;
  /** The stream dropped; it reconnects by itself after a backoff. */
  onDrop: () => void;
  /** The server refused the stream for good: the conversation is gone or not this visitor's. */
  onRefused: () => void;
}

/** Follows at most one conversation's events at a time. */
export class ConversationStream {
  private following: AbortController | null = null;

  constructor(
    private readonly api: WidgetApi,
    private readonly handlers: StreamHandlers,
  ) {}

  /** Starts following, unless a stream is already under way. */
  follow(conversationId: string, lastEventId: string): void {
    if (this.following) return;
    const following = new AbortController();
    this.following = following;
    void this.api.followEvents(conversationId, {
      lastEventId,
      signal: following.signal,
      onEvent: (event) => {
        const decoded = decodeEvent(event);
        if (decoded) this.handlers.onEvent(decoded, event.id);
      },
      onOpen: () => this.handlers.onOpen(),
      onDrop: () => this.handlers.onDrop(),
      onRefused: () => {
        // followEvents has already given up; forgetting it lets a new conversation follow afresh.
        this.following = null;
        this.handlers.onRefused();
      },
    });
  }

  stop(): void {
    this.following?.abort();
    this.following = null;
  }
}

/** An event's JSON payload when it is an object, else null. */
function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
