import { describe, expect, it } from 'vitest';
import type { AgentDraftView } from '../../../core/contract/desk-api.js';
import { composerFor, followDraft, incomingDraft, isEdited, replyDraftId } from './composer.js';

function draft(id: string, text: string): AgentDraftView {
  return {
    id,
    conversationId: 'c1',
    messageId: `m-${id}`,
    text,
    citations: [],
    confidence: 0.8,
    escalate: false,
    priority: null,
    reasons: [],
    unsupported: [],
    status: 'pending',
    createdAt: '2026-11-25T12:00:00Z',
  };
}

describe('the reply editor when a new draft arrives', () => {
  const first = draft('d1', 'Refunds take 5 days.');
  const second = draft('d2', 'Gifts can be returned within 30 days.');

  it('takes the new draft when the agent had not edited the old one', () => {
    const state = composerFor(first);
    expect(isEdited(state)).toBe(false);
    expect(followDraft(state, second)).toEqual(composerFor(second));
    expect(incomingDraft(state, second)).toBeNull();
  });

  it('keeps the edited text and offers the new draft instead', () => {
    const state = { ...composerFor(first), text: 'Refunds take 5 business days, Maria.' };
    expect(followDraft(state, second)).toBe(state);
    expect(incomingDraft(state, second)).toBe(second);
    // Whitespace alone is not an edit.
    expect(isEdited({ ...composerFor(first), text: ` ${first.text}\n` })).toBe(false);
  });

  it('keeps text typed into an empty editor when an AI draft lands', () => {
    const state = { ...composerFor(null), text: 'Let me check' };
    expect(followDraft(state, first)).toBe(state);
    expect(incomingDraft(state, first)).toBe(first);
    // Unedited and empty: the draft fills the editor.
    expect(followDraft(composerFor(null), first).text).toBe(first.text);
  });

  it('empties an unedited editor when its draft is gone, and keeps an edited one without offering anything', () => {
    expect(followDraft(composerFor(first), null)).toEqual(composerFor(null));
    const edited = { ...composerFor(first), text: 'My own words' };
    expect(followDraft(edited, null)).toBe(edited);
    expect(incomingDraft(edited, null)).toBeNull();
  });

  it('stays put while the draft it started from is still the pending one', () => {
    const state = { ...composerFor(first), text: 'Edited' };
    expect(followDraft(state, first)).toBe(state);
    expect(incomingDraft(state, first)).toBeNull();
  });
});

describe('the draft a Send claims', () => {
  const first = draft('d1', 'Refunds take 5 days [1].');
  const second = draft('d2', 'Gifts can be returned within 30 days [1].');

  it('is the draft the text came from while it is the pending one, edited or not', () => {
    expect(replyDraftId(composerFor(first), first)).toBe('d1');
    expect(replyDraftId({ ...composerFor(first), text: 'Refunds take 5 business days [1].' }, first)).toBe(
      'd1',
    );
  });

  it('is never a newer draft that arrived while the agent edited an older one', () => {
    // The agent edits d1; d2 arrives and the editor offers it.
    const edited = { ...composerFor(first), text: 'Refunds take 5 business days [1].' };
    expect(followDraft(edited, second)).toBe(edited);
    expect(replyDraftId(edited, second)).toBeNull();
    // "Keep mine" ties the text to d2 (no more offers), but its [1] still numbers d1's sources.
    const kept = { ...edited, draftId: second.id, baseText: second.text };
    expect(incomingDraft(kept, second)).toBeNull();
    expect(replyDraftId(kept, second)).toBeNull();
    // "Replace my text" takes d2 with its sources.
    expect(replyDraftId(composerFor(second), second)).toBe('d2');
  });

  it('is the pending draft when its text is sent unchanged, and none without a pending draft', () => {
    const kept = { ...composerFor(first), draftId: second.id, baseText: second.text, text: second.text };
    expect(replyDraftId(kept, second)).toBe('d2');
    expect(replyDraftId({ ...composerFor(null), text: 'My own words' }, null)).toBeNull();
    expect(replyDraftId({ ...composerFor(null), text: 'My own words' }, first)).toBeNull();
  });
});
