import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import { priorities, type Priority } from '../../../core/contract/conversation.js';
import { addNote, assignConversation, escalateConversation } from '../desk/deskApi.js';
import { priorityLabels } from '../desk/format.js';
import { isSendKey, sendShortcut, shortcuts } from '../desk/shortcuts.js';
import type { ConversationActions } from './ConversationView.js';

interface FormProps {
  actions: ConversationActions;
  onDone: () => void;
}

function closeOnEscape(event: KeyboardEvent, close: () => void) {
  if (event.key !== 'Escape') return;
  event.preventDefault();
  close();
}

/** Hands the conversation to a person: a priority and, if useful, a note for whoever picks it up. */
export function EscalateForm({ actions, onDone }: FormProps) {
  const [priority, setPriority] = useState<Priority>('high');
  const [note, setNote] = useState('');
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);
  const { tenant, id, agent, busy } = actions;

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = note.trim();
    void actions
      .run('escalate the conversation', () =>
        escalateConversation(tenant, id, { agent, priority, ...(trimmed ? { note: trimmed } : {}) }),
      )
      .then((done) => done && onDone());
  }

  return (
    <form
      className="desk-inline-form"
      aria-label="Escalate the conversation"
      onSubmit={submit}
      onKeyDown={(event) => closeOnEscape(event, onDone)}
    >
      <div className="field">
        <label className="field-label" htmlFor="desk-escalate-priority">
          Escalation priority
        </label>
        <select
          id="desk-escalate-priority"
          ref={first}
          className="select"
          value={priority}
          onChange={(event) => setPriority(event.target.value as Priority)}
        >
          {priorities.map((p) => (
            <option key={p} value={p}>
              {priorityLabels[p]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label className="field-label" htmlFor="desk-escalate-note">
          Note for the person who takes it (optional)
        </label>
        <textarea
          id="desk-escalate-note"
          className="input textarea"
          rows={2}
          maxLength={2000}
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
      </div>
      <div className="form-actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button-danger-solid" disabled={busy !== null}>
          Escalate
        </button>
      </div>
    </form>
  );
}

/** Gives the conversation to a colleague by name (agents are names until SSO). */
export function AssignForm({ actions, onDone }: FormProps) {
  const [name, setName] = useState('');
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const { tenant, id, agent, busy } = actions;

  function submit(event: FormEvent) {
    event.preventDefault();
    void actions
      .run('assign the conversation', () => assignConversation(tenant, id, agent, name.trim()))
      .then((done) => done && onDone());
  }

  return (
    <form
      className="desk-inline-form desk-inline-row"
      aria-label="Assign to a colleague"
      onSubmit={submit}
      onKeyDown={(event) => closeOnEscape(event, onDone)}
    >
      <div className="field">
        <label className="field-label" htmlFor="desk-assign-name">
          Colleague's name
        </label>
        <input
          id="desk-assign-name"
          ref={first}
          className="input"
          maxLength={100}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      <div className="form-actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy !== null}>
          Assign
        </button>
      </div>
    </form>
  );
}

/** An internal note: kept with the conversation for colleagues, never shown to the visitor. */
export function NoteForm({
  actions,
  textareaRef,
}: {
  actions: ConversationActions;
  textareaRef: RefObject<HTMLTextAreaElement | null>;
}) {
  const [text, setText] = useState('');
  const { tenant, id, agent, busy } = actions;
  const save = () => {
    if (busy !== null) return;
    void actions
      .run('add the note', () => addNote(tenant, id, agent, text))
      .then((done) => done && setText(''));
  };

  return (
    <form
      className="desk-note-form"
      aria-label="Internal note"
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <label className="field-label" htmlFor="desk-note">
        Internal note <span className="muted">(only agents see it)</span>
      </label>
      <textarea
        id="desk-note"
        ref={textareaRef}
        className="input textarea desk-note-editor"
        rows={2}
        value={text}
        aria-keyshortcuts={`${shortcuts.note.aria} ${sendShortcut.aria}`}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (isSendKey(event)) {
            event.preventDefault();
            save();
          }
        }}
      />
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy !== null}>
          Add note <kbd>n</kbd>
        </button>
      </div>
    </form>
  );
}
