import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  Checkpoint,
  ConnectorSource,
  ItemFailure,
  SourceDocument,
  SyncWindow,
} from '../../core/contract/connector.js';
import { AppError } from '../../core/contract/errors.js';
import folderConnector from './index.js';
import { folderSettingsSchema } from './settings.js';
import { createFolderSource, type PageLimits } from './source.js';

let dir: string;
let root: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'airdesk-folder-'));
  root = join(dir, 'share');
  mkdirSync(root);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// Permission checks do not apply to root, and the tests run as root in CI containers.
const isRoot = process.getuid?.() === 0;

const full: SyncWindow = { start: null, end: new Date().toISOString() };
const signal = (): AbortSignal => new AbortController().signal;

function write(relative: string, content: string | Buffer = `text of ${relative}`): string {
  const path = join(root, relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

function source(
  settings: Record<string, unknown> = {},
  limits?: PageLimits,
  log?: (message: string) => void,
): ConnectorSource {
  const parsed = folderSettingsSchema.parse({ path: root, ...settings });
  return createFolderSource(parsed, { secrets: {}, fetch, log }, limits);
}

type Item = SourceDocument | ItemFailure;

async function loadPage(
  from: ConnectorSource,
  window: SyncWindow,
  checkpoint: Checkpoint,
): Promise<{ items: Item[]; checkpoint: Checkpoint }> {
  const items: Item[] = [];
  const page = from.load(window, checkpoint, signal());
  for (let r = await page.next(); ; r = await page.next()) {
    if (r.done) return { items, checkpoint: r.value };
    items.push(r.value);
  }
}

/** Every page until `hasMore` is false, with the checkpoint saved as JSON between pages as the runner does. */
async function loadAll(from: ConnectorSource, window: SyncWindow = full): Promise<Item[][]> {
  const pages: Item[][] = [];
  let checkpoint = from.initialCheckpoint();
  for (;;) {
    const page = await loadPage(from, window, checkpoint);
    pages.push(page.items);
    if (!page.checkpoint.hasMore) return pages;
    checkpoint = JSON.parse(JSON.stringify(page.checkpoint)) as Checkpoint;
  }
}

const label = (item: Item): string =>
  'failure' in item ? `failed ${item.externalId ?? '-'}: ${item.message}` : item.externalId;

async function ids(from: ConnectorSource): Promise<string[]> {
  const out: string[] = [];
  for await (const id of from.listIds!(signal())) out.push(id);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('folder connector definition', () => {
  it('declares kind, no secrets and listIds without permissions', () => {
    expect(folderConnector.kind).toBe('folder');
    expect(folderConnector.secretFields).toEqual([]);
    expect(folderConnector.capabilities).toEqual({ listIds: true, permissions: false });
    const created = folderConnector.create(folderSettingsSchema.parse({ path: root }), {
      secrets: {},
      fetch,
    });
    expect(created.initialCheckpoint()).toEqual({ hasMore: true });
  });
});

describe('validate', () => {
  it('accepts a readable folder, empty or not', async () => {
    await expect(source().validate(signal())).resolves.toBeUndefined();
  });

  it('says not_found for a missing folder, naming it', async () => {
    const missing = join(dir, 'not-mounted');
    const error = await rejection(source({ path: missing }).validate(signal()));
    expect(error.code).toBe('not_found');
    expect(error.message).toContain(missing);
  });

  it('says invalid_input for a file, and not_found for a path through a file', async () => {
    const file = write('a.md');
    const error = await rejection(source({ path: file }).validate(signal()));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain(file);
    expect((await rejection(source({ path: join(file, 'x') }).validate(signal()))).code).toBe('not_found');
  });

  // As root, chmod 000 does not stop reading; the case only means something for an ordinary account.
  it.skipIf(isRoot)('says forbidden for a folder it may not read', async () => {
    chmodSync(root, 0o000);
    try {
      const error = await rejection(source().validate(signal()));
      expect(error.code).toBe('forbidden');
      expect(error.message).toContain(root);
    } finally {
      chmodSync(root, 0o755);
    }
  });

  it('stops waiting when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(source().validate(controller.signal)).rejects.toThrow(/abort/i);
  });
});

describe('load', () => {
  it('walks in a fixed order over pages and resumes after the last file of a saved page', async () => {
    // 'a/…' comes before 'a-c.md' in the walk although '-' sorts before '/': order is name by name.
    for (const name of ['z.md', 'a-c.md', 'a/b.md', 'a/a/deep.txt', 'B.html', 'm/n.pdf', 'm/o.docx'])
      write(name);
    const from = source({}, { maxFiles: 3, maxBytes: 1 << 20 });
    const pages = await loadAll(from);
    expect(pages.map((page) => page.map(label))).toEqual([
      ['B.html', 'a/a/deep.txt', 'a/b.md'],
      ['a-c.md', 'm/n.pdf', 'm/o.docx'],
      ['z.md'],
    ]);
    expect(pages.flat().map(label)).toEqual(await ids(from));

    const first = await loadPage(from, full, from.initialCheckpoint());
    expect(first.checkpoint).toEqual({ hasMore: true, after: 'a/b.md' });
    // A new process with the saved checkpoint continues there, even when that file has gone meanwhile.
    unlinkSync(join(root, 'a/b.md'));
    const resumed = await loadPage(source({}, { maxFiles: 3, maxBytes: 1 << 20 }), full, first.checkpoint);
    expect(resumed.items.map(label)).toEqual(['a-c.md', 'm/n.pdf', 'm/o.docx']);
    expect(resumed.checkpoint).toEqual({ hasMore: true, after: 'm/o.docx' });
  });

  it('gives each file as a document: title, bytes, time, folders and hash', async () => {
    const path = write('Guides/Setup/Install.v2.md', '# Install\n\nRun the installer.\n');
    utimesSync(path, new Date('2024-03-01T10:00:00Z'), new Date('2024-03-01T10:00:00Z'));
    const [[document]] = (await loadAll(source())) as [[SourceDocument]];
    const bytes = readFileSync(path);
    expect(document).toEqual({
      externalId: 'Guides/Setup/Install.v2.md',
      title: 'Install.v2',
      content: { kind: 'file', fileName: 'Install.v2.md', bytes: new Uint8Array(bytes) },
      updatedAt: '2024-03-01T10:00:00.000Z',
      hierarchy: ['Guides', 'Setup'],
      metadata: {
        size: bytes.length,
        mtimeMs: Date.parse('2024-03-01T10:00:00Z'),
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
    });
  });

  it('ends a page at the byte budget; a file larger than the budget is a page of its own', async () => {
    write('a.md', 'x'.repeat(10));
    write('b.md', 'x'.repeat(10));
    write('c.md', 'x'.repeat(10));
    write('d.md', 'x'.repeat(40));
    write('e.md', 'x'.repeat(10));
    const pages = await loadAll(source({}, { maxFiles: 100, maxBytes: 25 }));
    expect(pages.map((page) => page.map(label))).toEqual([['a.md', 'b.md'], ['c.md'], ['d.md'], ['e.md']]);
  });

  it('returns hasMore false on an empty folder', async () => {
    expect(await loadPage(source(), full, { hasMore: true })).toEqual({
      items: [],
      checkpoint: { hasMore: false },
    });
  });

  it('loads only files changed since the window start, by mtime or by a later ctime', async () => {
    const a = write('a.md');
    write('b.md');
    write('c.md');
    const from = source();
    expect((await loadAll(from)).flat().map(label)).toEqual(['a.md', 'b.md', 'c.md']);
    // The kernel stamps ctime from a coarse clock (a few ms behind Date.now()): keep well clear of the start.
    await sleep(60);
    const window: SyncWindow = {
      start: new Date(Date.now() - 20).toISOString(),
      end: new Date().toISOString(),
    };
    await sleep(40);
    expect((await loadAll(from, window)).flat()).toEqual([]);

    writeFileSync(a, 'edited');
    expect((await loadAll(from, window)).flat().map(label)).toEqual(['a.md']);
    // Copied in with its times kept (cp -p, unzip, robocopy): the mtime is old, the ctime is not.
    const restored = write('restored.md');
    utimesSync(restored, new Date('2001-01-01'), new Date('2001-01-01'));
    // A file server clock ahead of ours: a future mtime is not cut off by the window's end.
    const future = write('future.md');
    utimesSync(future, new Date(Date.now() + 3_600_000), new Date(Date.now() + 3_600_000));
    expect((await loadAll(from, window)).flat().map(label)).toEqual(['a.md', 'future.md', 'restored.md']);
  });

  it('reports a file that vanished after it was listed, and goes on', async () => {
    write('a.md');
    write('b.md');
    write('c.md');
    const items: Item[] = [];
    const page = source().load(full, { hasMore: true }, signal());
    const first = await page.next();
    items.push(first.value as Item);
    // The folder is listed; b.md goes before it is read.
    unlinkSync(join(root, 'b.md'));
    for (let r = await page.next(); !r.done; r = await page.next()) items.push(r.value);
    expect(items.map(label)).toEqual(['a.md', 'failed b.md: vanished before it was read', 'c.md']);
  });

  it('reports a file over maxFileBytes without reading it, and still lists it', async () => {
    write('big.md', 'x'.repeat(2048));
    write('small.md', 'x');
    const from = source({ maxFileBytes: 1024 });
    expect((await loadAll(from)).flat().map(label)).toEqual([
      'failed big.md: too large (2 KB > limit 1 KB)',
      'small.md',
    ]);
    expect(await ids(from)).toEqual(['big.md', 'small.md']);
  });

  it.skipIf(isRoot)('reports an unreadable file and an unreadable folder, and listIds refuses', async () => {
    chmodSync(write('secret.md'), 0o000);
    write('locked/a.md');
    chmodSync(join(root, 'locked'), 0o000);
    write('open.md');
    const from = source();
    try {
      expect((await loadAll(from)).flat().map(label)).toEqual([
        'failed -: folder locked: unreadable (EACCES)',
        'open.md',
        'failed secret.md: unreadable (EACCES)',
      ]);
      // A listing with holes would prune everything in them.
      expect((await rejection(ids(from))).code).toBe('unavailable');
    } finally {
      chmodSync(join(root, 'locked'), 0o755);
    }
  });

  it('never follows a symbolic link out of the folder', async () => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.md'), 'password');
    write('docs/a.md');
    symlinkSync(join(outside, 'secret.md'), join(root, 'leak.md'));
    symlinkSync(outside, join(root, 'leaked-folder'));
    symlinkSync(join(root, 'docs/a.md'), join(root, 'alias.md'));
    symlinkSync(root, join(root, 'docs/loop'));
    symlinkSync(join(root, 'nothing.md'), join(root, 'broken.md'));

    // By default no link is followed at all.
    expect((await loadAll(source())).flat().map(label)).toEqual(['docs/a.md']);

    const logs: string[] = [];
    const following = source({ followSymlinks: true }, undefined, (line) => logs.push(line));
    expect((await loadAll(following)).flat().map(label)).toEqual(['alias.md', 'docs/a.md']);
    expect(await ids(following)).toEqual(['alias.md', 'docs/a.md']);
    expect(logs).toContain('skipped leak.md: a symbolic link to outside the folder');
    expect(logs).toContain('skipped leaked-folder: a symbolic link to outside the folder');
    expect(logs).toContain('skipped docs/loop: a symbolic link to a folder above it');
    expect(logs).toContain('skipped broken.md: a broken symbolic link');
  });

  it('skips excluded paths, other types, hidden and Office owner files', async () => {
    for (const name of [
      'keep.md',
      'notes.TXT',
      'archive/old.md',
      'drafts/wip.md',
      'drafts/final/ok.md',
      'scratch.tmp.md',
      '.git/HEAD.md',
      '.hidden.md',
      '~$Report.docx',
      'Report.docx',
      'logo.png',
    ])
      write(name);
    const from = source({ exclude: ['archive', 'drafts/*.md', '*.tmp.md'] });
    const expected = ['Report.docx', 'drafts/final/ok.md', 'keep.md', 'notes.TXT'];
    expect((await loadAll(from)).flat().map(label)).toEqual(expected);
    expect(await ids(from)).toEqual(expected);
    expect((await loadAll(source({ include: ['*.txt'] }))).flat().map(label)).toEqual(['notes.TXT']);
  });

  it('keeps unicode names as they are, across pages', async () => {
    const names = ['Überblick/Ärger.md', 'café/naïve résumé.txt', '日本語/手順書.md', 'emoji 📄.md'];
    for (const name of names) write(name, `content of ${name}`);
    const from = source({}, { maxFiles: 1, maxBytes: 1 << 20 });
    const pages = await loadAll(from);
    expect(pages.map((page) => page.length)).toEqual([1, 1, 1, 1]);
    const documents = pages.flat() as SourceDocument[];
    expect(documents.map((d) => d.externalId)).toEqual(await ids(from));
    expect(documents.map((d) => d.externalId).sort()).toEqual([...names].sort());
    const manual = documents.find((d) => d.externalId === '日本語/手順書.md');
    expect(manual?.title).toBe('手順書');
    expect(manual?.hierarchy).toEqual(['日本語']);
    expect(Buffer.from((manual?.content as { bytes: Uint8Array }).bytes).toString()).toBe(
      'content of 日本語/手順書.md',
    );
  });

  it('throws an AppError when the folder itself is gone, and stops when cancelled', async () => {
    write('a.md');
    const missing = source({ path: join(dir, 'gone') });
    expect((await rejection(loadPage(missing, full, { hasMore: true }))).code).toBe('not_found');
    expect((await rejection(ids(missing))).code).toBe('not_found');

    const controller = new AbortController();
    controller.abort();
    await expect(source().load(full, { hasMore: true }, controller.signal).next()).rejects.toThrow(/abort/i);
  });
});

describe('listIds', () => {
  it('lists what is there now: deletions disappear, additions appear', async () => {
    write('a.md');
    write('sub/b.md');
    const from = source();
    expect(await ids(from)).toEqual(['a.md', 'sub/b.md']);
    rmSync(join(root, 'sub'), { recursive: true });
    write('c.md');
    expect(await ids(from)).toEqual(['a.md', 'c.md']);
    expect(statSync(root).isDirectory()).toBe(true);
  });
});
