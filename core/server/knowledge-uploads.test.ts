import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  documentListSchema,
  ingestResultSchema,
  knowledgeRoutes,
  uploadFilenameHeader,
  uploadSourceName,
} from '../contract/knowledge-api.js';
import { tenantRoute } from '../contract/console-api.js';
import { tempDir } from '../testing/temp-home.js';
import { openKnowledgeTestApp, type KnowledgeTestApp } from './knowledge-app.testing.js';
import { saveUpload, uploadFileName } from './knowledge-upload-file.js';

const limit = 4096;

interface ErrorJson {
  error: { code: string; message: string };
}

describe('adding files on the Knowledge page (real store, index and files)', () => {
  let t: KnowledgeTestApp;
  const upload = (name: string | undefined, body: string | Buffer, tenant = 'acme') =>
    t.app.inject({
      method: 'POST',
      url: tenantRoute(knowledgeRoutes.uploads, tenant),
      headers: {
        'content-type': 'application/octet-stream',
        ...(name !== undefined ? { [uploadFilenameHeader]: encodeURIComponent(name) } : {}),
      },
      payload: body,
    });
  const search = async (query: string) =>
    (await t.knowledge.search('acme', query, { mode: 'bm25' })).hits.map((h) => h.title);

  beforeAll(async () => {
    t = await openKnowledgeTestApp({ maxUploadBytes: limit });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('saves an uploaded markdown file in the tenant folder, ingests it into Uploads and makes it searchable', async () => {
    const res = await upload(
      'Returns policy.md',
      '# Returns\n\nUnworn shoes can be returned within 30 days.',
    );
    expect(res.statusCode, res.body).toBe(200);
    const result = ingestResultSchema.parse(res.json());
    expect(result).toMatchObject({ source: uploadSourceName, added: 1, updated: 0, failed: [] });
    expect(result.chunks).toBeGreaterThan(0);
    expect(await search('unworn shoes returned')).toEqual(['Returns']);
    const saved = await t.store.tenantFile('acme', 'uploads/Returns policy.md');
    expect(fs.readFileSync(saved, 'utf8')).toContain('Unworn shoes');
    expect(fs.readdirSync(path.dirname(saved))).toEqual(['Returns policy.md']); // no temp file left
    const audit = await t.store.audit.list({ tenantId: 'acme' });
    expect(audit.find((a) => a.action === 'knowledge.upload')).toMatchObject({
      target: 'Returns policy.md',
      details: { added: 1, failed: 0 },
    });
  });

  it('updates the same document when a file of the same name is uploaded again', async () => {
    const res = await upload('Returns policy.md', '# Returns\n\nSandals can be returned within 14 days.');
    expect(ingestResultSchema.parse(res.json())).toMatchObject({ added: 0, updated: 1 });
    expect(await search('sandals')).toEqual(['Returns']);
    expect(await search('unworn shoes')).toEqual([]);
    const list = await t.app.inject({ url: tenantRoute(knowledgeRoutes.documents, 'acme') });
    const docs = documentListSchema.parse(list.json()).documents;
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ externalId: 'Returns policy.md', version: 2, sourceName: 'Uploads' });
    // Uploading the same bytes again changes nothing.
    const again = await upload('Returns policy.md', '# Returns\n\nSandals can be returned within 14 days.');
    expect(ingestResultSchema.parse(again.json())).toMatchObject({ added: 0, updated: 0, skipped: 1 });
  });

  it('refuses an unsupported extension, naming the supported ones, and a missing or unusable name', async () => {
    const exe = await upload('setup.exe', 'MZ');
    expect(exe.statusCode).toBe(400);
    expect(exe.json<ErrorJson>().error.message).toMatch(
      /"setup\.exe" is not a type .*\(\.exe\).*\.md, .*\.pdf/,
    );
    expect((await upload('README', 'text')).json<ErrorJson>().error.message).toMatch(/no extension/);
    const unnamed = await upload(undefined, 'text');
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json<ErrorJson>().error.message).toMatch(/X-Airdesk-Filename/);
    expect((await upload('..md', 'x')).statusCode).toBe(400);
    const bad = await t.app.inject({
      method: 'POST',
      url: tenantRoute(knowledgeRoutes.uploads, 'acme'),
      headers: { 'content-type': 'application/octet-stream', [uploadFilenameHeader]: '%E0%A4%A.md' },
      payload: 'x',
    });
    expect(bad.json<ErrorJson>().error.message).toMatch(/not valid URI encoding/);
  });

  it('keeps a path-like name inside the uploads folder', async () => {
    const res = await upload('../../../etc/evil.md', '# Evil\n\nNot outside the tenant folder.');
    expect(res.statusCode, res.body).toBe(200);
    const saved = await t.store.tenantFile('acme', 'uploads/_._._etc_evil.md');
    expect(fs.existsSync(saved)).toBe(true);
    expect(fs.existsSync(path.join(t.home, 'etc'))).toBe(false);
  });

  it('refuses an empty body and one over the limit with advice, keeping no file', async () => {
    const empty = await upload('empty.md', '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json<ErrorJson>().error.message).toMatch(/empty/);
    const big = await upload('big.md', 'x'.repeat(limit + 1));
    expect(big.statusCode).toBe(413);
    expect(big.json<ErrorJson>().error.message).toMatch(
      /larger than 4096 bytes.*airdesk ingest.*folder connector/,
    );
    expect(big.headers.connection).toBe('close');
    const uploads = path.dirname(await t.store.tenantFile('acme', 'uploads/x.md'));
    expect(fs.readdirSync(uploads).filter((f) => f.startsWith('big') || f.startsWith('empty'))).toEqual([]);
  });

  it('reports a file that does not parse as failed, by its uploaded name', async () => {
    const res = await upload('broken.pdf', 'this is not a pdf');
    expect(res.statusCode).toBe(200);
    const result = ingestResultSchema.parse(res.json());
    expect(result.added).toBe(0);
    expect(result.failed).toEqual([{ file: 'broken.pdf', reason: expect.any(String) as string }]);
  });

  it('refuses unknown tenants', async () => {
    expect((await upload('a.md', '# A\n\ntext', 'nope')).statusCode).toBe(404);
  });

  it('ingests absolute paths from the desktop file dialog into Uploads, and explains bad paths', async () => {
    const folder = tempDir();
    try {
      const file = path.join(folder.dir, 'vpn.md');
      fs.writeFileSync(file, '# VPN\n\nUse the Frankfurt gateway to reach the intranet.');
      const post = (paths: string[]) =>
        t.app.inject({
          method: 'POST',
          url: tenantRoute(knowledgeRoutes.ingestPaths, 'acme'),
          payload: { paths },
        });
      const relative = await post(['notes/vpn.md', path.join(folder.dir, 'missing.md')]);
      expect(relative.statusCode).toBe(400);
      const message = relative.json<ErrorJson>().error.message;
      expect(message).toMatch(/"notes\/vpn\.md" is a relative path.*give the full path/);
      expect(message).toMatch(/missing\.md" does not exist/);
      expect((await post([])).statusCode).toBe(400);

      const res = await post([file]);
      expect(res.statusCode, res.body).toBe(200);
      expect(ingestResultSchema.parse(res.json())).toMatchObject({ source: 'Uploads', added: 1 });
      expect(await search('Frankfurt gateway')).toEqual(['VPN']);
      // Not pruned: the earlier uploads are still there.
      expect(await search('sandals')).toEqual(['Returns']);
      const audit = await t.store.audit.list({ tenantId: 'acme' });
      expect(audit.find((a) => a.action === 'knowledge.ingest-paths')?.details).toMatchObject({
        paths: [file],
        added: 1,
      });
    } finally {
      folder.cleanup();
    }
  });

  it('keeps picked files with the same name apart, from each other and from an upload; re-adding a path updates it', async () => {
    const folder = tempDir();
    try {
      const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
      };
      const alpha = path.join(folder.dir, 'alpha', 'faq.md');
      const beta = path.join(folder.dir, 'beta', 'faq.md');
      const records = (dir: string) => path.join(folder.dir, dir, 'records.jsonl');
      write(alpha, '# Alpha FAQ\n\nParcels ship from the Lyon warehouse.');
      write(beta, '# Beta FAQ\n\nParcels ship from the Porto warehouse.');
      write(records('alpha'), JSON.stringify({ id: 'r1', title: 'Alpha record', text: 'Kiwi crates.' }));
      write(records('beta'), JSON.stringify({ id: 'r1', title: 'Beta record', text: 'Mango crates.' }));
      const post = async (paths: string[]) => {
        const res = await t.app.inject({
          method: 'POST',
          url: tenantRoute(knowledgeRoutes.ingestPaths, 'acme'),
          payload: { paths },
        });
        expect(res.statusCode, res.body).toBe(200);
        return ingestResultSchema.parse(res.json());
      };
      expect(
        ingestResultSchema.parse(
          (await upload('faq.md', '# Uploaded FAQ\n\nThe shop opens at nine.')).json(),
        ),
      ).toMatchObject({ added: 1 });

      expect(await post([alpha, records('alpha')])).toMatchObject({ added: 2, updated: 0 });
      expect(await post([beta, records('beta')])).toMatchObject({ added: 2, updated: 0 });
      expect(await search('Lyon')).toEqual(['Alpha FAQ']);
      expect(await search('Porto')).toEqual(['Beta FAQ']);
      expect(await search('shop opens')).toEqual(['Uploaded FAQ']);
      expect(await search('Kiwi')).toEqual(['Alpha record']);
      expect(await search('Mango')).toEqual(['Beta record']);
      const list = await t.app.inject({ url: `${tenantRoute(knowledgeRoutes.documents, 'acme')}?q=faq` });
      const ids = documentListSchema.parse(list.json()).documents.map((d) => d.externalId);
      expect(ids).toEqual(expect.arrayContaining(['faq.md', alpha, beta]));

      // The same path again is the same document, whether picked as a file or found in a picked folder.
      write(alpha, '# Alpha FAQ\n\nParcels ship from the Marseille warehouse.');
      expect(await post([alpha])).toMatchObject({ added: 0, updated: 1 });
      expect(await search('Marseille')).toEqual(['Alpha FAQ']);
      expect(await search('Lyon')).toEqual([]);
      expect(await post([path.dirname(alpha)])).toMatchObject({ added: 0, updated: 0, skipped: 2 });
      expect(await search('Porto')).toEqual(['Beta FAQ']);
      expect(await search('shop opens')).toEqual(['Uploaded FAQ']);
    } finally {
      folder.cleanup();
    }
  });
});

