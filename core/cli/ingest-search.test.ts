import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../package-root.js';
import { tempDir } from '../testing/temp-home.js';

const bin = path.join(packageRoot, 'bin', 'airdesk.js');
// Full text only: these tests are about the CLI and crash safety, not the embedding model.
const env = { ...process.env, AIRDESK_EMBEDDER: 'none' };

function airdesk(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, '--home', home, ...args], { env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('airdesk ingest and search (process)', () => {
  let dir: string;
  let cleanup: () => void;
  let home: string;
  beforeAll(() => {
    if (!fs.existsSync(path.join(packageRoot, 'dist', 'core', 'cli', 'main.js'))) {
      throw new Error('dist/ is missing: run "npm run build" before the tests (npm test does)');
    }
  });
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    home = path.join(dir, 'home');
    expect(airdesk(home, 'tenants', 'create', 'acme').code).toBe(0);
  });
  afterEach(() => cleanup());

  it('ingests, reports, searches, and writes a TREC run for a batch of queries', () => {
    const corpus = path.join(dir, 'faq.jsonl');
    fs.writeFileSync(
      corpus,
      [
        { _id: 'd1', title: 'Refunds', text: 'Refunds go back to the original card within five days.' },
        { _id: 'd2', title: 'VPN', text: 'Use the Frankfurt gateway to reach the intranet.' },
        { _id: 'd3', title: 'Printers', text: 'Damp paper jams the office printer.' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const ingest = airdesk(home, 'ingest', corpus, '--tenant', 'acme', '--json');
    expect(ingest.code).toBe(0);
    expect(JSON.parse(ingest.out)).toMatchObject({ added: 3, failed: [], chunks: 3 });

    const search = airdesk(
      home,
      'search',
      'printer paper jam',
      '--tenant',
      'acme',
      '--mode',
      'bm25',
      '--json',
    );
    expect(search.code).toBe(0);
    const result = JSON.parse(search.out) as {
      hits: { rank: number; docId: string; title: string; snippet: string }[];
    };
    expect(result.hits[0]).toMatchObject({ rank: 1, docId: 'd3', title: 'Printers' });
    expect(result.hits[0]?.snippet).toContain('Damp paper');

    const queries = path.join(dir, 'queries.jsonl');
    fs.writeFileSync(
      queries,
      '{"_id":"q1","text":"refund card"}\n{"_id":"q2","text":"intranet gateway"}\nnot json\n',
    );
    const batch = airdesk(
      home,
      'search',
      '--batch',
      queries,
      '--tenant',
      'acme',
      '--mode',
      'bm25',
      '--k',
      '2',
    );
    expect(batch.code).toBe(1); // one bad line
    expect(batch.err).toMatch(/queries\.jsonl:3: not valid JSON; skipped/);
    const lines = batch.out.trim().split('\n');
    expect(lines[0]).toMatch(/^q1 Q0 d1 1 \d+\.\d{6} airdesk-bm25$/);
    expect(lines.some((l) => l.startsWith('q2 Q0 d2 1 '))).toBe(true);
    expect(lines.every((l) => l.split(' ').length === 6)).toBe(true);
  });

  it('refuses missing paths, unknown tenants and bad options with one clear line', () => {
    const missing = airdesk(home, 'ingest', path.join(dir, 'nope'), '--tenant', 'acme');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.err).toMatch(/no such file or folder: .*nope; nothing was ingested/);
    expect(airdesk(home, 'ingest', dir, '--tenant', 'ghost').err).toMatch(/tenant "ghost" does not exist/);
    expect(airdesk(home, 'ingest', dir).code).toBe(2);
    expect(airdesk(home, 'search', 'x', '--tenant', 'acme', '--mode', 'fuzzy').err).toMatch(
      /--mode must be one of hybrid, bm25, vector/,
    );
    const vector = airdesk(home, 'search', 'x', '--tenant', 'acme', '--mode', 'vector');
    expect(vector.code).toBe(1);
    expect(vector.err).toMatch(/no embedding model is installed/);
  });

  it('survives being killed mid-ingest: the next run resumes and the index has no duplicates', async () => {
    const corpus = path.join(dir, 'big.jsonl');
    const out = fs.createWriteStream(corpus);
    for (let i = 0; i < 12_000; i++) {
      out.write(
        JSON.stringify({ _id: `r${i}`, text: `Answer ${i}: item${i} is covered by clause ${i % 97}.` }) +
          '\n',
      );
    }
    await new Promise<void>((resolve) => out.end(resolve));

    const child = spawn(process.execPath, [bin, '--home', home, 'ingest', corpus, '--tenant', 'acme'], {
      env,
    });
    let progress = '';
    child.stderr.on('data', (d: Buffer) => (progress += d.toString()));
    // Kill hard once some batches are in, without waiting for a clean stop.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (/ingest: [2-9]\d{3} documents/.test(progress)) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(timer);
        resolve();
      });
    });
    const resumed = airdesk(home, 'ingest', corpus, '--tenant', 'acme', '--json');
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.out) as { added: number; skipped: number; chunks: number };
    expect(report.added + report.skipped).toBe(12_000);
    expect(report.skipped).toBeGreaterThan(0); // the killed run had committed some batches

    const again = JSON.parse(airdesk(home, 'ingest', corpus, '--tenant', 'acme', '--json').out) as {
      skipped: number;
    };
    expect(again.skipped).toBe(12_000);
    const hits = JSON.parse(
      airdesk(home, 'search', 'item11999', '--tenant', 'acme', '--mode', 'bm25', '--json', '--k', '5').out,
    ) as { hits: { docId: string }[] };
    expect(hits.hits.map((h) => h.docId)).toEqual(['r11999']);
  }, 120_000);
});
