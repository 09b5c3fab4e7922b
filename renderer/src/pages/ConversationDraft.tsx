import { useRef } from 'react';
import type { Citation } from '../../../core/contract/conversation.js';
import type { AgentDraftView } from '../../../core/contract/desk-api.js';
import type { ReplyComposer } from '../desk/composer.js';
import { regenerateDraft, sendReply } from '../desk/deskApi.js';
import { markUnsupported } from '../desk/grounding.js';
import { confidenceBand, percent, priorityLabels, reasonLabels } from '../desk/format.js';
import { isSendKey, sendShortcut, shortcuts, useShortcuts } from '../desk/shortcuts.js';
import type { ConversationActions } from './ConversationView.js';

interface ConversationDraftProps {
  /** The pending draft, or null: the agent writes the reply alone. */
  draft: AgentDraftView | null;
  /** The editor's text, kept by the conversation view across new drafts. */
  composer: ReplyComposer;
  actions: ConversationActions;
  onOpenSource: (citation: Citation) => void;
}

/**
 * The reply composer: the AI draft in an editable text box with its confidence, escalation flags, citations and
 * the sentences the grounding checker could not find in the sources. Unchanged it is approved; edited it is sent
 * as the agent's own words. A new draft replaces unedited text; over edited text it is offered, never forced.
 */
export function ConversationDraft({ draft, composer, actions, onOpenSource }: ConversationDraftProps) {
  const { text, setText, edited, incoming } = composer;
  const editor = useRef<HTMLTextAreaElement>(null);
  const { tenant, id, agent, busy } = actions;

  const send = () => {
    // While a newer draft is offered the agent chooses first: the text's [n] markers number the sources of the
    // draft it came from, and sending it as the newer one would cite that one's sources.
    if (busy !== null || incoming) return;
    const replyTo = composer.replyDraftId ?? undefined;
    void actions
      .run('send the reply', () => sendReply(tenant, id, agent, text, replyTo))
      .then((sent) => {
        if (sent) composer.sent();
      });
  };
  const regenerate = () => {
    if (busy === null) void actions.run('regenerate the draft', () => regenerateDraft(tenant, id, agent));
  };
  useShortcuts({
    edit: () => editor.current?.focus(),
    approve: () => {
      if (draft && text.trim()) send();
    },
    regenerate,
  });

  const heading = draft ? 'AI draft' : 'Reply';
  return (
    <section className="desk-draft" aria-labelledby="desk-draft-title">
      <div className="desk-draft-head">
        <h3 id="desk-draft-title">{heading}</h3>
        {draft && <Confidence value={draft.confidence} />}
      </div>
      {draft?.escalate && (
        <p className="desk-flag" role="note">
          The assistant suggests escalating
          {draft.priority ? ` (${priorityLabels[draft.priority].toLowerCase()} priority)` : ''}
          {draft.reasons.length > 0 ? `: ${draft.reasons.map((r) => reasonLabels[r]).join(', ')}` : '.'}
        </p>
      )}
      {incoming && (
        <div className="desk-flag desk-draft-incoming" role="status">
          <p>A new draft is available — your text is kept until you choose.</p>
          <div className="toolbar">
            <button type="button" className="button" onClick={composer.replace}>
              Replace my text
            </button>
            <button type="button" className="button" onClick={composer.keep}>
              Keep mine
            </button>
          </div>
        </div>
      )}
      {draft && draft.unsupported.length > 0 && (
        <Grounding text={draft.text} unsupported={draft.unsupported} />
      )}
      <label className="visually-hidden" htmlFor="desk-reply">
        {draft ? 'Draft reply to the visitor' : 'Reply to the visitor'}
      </label>
      <textarea
        id="desk-reply"
        ref={editor}
        className="input textarea desk-editor"
        rows={5}
        value={text}
        placeholder={draft ? '' : 'Write a reply to the visitor…'}
        aria-keyshortcuts={`${shortcuts.edit.aria} ${sendShortcut.aria}`}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (isSendKey(event)) {
            event.preventDefault();
            if (text.trim()) send();
          }
        }}
      />
      {draft && draft.citations.length > 0 && (
        <ol className="desk-citations" aria-label="Citations">
          {draft.citations.map((citation, index) => (
            <li key={`${citation.docId}-${index}`}>
              <button
                type="button"
                className="link-button"
                disabled={!citation.chunkId}
                title={citation.chunkId ? 'Open the source passage' : 'This citation has no stored passage'}
                onClick={() => onOpenSource(citation)}
              >
                [{index + 1}] {citation.title}
              </button>
              <span className="desk-quote">“{citation.quote}”</span>
            </li>
          ))}
        </ol>
      )}
      {draft && draft.citations.length === 0 && (
        <p className="muted">
          No citations: the assistant found nothing in the knowledge base for this question.
        </p>
      )}
      <div className="desk-draft-actions">
        {draft && edited && composer.attached && (
          <button type="button" className="button" disabled={busy !== null} onClick={composer.undo}>
            Undo edits
          </button>
        )}
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          aria-keyshortcuts={shortcuts.regenerate.aria}
          onClick={regenerate}
        >
          {busy === 'regenerate the draft' ? 'Drafting…' : draft ? 'Regenerate' : 'Draft with AI'}{' '}
          <kbd>r</kbd>
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={busy !== null || !text.trim() || incoming !== null}
          title={incoming ? 'Choose "Replace my text" or "Keep mine" first' : undefined}
          aria-keyshortcuts={
            draft && !edited ? `${shortcuts.approve.aria} ${sendShortcut.aria}` : sendShortcut.aria
          }
          onClick={send}
        >
          {busy === 'send the reply' ? 'Sending…' : draft && !edited ? 'Approve & send' : 'Send'}{' '}
          <kbd>{draft && !edited ? 'a' : 'Ctrl+Enter'}</kbd>
        </button>
      </div>
    </section>
  );
}

function Confidence({ value }: { value: number }) {
  const band = confidenceBand(value);
  return (
    <p className={`desk-confidence desk-confidence-${band}`}>
      Confidence <strong>{percent(value)}</strong>
      <span className="visually-hidden"> ({band})</span>
    </p>
  );
}

/** The draft as written with the unsupported sentences marked, and a legend saying what the marks mean. */
function Grounding({ text, unsupported }: { text: string; unsupported: string[] }) {
  return (
    <div className="desk-grounding">
      <p className="desk-grounding-legend">
        <mark className="desk-unsupported">Marked</mark> sentences were not found in the cited passages: check
        them before sending.
      </p>
      <p className="desk-grounding-text">
        {markUnsupported(text, unsupported).map((part, index) =>
          part.unsupported ? (
            <mark key={index} className="desk-unsupported">
              {part.text}
            </mark>
          ) : (
            <span key={index}>{part.text}</span>
          ),
        )}
      </p>
    </div>
  );
}
