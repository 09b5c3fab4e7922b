import { describe, expect, it } from 'vitest';
import { readSseData } from './sse.js';

/** A body delivering `parts` as separate reads. */
function body(parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

async function events(parts: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const data of readSseData(body(parts))) out.push(data);
  return out;
}

describe('readSseData', () => {
  it('splits events on blank lines whatever the line endings and read boundaries', async () => {
    expect(await events(['data: one\n\ndata: t', 'wo\r', '\n\r\ndata:three\r\rdata: four\n\n'])).toEqual([
      'one',
      'two',
      'three',
      'four',
    ]);
  });

  it('ignores comments and other fields, joins multi-line data, keeps a last event without its blank line', async () => {
    expect(await events([': keep-alive\n\nevent: x\nid: 1\ndata: a\ndata: b\n\n', 'data: [DONE]'])).toEqual([
      'a\nb',
      '[DONE]',
    ]);
  });

  it('decodes a multi-byte character split across reads', async () => {
    const bytes = new TextEncoder().encode('data: café\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 10));
        controller.enqueue(bytes.subarray(10));
        controller.close();
      },
    });
    const out: string[] = [];
    for await (const data of readSseData(stream)) out.push(data);
    expect(out).toEqual(['café']);
  });
});
