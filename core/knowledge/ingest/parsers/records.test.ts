import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../testing/temp-home.js';
import type { ParseResult } from '../types.js';
import { parseJsonRecords } from './json.js';
import { parseJsonlRecords } from './jsonl.js';
import { splitLines } from './lines.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

async function collect(results: AsyncIterable<ParseResult> | Iterable<ParseResult>): Promise<ParseResult[]> {
  const out: ParseResult[] = [];
  for await (const result of results) out.push(result);
  return out;
}

const summary = (results: ParseResult[]): string[] =>
  results.map((r) =>
    'failure' in r
      ? `FAIL ${r.externalId ?? '-'} ${r.reason}`
      : `${r.externalId}|${r.title}|${r.sections[0]?.text ?? ''}`,
  );

describe('parseJsonRecords', () => {
  it('reads an array of records with _id or id, string or number', async () => {
    const json = JSON.stringify([
      { _id: 'a1', title: 'Refunds', text: 'Refunds take\n5 days.' },
      { id: 7, text: 'Numeric id.' },
      { id: 'x', text: '   ' },
      { title: 'no id', text: 'lost' },
      { _id: 'b', title: 3 },
      'not an object',
      { _id: 'a1', text: 'again' },
    ]);
    expect(summary(await collect(parseJsonRecords(Buffer.from(json), 'kb.json')))).toEqual([
      'a1|Refunds|Refunds take\n5 days.',
      '7||Numeric id.',
      'FAIL x record 2: empty document',
      'FAIL - record 3: missing _id or id',
      'FAIL b record 4: missing text',
      'FAIL - record 5: not a JSON object',
      'FAIL a1 record 6: duplicate id (first at record 0)',
    ]);
  });

  it('accepts a single record and keeps url and metadata', async () => {
    const [doc] = await collect(
      parseJsonRecords(
        Buffer.from('{"id":"one","text":"t","url":"https://kb/1","metadata":{"lang":"en"}}'),
        'one.json',
      ),
    );
    expect(doc).toEqual({
      externalId: 'one',
      title: '',
      source: 'one.json',
      sections: [{ headings: [], text: 't' }],
      metadata: { index: 0, url: 'https://kb/1', fields: { lang: 'en' } },
    });
  });

  it('fails invalid JSON, non-record JSON and empty arrays as a whole', async () => {
    expect(summary(await collect(parseJsonRecords(Buffer.from('{"id": '), 'bad.json')))[0]).toMatch(
      /^FAIL - invalid JSON/,
    );
    expect(summary(await collect(parseJsonRecords(Buffer.from('{"flows": {}}'), 'o.json')))[0]).toMatch(
      /^FAIL - not records/,
    );
    expect(summary(await collect(parseJsonRecords(Buffer.from('[]'), 'e.json')))).toEqual([
      'FAIL - empty document (no records)',
    ]);
  });
});

describe('parseJsonlRecords', () => {
  it('streams records; a broken line fails alone with its line number', async () => {
    const path = join(dir, 'corpus.jsonl');
    writeFileSync(
      path,
      '\ufeff{"_id":"q1","text":"first"}\r\n\n{"_id":"q2","text":\n{"_id":"q3","title":"T","text":"third"}\n{"_id":"q1","text":"dup"}\n{"_id":"q4","text":"no newline at end"}',
    );
    expect(summary(await collect(parseJsonlRecords(path)))).toEqual([
      'q1||first',
      expect.stringMatching(/^FAIL - line 3: invalid JSON/) as unknown,
      'q3|T|third',
      'FAIL q1 line 5: duplicate id (first at line 1)',
      'q4||no newline at end',
    ]);
  });

  it('reports an over-long line and carries on', async () => {
    const path = join(dir, 'big.jsonl');
    writeFileSync(path, `{"_id":"big","text":"${'x'.repeat(5000)}"}\n{"_id":"ok","text":"fine"}\n`);
    expect(summary(await collect(parseJsonlRecords(path, { maxLineBytes: 2048 })))).toEqual([
      'FAIL - line 1: too long (over 2 KB)',
      'ok||fine',
    ]);
  });

  it('decodes UTF-16 with a BOM and windows-1252', async () => {
    const utf16 = join(dir, 'u16.jsonl');
    writeFileSync(
      utf16,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"_id":"a","text":"Zürich ☂"}\n', 'utf16le')]),
    );
    const cp1252 = join(dir, 'cp.jsonl');
    writeFileSync(
      cp1252,
      iconv.encode('{"_id":"b","text":"café – crème brûlée, déjà vu, naïve façade"}\n', 'windows-1252'),
    );
    expect(summary(await collect(parseJsonlRecords(utf16)))).toEqual(['a||Zürich ☂']);
    expect(summary(await collect(parseJsonlRecords(cp1252)))).toEqual([
      'b||café – crème brûlée, déjà vu, naïve façade',
    ]);
  });

  it('fails binary, empty and missing files as a whole', async () => {
    const binary = join(dir, 'bin.jsonl');
    writeFileSync(binary, Buffer.from([0x7b, 0x00, 0x00, 0x13, 0x37, 0x00, 0xff, 0x00, 0x01]));
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n\n');
    expect(summary(await collect(parseJsonlRecords(binary)))).toEqual(['FAIL - binary file']);
    expect(summary(await collect(parseJsonlRecords(empty)))).toEqual(['FAIL - empty document (no records)']);
    expect(summary(await collect(parseJsonlRecords(join(dir, 'missing.jsonl'))))).toEqual([
      'FAIL - unreadable (ENOENT)',
    ]);
  });

  it('stops on abort instead of reporting a failure', async () => {
    const path = join(dir, 'a.jsonl');
    writeFileSync(path, '{"_id":"a","text":"t"}\n');
    await expect(collect(parseJsonlRecords(path, { signal: AbortSignal.abort() }))).rejects.toThrow(/abort/i);
  });
});

describe('splitLines', () => {
  async function* chunks(...parts: string[]): AsyncGenerator<string> {
    yield* parts;
  }
  it('joins lines across chunks and drops over-long ones without buffering them', async () => {
    const lines = [];
    for await (const line of splitLines(chunks('ab', 'c\nxxxx', 'xxxxxx', 'x\nd\r\n', 'e'), 5))
      lines.push(line);
    expect(lines).toEqual([
      { number: 1, text: 'abc' },
      { number: 2, text: null },
      { number: 3, text: 'd' },
      { number: 4, text: 'e' },
    ]);
  });
});
