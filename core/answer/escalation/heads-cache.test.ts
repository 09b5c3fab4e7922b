import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../contract/retrieval.js';
import { createMessageClassifier, forgetTrainedHeads } from './classifier.js';
import { fnv1a, sparseFeatures } from './features.js';
import {
  decodeHeads,
  encodeHeads,
  headsCacheFile,
  headsCacheKey,
  loadOrTrainHeads,
  type LoadOrTrainOptions,
} from './heads-cache.js';
import { denseInput, trainHeads, trainingSets, type TrainedHeads } from './heads.js';

const probes = [
  'can I talk to a person please',
  'plz i want to tallk with a humann',
  'there are two identical charges from you on my credit card statement',
  'Brilliant, everything is working again, many thanks',
  'How do I export my contacts?',
  '',
];

/** A deterministic stand-in for MiniLM: a few hashed dimensions per text, instant. */
function fakeEmbedder(modelId: string, dims = 8): Embedder {
  return {
    modelId,
    dims,
    maxTokens: 128,
    async embed(texts) {
      return texts.map((t) =>
        Float32Array.from({ length: dims }, (_, d) => (fnv1a(t, d + 1) % 1000) / 500 - 1),
      );
    },
    async close() {},
  };
}

/** Every head's probabilities for the probes, with the embedder's vectors when there is one. */
async function predictions(heads: TrainedHeads, embedder: Embedder | null): Promise<number[][]> {
  const vectors = embedder ? await embedder.embed(probes, 'query') : [];
  return probes.flatMap((text, i) => {
    const sparse = sparseFeatures(text);
    const vector = vectors[i];
    return (['wantsHuman', 'sentiment', 'critical'] as const).map((h) =>
      heads[h].predict(sparse, vector ? denseInput(vector, h) : undefined),
    );
  });
}

