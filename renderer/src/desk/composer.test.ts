import { describe, expect, it } from 'vitest';
import type { AgentDraftView } from '../../../core/contract/desk-api.js';
import { composerFor, followDraft, incomingDraft, isEdited } from './composer.js';

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
