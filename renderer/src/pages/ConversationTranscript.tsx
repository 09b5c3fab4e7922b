import { useEffect, useRef } from 'react';
import type { Citation } from '../../../core/contract/conversation.js';
import type { ConversationDetail, DeskMessage, InternalNote } from '../../../core/contract/desk-api.js';
import { formatClock, roleLabels } from '../desk/format.js';

type Entry =
  { kind: 'message'; at: string; message: DeskMessage } | { kind: 'note'; at: string; note: InternalNote };

/** The messages and the internal notes, interleaved by time; notes look apart so nobody mistakes them as sent. */
export function ConversationTranscript({
  detail,
  onOpenSource,
}: {
  detail: ConversationDetail;
  onOpenSource: (citation: Citation) => void;
}) {
  const entries: Entry[] = [
    ...detail.messages.map((message): Entry => ({ kind: 'message', at: message.createdAt, message })),
    ...detail.notes.map((note): Entry => ({ kind: 'note', at: note.createdAt, note })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  const end = useRef<HTMLLIElement>(null);
  const count = entries.length;
  // New messages arrive at the bottom: keep the latest in view, without moving the page itself.
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [count]);

  if (count === 0) return <p className="muted">No messages yet.</p>;
  return (
    <ol className="desk-transcript" aria-label="Transcript">
      {entries.map((entry) =>
        entry.kind === 'note' ? (
          <li key={`note-${entry.note.id}`} className="desk-msg desk-msg-note">
            <p className="desk-msg-head">
              <strong>Internal note · {entry.note.author}</strong>
              <time dateTime={entry.at}>{formatClock(entry.at)}</time>
            </p>
            <p className="desk-msg-text">{entry.note.text}</p>
          </li>
        ) : (
          <li key={entry.message.id} className={`desk-msg desk-msg-${entry.message.role}`}>
            <p className="desk-msg-head">
              <strong>{roleLabels[entry.message.role]}</strong>
              <time dateTime={entry.at}>{formatClock(entry.at)}</time>
            </p>
            <p className="desk-msg-text">{entry.message.text}</p>
            {entry.message.citations.length > 0 && (
              <p className="desk-msg-sources">
                Sources:{' '}
                {entry.message.citations.map((citation, index) => (
                  <button
                    key={`${citation.docId}-${index}`}
                    type="button"
                    className="link-button"
                    disabled={!citation.chunkId}
                    onClick={() => onOpenSource(citation)}
                  >
                    [{index + 1}] {citation.title}
                  </button>
                ))}
              </p>
            )}
          </li>
        ),
      )}
      <li ref={end} className="desk-transcript-end" aria-hidden="true" />
    </ol>
  );
}
