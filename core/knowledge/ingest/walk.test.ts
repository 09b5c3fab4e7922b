import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-home.js';
import { readDocuments } from './read-documents.js';
import { walkPaths, type WalkEntry } from './walk.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

function write(relative: string, content = 'text'): string {
  const path = join(dir, relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

async function walk(...paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of walkPaths(paths)) out.push(label(entry));
  return out;
}

const label = (entry: WalkEntry): string =>
  'skipped' in entry ? `skip ${entry.source.slice(dir.length + 1)}: ${entry.reason}` : entry.externalId;

describe('walkPaths', () => {
  it('recurses in name order with ids relative to the folder, and reports unsupported types', async () => {
    write('kb/b.md');
    write('kb/a/z.txt');
    write('kb/a/B.HTML');
    write('kb/logo.png');
    write('kb/.git/config.txt');
    write('kb/.hidden.md');
    write('kb/Makefile');
    // Code-point order: capitals before lower case.
    expect(await walk(join(dir, 'kb'))).toEqual([
      'skip kb/Makefile: unsupported type (no extension)',
      'a/B.HTML',
      'a/z.txt',
      'b.md',
      'skip kb/logo.png: unsupported type .png',
    ]);
  });

  it('names a file argument by its base name and keeps argument order', async () => {
    const one = write('x/one.md');
    const two = write('y/two.txt');
    expect(await walk(two, one, join(dir, 'missing'))).toEqual([
      'two.txt',
      'one.md',
      'skip missing: not found',
    ]);
  });

  it('follows symlinks once, reports loops and broken links, never visits a file twice', async () => {
    write('kb/docs/guide.md');
    symlinkSync(join(dir, 'kb'), join(dir, 'kb/docs/loop'));
    symlinkSync(join(dir, 'kb/docs/guide.md'), join(dir, 'kb/alias.md'));
    symlinkSync(join(dir, 'nowhere.md'), join(dir, 'kb/broken.md'));
    expect(await walk(join(dir, 'kb'), join(dir, 'kb/docs/guide.md'))).toEqual([
      'alias.md',
      'skip kb/broken.md: broken symlink',
      'skip kb/docs/loop: symlink loop',
    ]);
  });

  it('gives the same entries in the same order on every run', async () => {
    for (const name of ['c.md', 'a.md', 'B.md', 'sub/d.md', 'é.md', '10.md', '9.md']) write(`kb/${name}`);
    const first = await walk(join(dir, 'kb'));
    expect(first).toEqual(['10.md', '9.md', 'B.md', 'a.md', 'c.md', 'sub/d.md', 'é.md']);
    expect(await walk(join(dir, 'kb'))).toEqual(first);
  });
});

describe('readDocuments', () => {
  it('parses every walked file and fails ids repeated across files', async () => {
    write('kb/a.jsonl', '{"_id":"r1","text":"one"}\n{"_id":"r2","text":"two"}');
    write('kb/b.json', '[{"_id":"r2","text":"again"},{"_id":"r3","text":"three"}]');
    write('kb/c.md', '# Guide\n\ntext');
    write('kb/d.bin', 'x');
    const out: string[] = [];
    for await (const item of readDocuments([join(dir, 'kb')])) {
      if ('skipped' in item) out.push(`skip ${item.reason}`);
      else if ('failure' in item) out.push(`fail ${item.externalId ?? ''} ${item.reason.replace(dir, '')}`);
      else out.push(item.externalId);
    }
    expect(out).toEqual([
      'r1',
      'r2',
      'fail r2 duplicate id (also in /kb/a.jsonl)',
      'r3',
      'c.md',
      'skip unsupported type .bin',
    ]);
  });
});
