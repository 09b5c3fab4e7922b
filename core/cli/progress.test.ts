import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCounter, createProgress } from './progress.js';

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 100 });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe('progress on stderr', () => {
  it('prints a plain line every step when not on a terminal', () => {
    const out = capture(false);
    const progress = createProgress({ label: 'ingest', total: 200, stream: out.stream, stepPercent: 25 });
    for (let i = 0; i < 200; i++) progress.tick();
    progress.stop();
    expect(out.text().trim().split('\n')).toEqual([
      'ingest: 1/200 (0%)',
      'ingest: 50/200 (25%)',
      'ingest: 100/200 (50%)',
      'ingest: 150/200 (75%)',
      'ingest: 200/200 (100%)',
    ]);
  });

  it('reports where it stopped when work ends early', () => {
    const out = capture(false);
    const progress = createProgress({ label: 'sync', total: 10, stream: out.stream });
    progress.tick(3);
    progress.stop();
    expect(out.text().trim().split('\n').at(-1)).toBe('sync: 3/10 (30%)');
  });

  it('draws a bar on a terminal', () => {
    const out = capture(true);
    const progress = createProgress({ label: 'embed', total: 4, stream: out.stream });
    progress.tick(4);
    progress.stop();
    expect(out.text()).toMatch(/embed \[[^\]]+\] 100% \| 4\/4/);
  });
});

describe('counter on stderr', () => {
  it('prints every N items in a pipe and the final count', () => {
    const out = capture(false);
    const counter = createCounter({ label: 'ingest', unit: 'documents', every: 2, stream: out.stream });
    for (let i = 1; i <= 5; i++) counter.set(i);
    counter.stop();
    expect(out.text().trim().split('\n')).toEqual([
      'ingest: 2 documents',
      'ingest: 4 documents',
      'ingest: 5 documents',
    ]);
  });
});
