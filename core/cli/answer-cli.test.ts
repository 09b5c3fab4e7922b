import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../package-root.js';
import { tempDir } from '../testing/temp-home.js';

// Process tests of `ask`, `classify --batch` and `grounding --batch` against dist/ (SPEC.md "CLI"). Full text
// only (AIRDESK_EMBEDDER=none) for speed, except one test that runs the default MiniLM model when it is set up.
const bin = path.join(packageRoot, 'bin', 'airdesk.js');
const fastEnv = { ...process.env, AIRDESK_EMBEDDER: 'none', AIRDESK_GENERATOR: 'none' };
const minilm = path.join(packageRoot, 'models', 'all-minilm-l6-v2-int8');

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Spawns the CLI without blocking, so independent cases can run side by side. */
function airdesk(home: string, args: string[], env: NodeJS.ProcessEnv = fastEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '--home', home, ...args], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** One line on stderr, starting "airdesk: ", as SPEC.md asks of every error. */
function oneErrorLine(run: Run): string {
  const lines = run.err.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^airdesk: /);
  return lines[0]!;
}

function jsonLines(out: string): Record<string, unknown>[] {
  return out
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const reasonCodes = [
  'human_requested',
  'critical_category',
  'frustrated_after_attempts',
  'complex_timeout',
  'repeated_failures',
  'long_conversation',
  'low_confidence',
  'missing_knowledge',
];
const priorities = ['urgent', 'high', 'medium', 'low', null];

interface AskJson {
  answer: string;
  citations: { docId: string; title: string; quote: string }[];
  confidence: number;
  escalation: { escalate: boolean; priority: string | null; reasons: string[] };
  grounding: { supported: number; unsupported: string[] };
  timings: { retrievalMs: number; generationMs: number; totalMs: number };
}

/** Parses `ask --json` stdout, which must be exactly one JSON object with SPEC.md's fields. */
function askJson(run: Run): AskJson {
  expect(run.code, run.err).toBe(0);
  const lines = run.out.trim().split('\n');
  expect(lines).toHaveLength(1);
  const draft = JSON.parse(lines[0]!) as AskJson;
  expect(typeof draft.answer).toBe('string');
  expect(draft.answer.length).toBeGreaterThan(0);
  for (const c of draft.citations) {
    expect(Object.keys(c)).toEqual(expect.arrayContaining(['docId', 'title', 'quote']));
    for (const field of [c.docId, c.title, c.quote]) expect(typeof field).toBe('string');
  }
  expect(draft.confidence).toBeGreaterThanOrEqual(0);
  expect(draft.confidence).toBeLessThanOrEqual(1);
  expect(typeof draft.escalation.escalate).toBe('boolean');
  expect(priorities).toContain(draft.escalation.priority);
  for (const r of draft.escalation.reasons) expect(reasonCodes).toContain(r);
  expect(draft.escalation.escalate).toBe(draft.escalation.reasons.length > 0);
  expect(draft.grounding.supported).toBeGreaterThanOrEqual(0);
  expect(draft.grounding.supported).toBeLessThanOrEqual(1);
  expect(Array.isArray(draft.grounding.unsupported)).toBe(true);
  const { retrievalMs, generationMs, totalMs } = draft.timings;
  for (const ms of [retrievalMs, generationMs, totalMs]) expect(ms).toBeGreaterThanOrEqual(0);
  expect(totalMs).toBeGreaterThanOrEqual(retrievalMs);
  return draft;
}

interface Classified {
  _id: string;
  queryType: string;
  sentiment: string;
  escalation: { escalate: boolean; priority: string | null; reasons: string[] };
}

const kbFiles: Record<string, string> = {
  'refunds.md':
    '# Refund policy\n\nRefunds go back to the original card within 5 business days. To request a refund, open ' +
    'the billing page and click "Request refund".\n\nRefunds are only available for 30 days after purchase.\n',
  'vpn.md':
    '# VPN setup\n\nUse the Frankfurt gateway to reach the intranet. Install the client from the software portal ' +
    'and sign in with your company account.\n',
  'printers.md': '# Printers\n\nDamp paper jams the office printer. Keep paper in its sealed pack.\n',
};
const vpnQuestion = 'How do I reach the intranet through the VPN gateway?';

describe('airdesk ask, classify and grounding (process)', () => {
  let dir: string;
  let cleanup: () => void;
  let home: string;
  let kb: string;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(packageRoot, 'dist', 'core', 'cli', 'main.js'))) {
      throw new Error('dist/ is missing: run "npm run build" before the tests (npm test does)');
    }
    ({ dir, cleanup } = tempDir());
    home = path.join(dir, 'home');
    kb = path.join(dir, 'kb');
    fs.mkdirSync(kb);
    for (const [name, text] of Object.entries(kbFiles)) fs.writeFileSync(path.join(kb, name), text);
    expect((await airdesk(home, ['tenants', 'create', 'acme'])).code).toBe(0);
    const ingest = await airdesk(home, ['ingest', kb, '--tenant', 'acme', '--json']);
    expect(ingest.code, ingest.err).toBe(0);
    expect(JSON.parse(ingest.out)).toMatchObject({ added: 3, failed: [] });
  }, 30_000);
  afterAll(() => cleanup());

  it('ask --json prints one SPEC-shaped draft citing the ingested file; human output shows the same', async () => {
    const [json, human] = await Promise.all([
      airdesk(home, ['ask', vpnQuestion, '--tenant', 'acme', '--json']),
      airdesk(home, ['ask', vpnQuestion, '--tenant', 'acme']),
    ]);
    const draft = askJson(json);
    expect(draft.answer).toMatch(/Frankfurt gateway/);
    expect(draft.citations.length).toBeGreaterThan(0);
    expect(draft.citations[0]).toMatchObject({ docId: 'vpn.md', title: 'VPN setup' });
    expect(kbFiles['vpn.md']).toContain(draft.citations[0]!.quote);
    expect(draft.confidence).toBeGreaterThan(0);
    expect(draft.grounding).toEqual({ supported: 1, unsupported: [] });
    expect(json.err).not.toMatch(/error/i); // only notes, on stderr

    expect(human.code, human.err).toBe(0);
    expect(() => JSON.parse(human.out) as unknown).toThrow();
    expect(human.out).toContain('Use the Frankfurt gateway to reach the intranet.');
    expect(human.out).toMatch(/\[1\] VPN setup \(vpn\.md\): "Use the Frankfurt gateway/);
    expect(human.out).toMatch(/confidence (0|1)\.\d\d/);
  }, 20_000);

  it('ask abstains on an off-topic question and escalates for missing knowledge', async () => {
    const draft = askJson(
      await airdesk(home, ['ask', 'What is the capital of Mongolia?', '--tenant', 'acme', '--json']),
    );
    expect(draft.citations).toEqual([]);
    expect(draft.answer).toMatch(/don't have that/i);
    expect(draft.escalation.escalate).toBe(true);
    expect(draft.escalation.reasons).toContain('missing_knowledge');
    expect(draft.confidence).toBeLessThan(0.5);
  }, 20_000);

  it('ask refuses a missing tenant, an unknown tenant, an empty and an oversized question in one line', async () => {
    const huge = 'Why does my printer jam? '.repeat(4_096); // ~100 KB
    const [noTenant, ghost, empty, blank, tooLong, noQuestion] = await Promise.all([
      airdesk(home, ['ask', 'hello']),
      airdesk(home, ['ask', 'hello', '--tenant', 'ghost']),
      airdesk(home, ['ask', '', '--tenant', 'acme', '--json']),
      airdesk(home, ['ask', '   ', '--tenant', 'acme']),
      airdesk(home, ['ask', huge, '--tenant', 'acme', '--json']),
      airdesk(home, ['ask', '--tenant', 'acme']),
    ]);
    expect(noTenant.code).toBe(2);
    expect(oneErrorLine(noTenant)).toMatch(/--tenant ID is required/);
    expect(ghost.code).toBe(1);
    expect(oneErrorLine(ghost)).toMatch(/tenant "ghost" does not exist; create it with/);
    for (const run of [empty, blank]) {
      expect(run.code).toBe(1);
      expect(run.out).toBe('');
      expect(oneErrorLine(run)).toMatch(/the question is empty/);
    }
    expect(tooLong.code).toBe(1);
    expect(tooLong.out).toBe('');
    expect(oneErrorLine(tooLong)).toMatch(/the question is 102,\d{3} characters; the limit is 8,000/);
    expect(noQuestion.code).toBe(2);
    expect(oneErrorLine(noQuestion)).toMatch(/missing required argument 'question'/);
  }, 30_000);

  it('ask answers extractively with a note naming the problem when AIRDESK_GENERATOR names a missing model', async () => {
    const run = await airdesk(home, ['ask', vpnQuestion, '--tenant', 'acme', '--json'], {
      ...fastEnv,
      AIRDESK_GENERATOR: 'no-such-model',
    });
    const draft = askJson(run);
    expect(draft.answer).toMatch(/Frankfurt gateway/);
    expect(draft.citations[0]?.docId).toBe('vpn.md');
    expect(run.err).toMatch(
      /note: The generator "no-such-model" is not used: no model folder "no-such-model"/,
    );
    expect(run.err).toMatch(/extractive composer answers instead/);
  }, 20_000);

  it.skipIf(!fs.existsSync(path.join(minilm, 'model.onnx')))(
    'ask answers with the default MiniLM embedder (hybrid retrieval)',
    async () => {
      const env: NodeJS.ProcessEnv = { ...process.env, AIRDESK_GENERATOR: 'none' };
      delete env.AIRDESK_EMBEDDER;
      const vectorHome = path.join(dir, 'home-minilm');
      expect((await airdesk(vectorHome, ['tenants', 'create', 'acme'], env)).code).toBe(0);
      const ingest = await airdesk(vectorHome, ['ingest', kb, '--tenant', 'acme', '--json'], env);
      expect(ingest.code, ingest.err).toBe(0);
      expect(JSON.parse(ingest.out)).not.toHaveProperty('notice'); // vectors were written
      const run = await airdesk(vectorHome, ['ask', vpnQuestion, '--tenant', 'acme', '--json'], env);
      const draft = askJson(run);
      expect(run.err).not.toMatch(/full-text search only/);
      expect(draft.citations[0]).toMatchObject({ docId: 'vpn.md' });
      expect(draft.answer).toMatch(/Frankfurt gateway/);
    },
    30_000,
  );

  it('classify --batch: one line per valid message in order, escalation rules, bad lines named by file:line', async () => {
    const file = path.join(dir, 'messages.jsonl');
    const lines = [
      JSON.stringify({ _id: 'human', text: 'I want to talk to a human right now' }),
      JSON.stringify({ _id: 7, text: 'How do I configure the API endpoint timeout?', failedAttempts: 3 }),
      '{"_id": "broken", "text": ',
      JSON.stringify({ _id: 'thanks', text: 'Thanks, that worked great!' }),
      JSON.stringify({ _id: 'no-text' }),
      '',
      JSON.stringify({ _id: 'role', text: 'hello', history: [{ role: 'robot', text: 'beep' }] }),
      JSON.stringify({ _id: 'long', text: 'Any news on my ticket?', minutesElapsed: 25, failedAttempts: 2 }),
      JSON.stringify({
        _id: 'history',
        text: 'ok',
        history: [
          { role: 'user', text: 'My VPN drops' },
          { role: 'Assistant', text: 'Use the Frankfurt gateway.' },
        ],
      }),
      JSON.stringify({ _id: 'negative', text: 'x', failedAttempts: -1 }),
      // Not a role, though every object has a property of that name.
      JSON.stringify({ _id: 'proto', text: 'hi', history: [{ role: 'constructor', text: 'x' }] }),
    ];
    // A BOM and CRLF line ends, as Windows editors write them.
    fs.writeFileSync(file, '\uFEFF' + lines.join('\r\n') + '\r\n');
    const [run, missing, folder, noBatch] = await Promise.all([
      airdesk(home, ['classify', '--batch', file]),
      airdesk(home, ['classify', '--batch', path.join(dir, 'nope.jsonl')]),
      airdesk(home, ['classify', '--batch', dir]),
      airdesk(home, ['classify']),
    ]);

    expect(run.code).toBe(1);
    const out = jsonLines(run.out) as unknown as Classified[];
    expect(out.map((o) => o._id)).toEqual(['human', '7', 'thanks', 'long', 'history']);
    for (const o of out) {
      expect(Object.keys(o).sort()).toEqual(['_id', 'escalation', 'queryType', 'sentiment']);
      expect(['conceptual', 'technical', 'conversational', 'exact_match']).toContain(o.queryType);
      expect(['positive', 'neutral', 'negative', 'frustrated']).toContain(o.sentiment);
    }
    const byId: Record<string, Classified> = Object.fromEntries(out.map((o) => [o._id, o]));
    expect(byId.human?.escalation).toEqual({
      escalate: true,
      priority: 'high',
      reasons: ['human_requested'],
    });
    expect(byId['7']?.escalation).toEqual({
      escalate: true,
      priority: 'medium',
      reasons: ['repeated_failures'],
    });
    expect(byId['7']?.queryType).toBe('technical');
    expect(byId.thanks).toMatchObject({
      sentiment: 'positive',
      escalation: { escalate: false, priority: null },
    });
    expect(byId.long?.escalation).toMatchObject({ escalate: true });
    expect(byId.long?.escalation.reasons).toContain('long_conversation');

    const errors = run.err.trim().split('\n');
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatch(/messages\.jsonl:3: not valid JSON; skipped$/);
    expect(errors[1]).toMatch(/messages\.jsonl:5: expected \{"_id", "text".*\(text: .*\); skipped$/);
    expect(errors[2]).toMatch(
      /messages\.jsonl:7: expected .*\(history\.0\.role: role must be one of visitor/,
    );
    expect(errors[3]).toMatch(/messages\.jsonl:10: expected .*\(failedAttempts: /);
    expect(errors[4]).toMatch(/messages\.jsonl:11: expected .*\(history\.0\.role: role must be one of/);

    expect(missing.code).toBe(2);
    expect(oneErrorLine(missing)).toMatch(/--batch: no such file .*nope\.jsonl/);
    expect(folder.code).toBe(2);
    expect(oneErrorLine(folder)).toMatch(/is a folder, not a file/);
    expect(noBatch.code).toBe(2);
    expect(oneErrorLine(noBatch)).toMatch(/required option '--batch <file>'/);
  }, 30_000);

  it('grounding --batch: flags a changed number, supports a copied sentence, reports bad lines', async () => {
    const refunds =
      'Refunds go back to the original card within 5 business days. Refunds are only available for 30 days.';
    const file = path.join(dir, 'pairs.jsonl');
    fs.writeFileSync(
      file,
      [
        {
          _id: 'copied',
          context: [refunds],
          response: 'Refunds go back to the original card within 5 business days.',
        },
        {
          _id: 'changed',
          context: [refunds],
          response: 'Refunds go back to the original card within 9 business days.',
        },
        {
          _id: 2,
          context: ['Use the Frankfurt gateway to reach the intranet.'],
          response:
            'Use the Frankfurt gateway to reach the intranet. Our office cat is named Whiskers and loves tuna.',
        },
        { _id: 'string-context', context: refunds, response: 'x' },
        {
          _id: 'no-sources',
          context: [],
          response: 'Refunds go back to the original card within 9 business days.',
        },
        { _id: 'courtesy', context: [], response: 'Thanks for reaching out!' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n{not json\n',
    );
    const [run, missing] = await Promise.all([
      airdesk(home, ['grounding', '--batch', file]),
      airdesk(home, ['grounding', '--batch', path.join(dir, 'nope.jsonl')]),
    ]);
    expect(run.code).toBe(1);
    const out = jsonLines(run.out);
    expect(out).toEqual([
      { _id: 'copied', supported: 1, unsupported: [] },
      {
        _id: 'changed',
        supported: 0,
        unsupported: ['Refunds go back to the original card within 9 business days.'],
      },
      { _id: '2', supported: 0.5, unsupported: ['Our office cat is named Whiskers and loves tuna.'] },
      // No source backs a claim; a courtesy needs none.
      {
        _id: 'no-sources',
        supported: 0,
        unsupported: ['Refunds go back to the original card within 9 business days.'],
      },
      { _id: 'courtesy', supported: 1, unsupported: [] },
    ]);
    const errors = run.err.trim().split('\n');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(
      /pairs\.jsonl:4: expected \{"_id", "context".*\(context: .*array.*\); skipped$/,
    );
    expect(errors[1]).toMatch(/pairs\.jsonl:7: not valid JSON; skipped$/);

    expect(missing.code).toBe(2);
    expect(oneErrorLine(missing)).toMatch(/--batch: no such file/);
  }, 30_000);
});
