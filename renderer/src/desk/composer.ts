import { useState } from 'react';
import type { AgentDraftView } from '../../../core/contract/desk-api.js';

/**
 * The reply editor's text and the draft it started from. It lives in the conversation view, not in the editor,
 * so a new draft arriving (the visitor wrote again, someone regenerated, the AI finished) never wipes what the
 * agent is typing.
 */
export interface ComposerState {
  text: string;
  /** The pending draft the text started from; null when the agent started from an empty editor. */
  draftId: string | null;
  /** That draft's text ('' for none): the text counts as the agent's own once it differs from this. */
  baseText: string;
  /**
   * The draft the text was actually written from, whose citations its [n] markers number. It differs from
   * `draftId` after "Keep mine": the agent's text then stays tied to the newer draft (no more offers) but its
   * markers still number the older draft's sources.
   */
  sourceDraftId: string | null;
}

/** An editor showing `draft` as it is (or empty without one). */
export function composerFor(draft: AgentDraftView | null): ComposerState {
  const id = draft?.id ?? null;
  return { text: draft?.text ?? '', draftId: id, baseText: draft?.text ?? '', sourceDraftId: id };
}

/** Whether the agent changed the text: typed into an empty editor, or edited the draft. */
export function isEdited(state: ComposerState): boolean {
  return state.text.trim() !== state.baseText.trim();
}

/**
 * The editor once `draft` is the conversation's pending draft: unedited text follows the new draft (or empties
 * when the draft is gone); edited text is kept, and {@link incomingDraft} then offers the new draft instead.
 */
export function followDraft(state: ComposerState, draft: AgentDraftView | null): ComposerState {
  if (state.draftId === (draft?.id ?? null) || isEdited(state)) return state;
  return composerFor(draft);
}

/** A pending draft newer than the one the agent's edited text started from, or null. */
export function incomingDraft(state: ComposerState, draft: AgentDraftView | null): AgentDraftView | null {
  return draft !== null && draft.id !== state.draftId && isEdited(state) ? draft : null;
}

/**
 * The draft a Send claims (its citations go with the reply, the reply is remembered against its question), or
 * null: the text goes as the agent's own words without sources. Only the pending draft the text came from
 * qualifies — never a newer one that arrived meanwhile, whose sources the text's [n] markers would mis-number —
 * or any pending draft whose text is sent unchanged.
 */
export function replyDraftId(state: ComposerState, draft: AgentDraftView | null): string | null {
  if (draft === null) return null;
  if (state.text.trim() === draft.text.trim()) return draft.id;
  return state.draftId === draft.id && state.sourceDraftId === draft.id ? draft.id : null;
}

export interface ReplyComposer {
  text: string;
  setText: (text: string) => void;
  /** The text is the agent's own words rather than the pending draft's. */
  edited: boolean;
  /** The text started from the pending draft (or from nothing, with none pending): "Undo edits" may go back. */
  attached: boolean;
  /** A newer draft than the one the agent edited: the editor asks before replacing the agent's text. */
  incoming: AgentDraftView | null;
  /** The draft Send claims (see {@link replyDraftId}); null: sent as the agent's own words. */
  replyDraftId: string | null;
  /** Takes the incoming draft, dropping the agent's text. */
  replace: () => void;
  /** Keeps the agent's text over the incoming draft: it is sent as the agent's own words, without sources. */
  keep: () => void;
  /** Back to the text of the draft the editor started from. */
  undo: () => void;
  /** After a reply went out: an empty editor, still tied to the draft just sent until the view refetches. */
  sent: () => void;
}

/** The reply editor's state for one conversation; `draft` is its pending draft as last fetched. */
export function useReplyComposer(draft: AgentDraftView | null): ReplyComposer {
  const [state, setState] = useState(() => composerFor(draft));
  // Adjusting state while rendering (React's pattern for following a prop) avoids a frame showing stale text.
  const followed = followDraft(state, draft);
  if (followed !== state) setState(followed);
  const current = followed;
  const incoming = incomingDraft(current, draft);
  return {
    text: current.text,
    setText: (text) => setState((s) => ({ ...s, text })),
    edited: draft === null ? current.text.trim() !== '' : current.text.trim() !== draft.text.trim(),
    attached: current.draftId === (draft?.id ?? null),
    incoming,
    replyDraftId: replyDraftId(current, draft),
    replace: () => setState(composerFor(incoming ?? draft)),
    keep: () => setState((s) => ({ ...s, draftId: draft?.id ?? null, baseText: draft?.text ?? '' })),
    undo: () => setState((s) => ({ ...s, text: s.baseText })),
    sent: () => setState({ text: '', draftId: draft?.id ?? null, baseText: '', sourceDraftId: null }),
  };
}