describe('upload file names and saving', () => {
  it('keeps the name and extension, replaces unsafe characters and shortens long names', () => {
    expect(uploadFileName(encodeURIComponent('Größen & Passform.MD'))).toBe('Größen & Passform.MD');
    expect(uploadFileName(encodeURIComponent('a:b?c*.md'))).toBe('a_b_c_.md');
    expect(uploadFileName(encodeURIComponent('..\\..\\win.txt'))).toBe('_._win.txt');
    expect(uploadFileName(encodeURIComponent('.hidden.md'))).toBe('hidden.md');
    expect(uploadFileName(encodeURIComponent('con.txt'))).toBe('_con.txt');
    const long = uploadFileName(encodeURIComponent(`${'x'.repeat(300)}.docx`));
    expect(long).toHaveLength(120);
    expect(long.endsWith('.docx')).toBe(true);
  });

  it('stops reading past the limit and leaves neither the file nor a temp file', async () => {
    const folder = tempDir();
    try {
      const target = path.join(folder.dir, 'up', 'a.md');
      const chunks = Readable.from([Buffer.alloc(600, 97), Buffer.alloc(600, 97)]);
      await expect(saveUpload(chunks, target, 1000)).rejects.toMatchObject({ code: 'too_large' });
      expect(fs.readdirSync(path.dirname(target))).toEqual([]);
      expect(await saveUpload(Readable.from([Buffer.from('hello')]), target, 1000)).toBe(5);
      expect(fs.readFileSync(target, 'utf8')).toBe('hello');
    } finally {
      folder.cleanup();
    }
  });
});
