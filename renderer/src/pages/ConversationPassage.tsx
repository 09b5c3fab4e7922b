import { useEffect, useRef, useState } from 'react';
import type { Citation } from '../../../core/contract/conversation.js';
import type { Passage } from '../../../core/contract/knowledge-api.js';
import { messageOf } from '../api.js';
import { getPassage } from '../desk/deskApi.js';

type Loaded =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; passage: Passage };

/** The source passage a citation points at, in a dialog: title, headings, the passage and its whole section. */
export function ConversationPassage({
  tenant,
  citation,
  onClose,
}: {
  tenant: string;
  citation: Citation | null;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [loaded, setLoaded] = useState<{ chunk: string; state: Loaded } | null>(null);
  const chunk = citation?.chunkId ?? null;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (citation && !element.open) element.showModal();
    if (!citation && element.open) element.close();
  }, [citation]);

  useEffect(() => {
    if (!chunk) return;
    let current = true;
    getPassage(tenant, chunk).then(
      (passage) => {
        if (current) setLoaded({ chunk, state: { status: 'ready', passage } });
      },
      (error: unknown) => {
        if (current) setLoaded({ chunk, state: { status: 'error', message: messageOf(error) } });
      },
    );
    return () => {
      current = false;
    };
  }, [tenant, chunk]);

  const state: Loaded = loaded && loaded.chunk === chunk ? loaded.state : { status: 'loading' };
  return (
    <dialog
      ref={dialog}
      className="desk-dialog desk-passage"
      aria-labelledby="desk-passage-title"
      onClose={onClose}
    >
      <div className="desk-dialog-head">
        <h2 id="desk-passage-title" className="panel-title">
          {state.status === 'ready' ? state.passage.title : (citation?.title ?? 'Source')}
        </h2>
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
      {state.status === 'loading' && <p role="status">Loading the passage…</p>}
      {state.status === 'error' && (
        <p className="form-error" role="alert">
          Could not open the passage: {state.message}
        </p>
      )}
      {state.status === 'ready' && (
        <>
          {state.passage.headings.length > 0 && (
            <p className="desk-passage-path">{state.passage.headings.join(' › ')}</p>
          )}
          {state.passage.source && <p className="muted desk-passage-source">{state.passage.source}</p>}
          <blockquote className="desk-passage-text">{state.passage.text}</blockquote>
          {state.passage.parentText && state.passage.parentText !== state.passage.text && (
            <details>
              <summary>The whole section</summary>
              <p className="desk-passage-section">{state.passage.parentText}</p>
            </details>
          )}
        </>
      )}
    </dialog>
  );
}
