/**
 * The visitor's conversation as the widget remembers it in sessionStorage (one entry per widget key), so a reload
 * or another page of the same site carries on the same conversation and resumes its event stream where it stopped.
 */
export interface Session {
  conversationId: string;
  visitorToken: string;
  /** The event id to resume the stream from (`Last-Event-ID`), '' before the first event. */
  lastEventId: string;
  /** The panel was open: it opens again after a reload. */
  open?: boolean;
  /** The visitor already rated this conversation: the survey shows its thanks instead of the stars. */
  rated?: boolean;
}

/** Reads and writes one widget key's session; storage failures never break the chat, they only lose the memory. */
export class SessionStore {
  private readonly storageKey: string;

  constructor(widgetKey: string) {
    this.storageKey = `airdesk-widget:${widgetKey}`;
  }

  /** The stored session, or null when there is none or it is not one of ours. */
  load(): Session | null {
    try {
      const parsed = JSON.parse(sessionStorage.getItem(this.storageKey) ?? 'null') as Session | null;
      if (parsed && typeof parsed.conversationId === 'string' && typeof parsed.visitorToken === 'string') {
        return { ...parsed, lastEventId: String(parsed.lastEventId ?? '') };
      }
    } catch {
      // Storage blocked or garbage: start afresh.
    }
    return null;
  }

  save(session: Session): void {
    try {
      sessionStorage.setItem(this.storageKey, JSON.stringify(session));
    } catch {
      // Storage blocked: the conversation still works until the page reloads.
    }
  }

  clear(): void {
    try {
      sessionStorage.removeItem(this.storageKey);
    } catch {
      // Nothing stored anyway.
    }
  }
}
