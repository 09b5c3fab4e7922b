import { describe, expect, it } from 'vitest';
import { backoffMs, SseParser } from './sse.js';

describe('SseParser', () => {
  it('parses named events with ids and JSON data', () => {
    const parser = new SseParser();
    const events = parser.push(
      'id: 1\nevent: message.delta\ndata: {"messageId":"m1","delta":"Hel"}\n\n' +
        'id: 2\nevent: message.completed\ndata: {"id":"m1"}\n\n',
    );
    expect(events).toEqual([
      { event: 'message.delta', data: '{"messageId":"m1","delta":"Hel"}', id: '1' },
      { event: 'message.completed', data: '{"id":"m1"}', id: '2' },
    ]);
    expect(parser.lastEventId).toBe('2');
  });

  it('reassembles events split anywhere across chunks, including inside a CRLF', () => {
    const stream = 'id: 7\r\nevent: conversation.handoff\r\ndata: {"a":1}\r\n\r\n';
    for (let cut = 1; cut < stream.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(stream.slice(0, cut)), ...parser.push(stream.slice(cut))];
      expect(events, `cut at ${cut}`).toEqual([{ event: 'conversation.handoff', data: '{"a":1}', id: '7' }]);
    }
  });

  it('joins multi-line data, defaults the type to message, skips comments and empty events', () => {
    const parser = new SseParser();
    const events = parser.push(': keep-alive\n\ndata: a\ndata:b\n\nevent: x\n\n');
    expect(events).toEqual([{ event: 'message', data: 'a\nb', id: '' }]);
  });

  it('handles a BOM, CR-only line ends, retry and ids with NUL', () => {
    const parser = new SseParser();
    expect(parser.push('\uFEFFretry: 2500\rid: 3\rdata: x\r\r')).toEqual([
      { event: 'message', data: 'x', id: '3' },
    ]);
    expect(parser.retryMs).toBe(2500);
    parser.push('id: bad\0id\ndata: y\n\n');
    expect(parser.lastEventId).toBe('3');
    parser.push('retry: soon\n\n');
    expect(parser.retryMs).toBe(2500);
  });

  it('keeps the last id across events without one (the value to send as Last-Event-ID)', () => {
    const parser = new SseParser();
    parser.lastEventId = '41';
    expect(parser.push('data: z\n\n')).toEqual([{ event: 'message', data: 'z', id: '41' }]);
  });
});

describe('backoffMs', () => {
  it('doubles from the base with jitter and stays under the cap', () => {
    expect(backoffMs(0, 1000, 30_000, () => 0.5)).toBe(1000);
    expect(backoffMs(3, 1000, 30_000, () => 0.5)).toBe(8000);
    expect(backoffMs(50, 1000, 30_000, () => 0.5)).toBe(30_000);
    expect(backoffMs(0, 1000, 30_000, () => 0)).toBe(750);
    expect(backoffMs(0, 1000, 30_000, () => 0.999)).toBeLessThanOrEqual(1250);
  });
});
