import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import {
  escalationReasons,
  type EscalationReason,
  type ReplyMode,
} from '../../../core/contract/conversation.js';
import type { DeskSettingsView } from '../../../core/contract/desk-api.js';
import { messageOf } from '../api.js';
import { getDeskSettings, saveDeskSettings } from './api.js';
import { reasonText } from './reasons.js';

type Loaded =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; saved: DeskSettingsView };
type Outcome = { kind: 'idle' } | { kind: 'saved' } | { kind: 'failed'; message: string };

const modes: { mode: ReplyMode; label: string; help: string }[] = [
  {
    mode: 'draft',
    label: 'AI drafts, an agent sends',
    help: 'Every answer waits in the inbox as a draft; an agent approves, edits or rewrites it. The safe default.',
  },
  {
    mode: 'auto',
    label: 'Automatic replies',
    help: 'The AI answers the visitor itself when it is confident enough; anything else waits as a draft.',
  },
];

function same(a: DeskSettingsView, b: DeskSettingsView): boolean {
  return (
    a.replyMode === b.replyMode &&
    a.autoReplyThreshold === b.autoReplyThreshold &&
    escalationReasons.every((r) => a.handoffReasons.includes(r) === b.handoffReasons.includes(r))
  );
}

/** How the desk answers: reply mode, the auto-reply threshold, and which escalations go to a person. */
export function AnsweringPanel({ tenant }: { tenant: string }) {
  const id = useId();
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const [form, setForm] = useState<DeskSettingsView | null>(null);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const [busy, setBusy] = useState(false);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);

  useEffect(() => {
    let current = true;
    getDeskSettings(tenant).then(
      (saved) => {
        if (!current) return;
        setLoaded({ status: 'ready', saved });
        setForm(saved);
      },
      (error: unknown) => {
        if (current) setLoaded({ status: 'error', message: messageOf(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [tenant, generation]);

  function change(patch: Partial<DeskSettingsView>) {
    setForm((old) => (old ? { ...old, ...patch } : old));
    setOutcome({ kind: 'idle' });
  }

  function toggleReason(reason: EscalationReason, on: boolean) {
    if (!form) return;
    const reasons = on ? [...form.handoffReasons, reason] : form.handoffReasons.filter((r) => r !== reason);
    change({ handoffReasons: escalationReasons.filter((r) => reasons.includes(r)) });
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!form) return;
    setBusy(true);
    try {
      const saved = await saveDeskSettings(tenant, form);
      setLoaded({ status: 'ready', saved });
      setForm(saved);
      setOutcome({ kind: 'saved' });
    } catch (error) {
      setOutcome({ kind: 'failed', message: messageOf(error) });
    } finally {
      setBusy(false);
    }
  }

  const percent = form ? Math.round(form.autoReplyThreshold * 100) : 0;
  const dirty = loaded.status === 'ready' && form !== null && !same(loaded.saved, form);
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel-title">
        Answering
      </h2>
      {loaded.status === 'loading' && <p role="status">Loading the desk settings…</p>}
      {loaded.status === 'error' && (
        <div className="callout callout-error" role="alert">
          <p>Could not load the desk settings: {loaded.message}</p>
          <button type="button" className="button" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {form && (
        <form className="form" noValidate aria-label="Answering settings" onSubmit={(e) => void submit(e)}>
          <fieldset className="fieldset">
            <legend>Reply mode</legend>
            {modes.map(({ mode, label, help }) => (
              <label key={mode} className="choice">
                <input
                  type="radio"
                  name={`${id}-mode`}
                  value={mode}
                  checked={form.replyMode === mode}
                  onChange={() => change({ replyMode: mode })}
                />
                <span>
                  <span className="choice-label">{label}</span>
                  <span className="field-help">{help}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-threshold`}>
              Auto-reply threshold
            </label>
            <div className="threshold">
              <input
                id={`${id}-threshold`}
                type="range"
                min={0}
                max={100}
                step={1}
                value={percent}
                aria-valuetext={`${percent} %`}
                aria-describedby={`${id}-threshold-help`}
                onChange={(e) => change({ autoReplyThreshold: Number(e.target.value) / 100 })}
              />
              <input
                type="number"
                className="input threshold-number"
                min={0}
                max={100}
                step={1}
                value={percent}
                aria-label="Auto-reply threshold in percent"
                onChange={(e) => {
                  const value = Math.min(100, Math.max(0, Math.round(Number(e.target.value) || 0)));
                  change({ autoReplyThreshold: value / 100 });
                }}
              />
              <span aria-hidden="true">%</span>
            </div>
            <span id={`${id}-threshold-help`} className="field-help">
              In automatic mode, an answer goes to the visitor only when the AI&apos;s confidence is at least{' '}
              {percent} %; below it, it waits as a draft. Automatic replies never go out when the answer
              escalates: those always wait for an agent.
            </span>
          </div>
          <fieldset className="fieldset">
            <legend>Escalations that hand the conversation to a person</legend>
            <p className="field-help">
              Checked: the conversation goes to the human queue and the visitor is told a person will join.
              Unchecked: the draft is only flagged for the agent with the reason, and the conversation stays
              with the AI.
            </p>
            {escalationReasons.map((reason) => (
              <label key={reason} className="choice">
                <input
                  type="checkbox"
                  checked={form.handoffReasons.includes(reason)}
                  onChange={(e) => toggleReason(reason, e.target.checked)}
                />
                <span>
                  <span className="choice-label">{reasonText[reason].label}</span>
                  <span className="field-help">{reasonText[reason].explanation}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <div role="status" aria-live="polite">
            {outcome.kind === 'saved' && <p className="form-ok">Saved. New answers follow these settings.</p>}
          </div>
          {outcome.kind === 'failed' && (
            <p className="form-error" role="alert">
              Could not save: {outcome.message}
            </p>
          )}
          <div className="form-actions">
            {dirty && <span className="muted">Unsaved changes</span>}
            <button
              type="button"
              className="button"
              disabled={!dirty || busy}
              onClick={() => {
                if (loaded.status === 'ready') setForm(loaded.saved);
                setOutcome({ kind: 'idle' });
              }}
            >
              Undo changes
            </button>
            <button type="submit" className="button button-primary" disabled={!dirty || busy}>
              {busy ? 'Saving…' : 'Save answering settings'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
