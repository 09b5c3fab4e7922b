import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedDocument } from '../../contract/retrieval.js';
import { tempDir } from '../../testing/temp-home.js';
import { chunkDocument, defaultChildMaxTokens } from './chunk.js';
import { parseFile } from './parse-file.js';
import { readDocuments } from './read-documents.js';
import type { ParseFailure, SkippedFile } from './types.js';

// The shared evaluation data, read in place (never copied into the repository).
const datasets = fileURLToPath(new URL('../../../../shared/datasets/', import.meta.url));
const guidelinesPath = join(datasets, 'abcd-kb/guidelines.json');
const corpusPath = join(datasets, 'insuranceqa/corpus.jsonl');

interface Guidelines {
  [flow: string]: {
    description: string;
    subflows: Record<string, { instructions?: string[]; actions?: { text: string; subtext: string[] }[] }>;
  };
}

/** ABCD's guidelines are a nested JSON object, not records: as a help centre would hold them, one page per flow. */
function flowToMarkdown(flow: string, body: Guidelines[string]): string {
  const lines = [`# ${flow}`, '', body.description, ''];
  for (const [name, subflow] of Object.entries(body.subflows)) {
    const [intro, ...outro] = subflow.instructions ?? [];
    lines.push(`## ${name}`, '', intro ?? '', '');
    (subflow.actions ?? []).forEach((action, i) => {
      lines.push(`${i + 1}. ${action.text}`, ...action.subtext.map((s) => `   - ${s}`));
    });
    lines.push('', ...outro, '');
  }
  return lines.join('\n');
}

async function readAll(
  paths: string[],
): Promise<{ docs: ParsedDocument[]; problems: (ParseFailure | SkippedFile)[] }> {
  const docs: ParsedDocument[] = [];
  const problems: (ParseFailure | SkippedFile)[] = [];
  for await (const item of readDocuments(paths)) {
    if ('failure' in item || 'skipped' in item) problems.push(item);
    else docs.push(item);
  }
  return { docs, problems };
}

function chunkAll(docs: ParsedDocument[]): { parents: number; children: number } {
  let parents = 0;
  let children = 0;
  for (const doc of docs) {
    const chunks = chunkDocument(doc, doc.externalId);
    const parentIds = new Set(chunks.parents.map((p) => p.id));
    for (const child of chunks.children) {
      if (child.tokenCount > defaultChildMaxTokens)
        throw new Error(`${child.id} has ${child.tokenCount} tokens`);
      if (!parentIds.has(child.parentId)) throw new Error(`${child.id} has no parent`);
    }
    if (chunks.children.length === 0) throw new Error(`${doc.externalId} has no chunks`);
    parents += chunks.parents.length;
    children += chunks.children.length;
  }
  return { parents, children };
}

describe('ABCD agent guidelines', () => {
  beforeAll(() => {
    if (!existsSync(guidelinesPath))
      throw new Error(`${guidelinesPath} is missing: ../shared/datasets must sit beside the repo`);
  });
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    const guidelines = JSON.parse(readFileSync(guidelinesPath, 'utf8')) as Guidelines;
    for (const [flow, body] of Object.entries(guidelines))
      writeFileSync(join(dir, `${flow}.md`), flowToMarkdown(flow, body));
  });
  afterAll(() => cleanup());

  it('parses one document per flow with a section per subflow, and chunks them', async () => {
    const { docs, problems } = await readAll([dir]);
    expect(problems).toEqual([]);
    expect(docs).toHaveLength(10);
    const subflows = docs.flatMap((d) => d.sections.filter((s) => s.headings.length === 2));
    expect(subflows).toHaveLength(55);
    const refund = docs
      .find((d) => d.title === 'Product Defect')
      ?.sections.find((s) => s.headings[1] === 'Initiate Refund');
    expect(refund?.text).toContain('Gift card - they want a prepaid gift card');
    const { children } = chunkAll(docs);
    expect(children).toBeGreaterThanOrEqual(55);
  });

  it('reports the raw guidelines.json as not records rather than guessing', async () => {
    const results = [];
    for await (const result of parseFile(guidelinesPath, { externalId: 'guidelines.json' }))
      results.push(result);
    expect(results).toEqual([
      expect.objectContaining({ failure: true, reason: expect.stringMatching(/^not records/) as unknown }),
    ]);
  });
});

describe('InsuranceQA corpus', () => {
  beforeAll(() => {
    if (!existsSync(corpusPath))
      throw new Error(`${corpusPath} is missing: ../shared/datasets must sit beside the repo`);
  });
  it('parses all 8,690 answers and chunks every one within the limits', async () => {
    const started = performance.now();
    const { docs, problems } = await readAll([corpusPath]);
    const { parents, children } = chunkAll(docs);
    const seconds = (performance.now() - started) / 1000;
    expect(problems).toEqual([]);
    expect(docs).toHaveLength(8690);
    expect(docs[0]).toMatchObject({ externalId: 'a00109a75dc38', title: '', metadata: { line: 1 } });
    expect(parents).toBeGreaterThanOrEqual(8690);
    expect(children).toBeGreaterThanOrEqual(parents);
    // Throughput is reported by measure.ts; this only guards against an accidental quadratic.
    expect(docs.length / seconds).toBeGreaterThan(1000);
  });
});
