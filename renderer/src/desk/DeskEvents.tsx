import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { tenantRoute } from '../../../core/contract/console-api.js';
import {
  deskConversationEventSchema,
  deskDraftEventSchema,
  deskEscalationEventSchema,
  deskEventTypes,
  deskRoutes,
  type DeskEvent,
} from '../../../core/contract/desk-api.js';
import { notifyDesktop } from './notify.js';
import { priorityLabels, reasonLabels } from './format.js';

type Listener = (event: DeskEvent) => void;

interface DeskLive {
  subscribe: (listener: Listener) => () => void;
  /** The event stream is open; false while (re)connecting. */
  connected: boolean;
}

const DeskEventsContext = createContext<DeskLive | null>(null);

/** How long to wait before reopening a stream the server closed for good (an error answer, a restart). */
const retryMs = 5_000;

/**
 * One live desk event stream per tenant for the whole console, shared by the inbox, the open conversation and
 * the escalation queue (a browser allows only six connections per origin). It also raises the desktop
 * notification for a new escalation whichever page is shown.
 */
export function DeskEventsProvider({ tenant, children }: { tenant: string | null; children: ReactNode }) {
  const listeners = useRef(new Set<Listener>());
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    if (!tenant) return;
    let source: EventSource | null = null;
    let retry: number | undefined;
    const emit = (event: DeskEvent) => {
      for (const listener of listeners.current) listener(event);
    };
    const open = () => {
      const stream = new EventSource(tenantRoute(deskRoutes.events, tenant));
      source = stream;
      const on = (name: string, read: (data: unknown) => DeskEvent) =>
        stream.addEventListener(name, (message: MessageEvent<string>) => {
          try {
            emit(read(message.data ? JSON.parse(message.data) : {}));
          } catch {
            // An event this console does not understand (a newer server) is skipped.
          }
        });
      // `ready` starts every connection, reconnections included: whoever listens refetches what they show.
      on(deskEventTypes.ready, () => {
        setConnected(true);
        return { type: 'ready', data: {} };
      });
      on(deskEventTypes.conversation, (d) => ({
        type: 'conversation',
        data: deskConversationEventSchema.parse(d),
      }));
      on(deskEventTypes.escalation, (d) => ({
        type: 'escalation',
        data: deskEscalationEventSchema.parse(d),
      }));
      on(deskEventTypes.draft, (d) => ({ type: 'draft', data: deskDraftEventSchema.parse(d) }));
      stream.onerror = () => {
        setConnected(false);
        // The browser reconnects by itself after a dropped connection, but gives up on an error answer.
        if (stream.readyState === EventSource.CLOSED) retry = window.setTimeout(open, retryMs);
      };
    };
    open();
    return () => {
      window.clearTimeout(retry);
      source?.close();
      setConnected(false);
    };
  }, [tenant]);

  useEffect(() => {
    const notifyEscalation: Listener = (event) => {
      // Escalation events come from hand-offs only; one on an assigned conversation is filed as assigned and
      // still calls for the desk's attention.
      if (event.type !== 'escalation' || event.data.escalation.status === 'closed') return;
      const { priority, reasons } = event.data.escalation;
      notifyDesktop(
        `${priorityLabels[priority]} escalation`,
        reasons.map((reason) => reasonLabels[reason]).join(', ') || 'A conversation needs a person.',
      );
    };
    listeners.current.add(notifyEscalation);
    const current = listeners.current;
    return () => {
      current.delete(notifyEscalation);
    };
  }, []);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo(() => ({ subscribe, connected }), [subscribe, connected]);
  return <DeskEventsContext.Provider value={value}>{children}</DeskEventsContext.Provider>;
}

/** Calls `onEvent` for every live desk event while the caller is shown; answers whether the stream is open. */
export function useDeskEvents(onEvent: Listener): boolean {
  const live = useContext(DeskEventsContext);
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  const subscribe = live?.subscribe;
  useEffect(() => subscribe?.((event) => handler.current(event)), [subscribe]);
  return live?.connected ?? false;
}

/** A counter that goes up at most once per `ms` however often `bump` is called: bursts of events refetch once. */
export function useThrottledTick(ms: number): [number, () => void] {
  const [tick, setTick] = useState(0);
  const last = useRef(0);
  const timer = useRef<number | null>(null);
  const bump = useCallback(() => {
    if (timer.current !== null) return;
    const wait = Math.max(0, last.current + ms - Date.now());
    timer.current = window.setTimeout(() => {
      timer.current = null;
      last.current = Date.now();
      setTick((n) => n + 1);
    }, wait);
  }, [ms]);
  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );
  return [tick, bump];
}
