import { describe, expect, it } from 'vitest';
import { decodeEvent } from './conversation-stream.js';

const frame = (event: string, data: unknown, id = '7') => ({
  event,
  data: typeof data === 'string' ? data : JSON.stringify(data),
  id,
});

describe('decodeEvent', () => {
  it('skips an event whose data is not a JSON object', () => {
    expect(decodeEvent(frame('message.delta', 'not json'))).toBeNull();
    expect(decodeEvent(frame('message.delta', 'null'))).toBeNull();
    expect(decodeEvent(frame('message.delta', '"text"'))).toBeNull();
  });

  it('reads a delta by messageId or id, delta or text, assistant by default', () => {
    expect(decodeEvent(frame('message.delta', { messageId: 'm1', delta: 'Hel' }))).toEqual({
      kind: 'delta',
      messageId: 'm1',
      role: 'assistant',
      delta: 'Hel',
    });
    expect(decodeEvent(frame('message.delta', { id: 'm2', text: 'lo', role: 'agent' }))).toEqual({
      kind: 'delta',
      messageId: 'm2',
      role: 'agent',
      delta: 'lo',
    });
    expect(decodeEvent(frame('message.delta', { messageId: 3, delta: 'x' }))).toEqual({ kind: 'ignored' });
  });

  it('reads a completed message nested or flat, and ignores one without id or text', () => {
    const citations = [{ docId: 'd1', title: 'Guide' }];
    expect(
      decodeEvent(
        frame('message.completed', { message: { id: 'm1', role: 'agent', text: 'Hi', citations } }),
      ),
    ).toEqual({ kind: 'completed', message: { id: 'm1', role: 'agent', text: 'Hi', citations } });
    expect(decodeEvent(frame('message.completed', { messageId: 'm2', text: 'Yo' }))).toEqual({
      kind: 'completed',
      message: { id: 'm2', role: 'assistant', text: 'Yo', citations: undefined },
    });
    expect(decodeEvent(frame('message.completed', { id: 'm3' }))).toEqual({ kind: 'ignored' });
  });

  it('tells a joined agent from a pending hand-off', () => {
    expect(decodeEvent(frame('conversation.handoff', { state: 'pending' }))).toEqual({
      kind: 'handoff',
      joined: false,
    });
    for (const joined of [{ state: 'joined' }, { joined: true }, { agent: { name: 'Ana' } }]) {
      expect(decodeEvent(frame('conversation.handoff', joined))).toEqual({ kind: 'handoff', joined: true });
    }
  });

  it('reads resolution, and ignores events it does not know', () => {
    expect(decodeEvent(frame('conversation.resolved', {}))).toEqual({ kind: 'resolved' });
    expect(decodeEvent(frame('ping', {}))).toEqual({ kind: 'ignored' });
  });
});
