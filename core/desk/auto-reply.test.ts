import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultDeskSettings } from '../contract/conversation.js';
import type { DeskService } from './desk-service.js';
import { openDeskFixture, type DeskFixture } from './desk-fixture.testing.js';
import type { FakeDeskEngine } from './fake-desk-engine.testing.js';
import { type FakeAnswer } from './fake-desk-engine.testing.js';

/** The auto-reply gate at the default threshold (0.75): who answers the visitor, the AI or an agent. */
describe('desk service: automatic replies at the default threshold', () => {
  let fixture: DeskFixture;
  let engine: FakeDeskEngine;
  let desk: DeskService;

  beforeEach(async () => {
    fixture = await openDeskFixture(['acme']);
    ({ engine, desk } = fixture);
  });
  afterEach(() => fixture.close());

  /** Posts one visitor message in a fresh conversation and says who answered it. */
  async function whoAnswers(answer: FakeAnswer): Promise<'assistant' | 'agent draft'> {
    engine.next = answer;
    const conversation = await desk.startConversation('acme');
    await (
      await desk.postVisitorMessage('acme', conversation.id, 'How do I reset my password?')
    ).done;
    const messages = await desk.messages('acme', conversation.id);
    const drafts = await desk.drafts('acme', { conversationId: conversation.id });
    if (messages.some((m) => m.role === 'assistant')) {
      expect(drafts).toEqual([]);
      return 'assistant';
    }
    expect(drafts).toHaveLength(1);
    return 'agent draft';
  }

  it('drafts for an agent in a new tenant, however confident the answer', async () => {
    expect(await desk.settings('acme')).toMatchObject({ replyMode: 'draft', autoReplyThreshold: 0.75 });
    expect(await whoAnswers({ answer: 'Open Settings.', confidence: 0.99 })).toBe('agent draft');
  });

  it('in auto mode replies at 0.75 and above, drafts below, and never replies when it escalates', async () => {
    await desk.updateSettings('acme', { replyMode: 'auto' });
    expect((await desk.settings('acme')).autoReplyThreshold).toBe(defaultDeskSettings.autoReplyThreshold);
    expect(await whoAnswers({ answer: 'Open Settings.', confidence: 0.75 })).toBe('assistant');
    expect(await whoAnswers({ answer: 'Open Settings.', confidence: 0.749 })).toBe('agent draft');
    expect(
      await whoAnswers({
        answer: 'Open Settings.',
        confidence: 0.95,
        escalation: { escalate: true, priority: 'urgent', reasons: ['critical_category'] },
      }),
    ).toBe('agent draft');
  });
});
