import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../contract/store.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { tempDir } from '../../testing/temp-home.js';
import { KnowledgeBase } from '../knowledge-base.js';
import { runIngest } from './ingest-run.js';

describe('ingest pipeline (full text only)', () => {
  let root: string;
  let cleanup: () => void;
  let store: Store;
  let kb: KnowledgeBase;
  let docs: string;
  const write = (name: string, content: string | Buffer) => fs.writeFileSync(path.join(docs, name), content);

  beforeEach(async () => {
    ({ dir: root, cleanup } = tempDir());
    docs = path.join(root, 'kb');
    fs.mkdirSync(docs);
    store = openSqliteStore(path.join(root, 'home'));
    await store.tenants.create({ id: 'acme' });
    kb = new KnowledgeBase({ store, embedder: null });
    write('refunds.md', '# Refunds\n\nRefunds go back to the original card within 5 business days.\n');
    write(
      'vpn.txt',
      'Connect to the VPN\n\nOpen the client and choose the Frankfurt gateway before the intranet.',
    );
    write(
      'printer.html',
      '<html><head><title>Printers</title></head><body><h1>Jams</h1><p>Damp paper jams the printer.</p></body></html>',
    );
    write('logo.bin', Buffer.from([0, 1, 2, 3]));
  });
  afterEach(async () => {
    await kb.close();
    await store.close();
    cleanup();
  });

  const ingest = () => runIngest(kb, { tenant: 'acme', paths: [docs], source: 'handbook' });
  const top = async (q: string) => (await kb.search('acme', q, { mode: 'bm25', k: 3 })).hits[0];

  it('adds documents, reports ignored files, and finds them with the parent section', async () => {
    const report = await ingest();
    expect(report).toMatchObject({ added: 3, updated: 0, skipped: 0, deleted: 0, failed: [] });
    expect(report.ignored.map((i) => path.basename(i.file))).toEqual(['logo.bin']);
    expect(report.notice).toMatch(/full-text search only/);
    const hit = await top('original card refund');
    expect(hit).toMatchObject({ externalId: 'refunds.md', title: 'Refunds' });
    expect(hit?.parentText).toContain('within 5 business days');
    expect((await top('damp paper'))?.externalId).toBe('printer.html');
  });

  it('skips unchanged documents, replaces changed ones and removes deleted ones', async () => {
    await ingest();
    expect(await ingest()).toMatchObject({ added: 0, updated: 0, skipped: 3, deleted: 0 });

    write('refunds.md', '# Refunds\n\nRefunds are issued as store credit within 10 days.\n');
    fs.rmSync(path.join(docs, 'vpn.txt'));
    const report = await ingest();
    expect(report).toMatchObject({ added: 0, updated: 1, skipped: 1, deleted: 1 });
    expect((await top('store credit'))?.externalId).toBe('refunds.md');
    expect(await top('original card')).toBeUndefined();
    expect(await top('Frankfurt gateway')).toBeUndefined();
    const records = await store.knowledge.listDocuments('acme');
    expect(records.map((d) => d.externalId).sort()).toEqual(['printer.html', 'refunds.md']);
    expect(records.find((d) => d.externalId === 'refunds.md')?.version).toBe(2);
  });

  it('reports bad files and records with reasons and goes on with the rest', async () => {
    write(
      'broken.jsonl',
      '{"_id": "r1", "text": "Warranty covers two years."}\n{not json\n{"_id": "r1", "text": "dup"}\n',
    );
    write('empty.md', '   \n');
    const report = await ingest();
    expect(report.added).toBe(4); // three files + record r1
    const reasons = report.failed.map((f) => `${path.basename(f.file)}: ${f.reason}`).join('\n');
    expect(reasons).toMatch(/broken\.jsonl: line 2/);
    expect(reasons).toMatch(/broken\.jsonl: .*duplicate/);
    expect(reasons).toMatch(/empty\.md: .*empty/);
    expect((await top('warranty two years'))?.externalId).toBe('r1');
  });

  it('keeps the previous version of a document whose new version cannot be read', async () => {
    await ingest();
    write('vpn.txt', Buffer.concat([Buffer.from('Connect'), Buffer.alloc(64, 0)]));
    const report = await ingest();
    expect(report.failed.map((f) => path.basename(f.file))).toEqual(['vpn.txt']);
    expect(report.deleted).toBe(0);
    expect((await top('Frankfurt gateway'))?.externalId).toBe('vpn.txt');
  });

  it('recovers from a run cancelled half-way: the next run completes and nothing is duplicated', async () => {
    for (let i = 0; i < 40; i++)
      write(`faq-${i}.md`, `# Question ${i}\n\nAnswer number ${i} mentions topic${i}.\n`);
    const abort = new AbortController();
    let seen = 0;
    await expect(
      runIngest(kb, {
        tenant: 'acme',
        paths: [docs],
        source: 'handbook',
        batchDocuments: 8,
        signal: abort.signal,
        onProgress: () => {
          if (++seen === 20) abort.abort();
        },
      }),
    ).rejects.toThrow();
    const report = await ingest();
    expect(report.added + report.skipped).toBe(43);
    const index = await kb.indexFor('acme');
    const stored = await store.knowledge.listDocuments('acme');
    const expectedChunks = stored.reduce((n, d) => n + Number(d.metadata.chunks), 0);
    expect(await index.countChunks()).toBe(expectedChunks);
    expect((await top('topic37'))?.externalId).toBe('faq-37.md');
  });

  it('rebuilds the whole index on --reindex and says which other sources need ingesting again', async () => {
    await ingest();
    const other = path.join(root, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'hr.md'), '# Leave\n\nAnnual leave is 25 days.\n');
    await runIngest(kb, { tenant: 'acme', paths: [other], source: 'hr' });
    const report = await runIngest(kb, { tenant: 'acme', paths: [docs], source: 'handbook', reindex: true });
    expect(report).toMatchObject({ updated: 3, skipped: 0 });
    expect(report.notice).toMatch(/1 documents of this tenant's other sources/);
    expect((await top('damp paper'))?.externalId).toBe('printer.html');
    expect(await top('annual leave')).toBeUndefined();
    expect((await runIngest(kb, { tenant: 'acme', paths: [other], source: 'hr' })).updated).toBe(1);
    expect((await top('annual leave'))?.externalId).toBe('hr.md');
  });
});
