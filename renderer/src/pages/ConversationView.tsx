import { useEffect, useRef, useState } from 'react';
import type { Citation } from '../../../core/contract/conversation.js';
import type { ConversationDetail } from '../../../core/contract/desk-api.js';
import { messageOf } from '../api.js';
import { useReplyComposer } from '../desk/composer.js';
import { assignConversation, getConversation, markRead, resolveConversation } from '../desk/deskApi.js';
import { priorityLabels, reasonLabels, statusLabels } from '../desk/format.js';
import { shortcuts, useShortcuts } from '../desk/shortcuts.js';
import { ConversationDraft } from './ConversationDraft.js';
import { ConversationPassage } from './ConversationPassage.js';
import { ConversationSimilar } from './ConversationSimilar.js';
import { AssignForm, EscalateForm, NoteForm } from './ConversationTools.js';
import { ConversationTranscript } from './ConversationTranscript.js';

type Loaded =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; detail: ConversationDetail };

interface ConversationViewProps {
  tenant: string;
  id: string;
  agent: string;
  /** Goes up when a live event concerns this conversation: refetch. */
  tick: number;
  /** After an action: the inbox refetches its list. */
  onChanged: () => void;
}

export interface ConversationActions {
  tenant: string;
  id: string;
  agent: string;
  busy: string | null;
  /** Runs one action at a time; shows the server's message inline when refused. Answers whether it worked. */
  run: (what: string, action: () => Promise<unknown>) => Promise<boolean>;
}