let root: string;
let counter = 0;
const freshDir = () => path.join(root, `cache-${++counter}`);

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'airdesk-heads-cache-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('heads cache', () => {
  // One real training per embedder, shared; the tests inject a counting trainer that hands these out.
  const pretrained = new Map<string, TrainedHeads>();
  let trainCalls = 0;
  const options = (cacheDir: string): LoadOrTrainOptions => ({
    cacheDir,
    train: async (embedder, sets) => {
      trainCalls++;
      const id = embedder?.modelId ?? 'none';
      let heads = pretrained.get(id);
      if (!heads) {
        heads = await trainHeads(embedder, sets);
        pretrained.set(id, heads);
      }
      return heads;
    },
  });

  it('trains and writes on the first call, loads without training on the second, with identical predictions', async () => {
    const dir = freshDir();
    const before = trainCalls;
    const first = await loadOrTrainHeads(null, options(dir));
    expect(first.source).toBe('trained');
    expect(first.cache?.outcome).toBe('written');
    expect(trainCalls).toBe(before + 1);
    const file = first.cache?.file ?? '';
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.statSync(file).size).toBe(first.cache?.bytes);
    // Non-zero buckets only: far below the 12 × 2^18 × 4 bytes of the full weight matrices.
    expect(fs.statSync(file).size).toBeLessThan(3_000_000);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    const second = await loadOrTrainHeads(null, options(dir));
    expect(second.source).toBe('cache');
    expect(second.cache).toMatchObject({ file, outcome: 'loaded' });
    expect(trainCalls).toBe(before + 1);
    expect(second.heads.embedderId).toBeNull();
    expect(await predictions(second.heads, null)).toEqual(await predictions(first.heads, null));
  });

  it('round-trips the dense (embedding) weights exactly', async () => {
    const embedder = fakeEmbedder('fake-a');
    const dir = freshDir();
    const first = await loadOrTrainHeads(embedder, options(dir));
    const second = await loadOrTrainHeads(embedder, options(dir));
    expect([first.source, second.source]).toEqual(['trained', 'cache']);
    expect(second.heads.embedderId).toBe('fake-a');
    expect(await predictions(second.heads, embedder)).toEqual(await predictions(first.heads, embedder));
  });

  it('ignores and rewrites a corrupt file', async () => {
    const dir = freshDir();
    const first = await loadOrTrainHeads(null, options(dir));
    const file = first.cache?.file ?? '';
    const good = fs.readFileSync(file);
    fs.writeFileSync(file, good.subarray(0, good.length >> 1));

    const before = trainCalls;
    const again = await loadOrTrainHeads(null, options(dir));
    expect(again.source).toBe('trained');
    expect(trainCalls).toBe(before + 1);
    expect(again.cache?.outcome).toBe('written');
    expect(again.cache?.note).toMatch(/ignored the cache file: file is truncated/);
    expect(fs.readFileSync(file).equals(good)).toBe(true);
    expect((await loadOrTrainHeads(null, options(dir))).source).toBe('cache');
  });

  it('rejects every kind of damaged or mismatched file without throwing out of loadOrTrainHeads', async () => {
    const embedder = fakeEmbedder('fake-a');
    const heads = (await loadOrTrainHeads(embedder, options(freshDir()))).heads;
    const key = headsCacheKey(embedder, trainingSets());
    const good = encodeHeads(heads, key);
    expect(() => decodeHeads(good, { key, embedder })).not.toThrow();

    const flip = (at: number) => {
      const b = Buffer.from(good);
      b[at] = (b[at] ?? 0) ^ 0xff;
      return b;
    };
    const headerEnd = 16 + good.readUInt32LE(12);
    const nan = Buffer.from(good);
    nan.writeDoubleLE(Number.NaN, headerEnd); // the first bias
    const damaged: [string, Buffer, RegExp][] = [
      ['empty', Buffer.alloc(0), /not a heads cache file/],
      ['other magic', flip(0), /not a heads cache file/],
      ['other format version', flip(8), /file format/],
      ['garbled header', flip(20), /JSON|key|Unexpected|property/],
      ['truncated', good.subarray(0, good.length - 3), /truncated/],
      ['trailing bytes', Buffer.concat([good, Buffer.alloc(4)]), /trailing/],
      ['non-finite weight', nan, /non-finite/],
    ];
    for (const [what, buf, reason] of damaged)
      expect(() => decodeHeads(buf, { key, embedder }), what).toThrow(reason);
    expect(() =>
      decodeHeads(good, { key: key.replace(/^./, (c) => (c === '0' ? '1' : '0')), embedder }),
    ).toThrow(/key/);
    // Renamed by hand to another model's name: the header still says which model it was trained with.
    expect(() => decodeHeads(good, { key, embedder: fakeEmbedder('fake-b') })).toThrow(/another embedder/);
    expect(() => decodeHeads(good, { key, embedder: null })).toThrow(/another embedder/);
    expect(() => decodeHeads(good, { key, embedder: fakeEmbedder('fake-a', 16) })).toThrow(/another shape/);
  });

  it('keys the file on the embedding model and its dims', async () => {
    const sets = trainingSets();
    const a = fakeEmbedder('fake-a');
    const b = fakeEmbedder('fake-b');
    const keys = [null, a, b, fakeEmbedder('fake-a', 16)].map((e) => headsCacheKey(e, sets));
    expect(new Set(keys).size).toBe(4);
    expect(keys.every((k) => /^[0-9a-f]{64}$/.test(k))).toBe(true);

    const dir = freshDir();
    const fileA = (await loadOrTrainHeads(a, options(dir))).cache?.file;
    const fileB = (await loadOrTrainHeads(b, options(dir))).cache?.file;
    const fileNone = (await loadOrTrainHeads(null, options(dir))).cache?.file;
    expect(new Set([fileA, fileB, fileNone]).size).toBe(3);
    expect(fs.readdirSync(dir).sort()).toEqual(
      [fileA, fileB, fileNone].map((f) => path.basename(f ?? '')).sort(),
    );
    expect((await loadOrTrainHeads(a, options(dir))).heads.embedderId).toBe('fake-a');
    expect((await loadOrTrainHeads(b, options(dir))).heads.embedderId).toBe('fake-b');
  });

  it('changes the key when the training examples change', () => {
    const sets = trainingSets();
    const changed = {
      ...sets,
      sentiment: sets.sentiment.map((e, i) => (i === 0 ? { ...e, label: 1 - e.label } : e)),
    };
    expect(headsCacheKey(null, changed)).not.toBe(headsCacheKey(null, sets));
  });

  it('prunes this model’s files for other keys and stale temp files, and keeps other models’ files', async () => {
    const dir = freshDir();
    fs.mkdirSync(dir, { recursive: true });
    const key = headsCacheKey(null, trainingSets());
    const oldKey = path.basename(headsCacheFile(dir, null, 'f'.repeat(64)));
    const otherModel = path.basename(headsCacheFile(dir, fakeEmbedder('fake-b'), 'e'.repeat(64)));
    const staleTemp = `${oldKey}.123.abcd.tmp`;
    const freshTemp = `${oldKey}.456.abcd.tmp`;
    for (const name of [oldKey, otherModel, staleTemp, freshTemp, 'unrelated.txt'])
      fs.writeFileSync(path.join(dir, name), 'x');
    const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    fs.utimesSync(path.join(dir, staleTemp), hourAgo, hourAgo);

    const result = await loadOrTrainHeads(null, options(dir));
    expect(result.cache?.file).toBe(headsCacheFile(dir, null, key));
    expect(fs.readdirSync(dir).sort()).toEqual(
      [path.basename(headsCacheFile(dir, null, key)), otherModel, freshTemp, 'unrelated.txt'].sort(),
    );
  });

  it('still returns trained heads when the cache folder cannot be written', async () => {
    const blocker = path.join(root, 'not-a-folder');
    fs.writeFileSync(blocker, 'x');
    const result = await loadOrTrainHeads(null, options(path.join(blocker, 'cache')));
    expect(result.source).toBe('trained');
    expect(result.cache?.outcome).toBe('write-failed');
    expect(result.cache?.note).toMatch(/could not write the cache file/);
  });
});

describe('createMessageClassifier with cacheDir', () => {
  it('writes the heads on the first start and loads them on the next, classifying identically', async () => {
    const cacheDir = freshDir();
    const messages = probes.map((text) => ({ text, minutesElapsed: 3 }));
    forgetTrainedHeads();
    const first = await createMessageClassifier({ embedder: null, cacheDir });
    expect(first.headsSource).toBe('trained');
    expect(first.headsCache?.outcome).toBe('written');
    const expected = await first.classifyBatch(messages);

    forgetTrainedHeads(); // as a new process would start
    const second = await createMessageClassifier({ embedder: null, cacheDir });
    expect(second.headsSource).toBe('cache');
    expect(second.headsCache?.file).toBe(first.headsCache?.file);
    expect(await second.classifyBatch(messages)).toEqual(expected);

    // Within one process the heads are reused from memory.
    const third = await createMessageClassifier({ embedder: null, cacheDir });
    expect(third.headsSource).toBe('cache');
  });

  it('without cacheDir trains and reports no cache', async () => {
    forgetTrainedHeads();
    const classifier = await createMessageClassifier({ embedder: null });
    expect(classifier.headsSource).toBe('trained');
    expect(classifier.headsCache).toBeNull();
  });
});