/** One conversation: transcript with notes, the AI draft to approve, edit or regenerate, and the desk actions. */
export function ConversationView({ tenant, id, agent, tick, onChanged }: ConversationViewProps) {
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const [reload, setReload] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [panel, setPanel] = useState<'none' | 'escalate' | 'assign'>('none');
  const [passage, setPassage] = useState<Citation | null>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);
  const escalateButton = useRef<HTMLButtonElement>(null);
  const assignButton = useRef<HTMLButtonElement>(null);
  const ready = loaded.status === 'ready';
  // Once the conversation is there, screen readers and the keyboard start at its name, not the list row.
  useEffect(() => {
    if (ready) titleRef.current?.focus({ preventScroll: true });
  }, [ready]);
  /** Closing an inline form gives the focus back to the button that opened it. */
  const closePanel = (button: HTMLButtonElement | null) => {
    setPanel('none');
    button?.focus();
  };

  useEffect(() => {
    let current = true;
    getConversation(tenant, id).then(
      (detail) => {
        if (current) setLoaded({ status: 'ready', detail });
      },
      (cause: unknown) => {
        if (current) setLoaded({ status: 'error', message: messageOf(cause) });
      },
    );
    return () => {
      current = false;
    };
  }, [tenant, id, tick, reload]);

  // Opening the conversation (or new visitor messages while it is open) marks it read for the whole desk.
  const unread = loaded.status === 'ready' ? loaded.detail.conversation.unread : 0;
  useEffect(() => {
    if (unread > 0) markRead(tenant, id, agent).catch(() => undefined); // the badge simply stays
  }, [tenant, id, agent, unread]);

  const actions: ConversationActions = {
    tenant,
    id,
    agent,
    busy,
    run: async (what, action) => {
      setBusy(what);
      setError(null);
      try {
        await action();
        setReload((n) => n + 1);
        onChanged();
        return true;
      } catch (cause) {
        setError(`Could not ${what}: ${messageOf(cause)}`);
        return false;
      } finally {
        setBusy(null);
      }
    },
  };

  const detail = loaded.status === 'ready' ? loaded.detail : null;
  const summary = detail?.conversation;
  const draft = detail?.drafts.find((d) => d.status === 'pending') ?? null;
  // The editor's text lives here, not in the editor: a new draft or a failed refetch never loses it.
  const composer = useReplyComposer(draft);
  const assignToMe = () => {
    if (summary && summary.assignee !== agent)
      void actions.run('assign the conversation', () => assignConversation(tenant, id, agent, agent));
  };
  const resolve = () => {
    if (summary && summary.status !== 'resolved')
      void actions.run('resolve the conversation', () => resolveConversation(tenant, id, agent));
  };
  useShortcuts({
    escalate: () => setPanel('escalate'),
    resolve,
    note: () => noteRef.current?.focus(),
    assign: assignToMe,
  });

  if (loaded.status === 'loading') {
    return (
      <section className="desk-pane desk-conversation" aria-label="Conversation">
        <p role="status">Loading the conversation…</p>
      </section>
    );
  }
  if (loaded.status === 'error' || !detail || !summary) {
    return (
      <section className="desk-pane desk-conversation" aria-label="Conversation">
        <div className="callout callout-error" role="alert">
          <p>Could not load the conversation: {loaded.status === 'error' ? loaded.message : ''}</p>
          <button type="button" className="button" onClick={() => setReload((n) => n + 1)}>
            Try again
          </button>
        </div>
      </section>
    );
  }

  const openEscalations = detail.escalations.filter((e) => e.status !== 'closed');
  const lastQuestion = [...detail.messages].reverse().find((m) => m.role === 'visitor')?.text ?? '';
  const name = summary.visitorName ?? detail.visitor.name ?? 'Visitor';

  return (
    <section className="desk-pane desk-conversation" aria-labelledby="desk-conversation-title">
      <header className="desk-conv-head">
        <div className="desk-conv-title">
          <h2 id="desk-conversation-title" ref={titleRef} tabIndex={-1}>
            {name}
          </h2>
          <p className="desk-conv-meta">
            <span className={`desk-status desk-status-${summary.status}`}>
              {statusLabels[summary.status]}
            </span>
            {summary.priority && (
              <span className={`desk-pill desk-pill-${summary.priority}`}>
                {priorityLabels[summary.priority]}
              </span>
            )}
            <span>
              {summary.assignee
                ? `Assigned to ${summary.assignee === agent ? 'you' : summary.assignee}`
                : 'Unassigned'}
            </span>
            {detail.visitor.email && <span>{detail.visitor.email}</span>}
            <span>via {summary.channel}</span>
          </p>
          {detail.csat && (
            <p className="desk-conv-csat">
              Visitor rating: <span aria-hidden="true">{'★'.repeat(detail.csat.rating)}</span>{' '}
              {detail.csat.rating} of 5{detail.csat.comment ? ` — “${detail.csat.comment}”` : ''}
            </p>
          )}
          {openEscalations.length > 0 && (
            <p className="desk-conv-escalation">
              Escalated:{' '}
              {openEscalations.flatMap((e) => e.reasons.map((r) => reasonLabels[r])).join(', ') ||
                'by an agent'}
            </p>
          )}
        </div>
        <div className="toolbar" role="toolbar" aria-label="Conversation actions">
          {summary.assignee === agent ? (
            <button
              type="button"
              className="button"
              disabled={busy !== null}
              onClick={() =>
                void actions.run('unassign the conversation', () =>
                  assignConversation(tenant, id, agent, null),
                )
              }
            >
              Unassign
            </button>
          ) : (
            <button
              type="button"
              className="button"
              disabled={busy !== null}
              aria-keyshortcuts={shortcuts.assign.aria}
              onClick={assignToMe}
            >
              Assign to me <kbd>m</kbd>
            </button>
          )}
          <button
            type="button"
            className="button"
            ref={assignButton}
            aria-expanded={panel === 'assign'}
            onClick={() => setPanel(panel === 'assign' ? 'none' : 'assign')}
          >
            Assign to…
          </button>
          <button
            type="button"
            className="button"
            ref={escalateButton}
            aria-expanded={panel === 'escalate'}
            aria-keyshortcuts={shortcuts.escalate.aria}
            onClick={() => setPanel(panel === 'escalate' ? 'none' : 'escalate')}
          >
            Escalate <kbd>x</kbd>
          </button>
          <button
            type="button"
            className="button"
            disabled={busy !== null || summary.status === 'resolved'}
            aria-keyshortcuts={shortcuts.resolve.aria}
            onClick={resolve}
          >
            {summary.status === 'resolved' ? 'Resolved' : 'Resolve'} <kbd>⇧R</kbd>
          </button>
        </div>
      </header>
      {panel === 'escalate' && (
        <EscalateForm actions={actions} onDone={() => closePanel(escalateButton.current)} />
      )}
      {panel === 'assign' && <AssignForm actions={actions} onDone={() => closePanel(assignButton.current)} />}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <ConversationTranscript detail={detail} onOpenSource={setPassage} />
      <ConversationDraft draft={draft} composer={composer} actions={actions} onOpenSource={setPassage} />
      {lastQuestion && <ConversationSimilar tenant={tenant} question={lastQuestion} />}
      <NoteForm actions={actions} textareaRef={noteRef} />
      <ConversationPassage tenant={tenant} citation={passage} onClose={() => setPassage(null)} />
    </section>
  );
}
