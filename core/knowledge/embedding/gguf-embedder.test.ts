import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../contract/errors.js';
import type { Embedder } from '../../contract/retrieval.js';
import { packageRoot } from '../../package-root.js';
import { tempDir } from '../../testing/temp-home.js';
import { cosine } from './pooling.js';
import { loadEmbedder } from './registry.js';

describe('GGUF embedder (tiny random llama written by scripts/make-tiny-gguf.ts)', () => {
  const home = tempDir();
  let embedder: Embedder;

  beforeAll(async () => {
    // core/ may not import scripts/, so the generator runs as its own process.
    const script = path.join(packageRoot, 'scripts', 'make-tiny-gguf.ts');
    const made = spawnSync(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), script, path.join(home.dir, 'tiny.gguf')],
      { encoding: 'utf8' },
    );
    expect(made.status, made.stderr).toBe(0);
    embedder = await loadEmbedder('tiny', [home.dir]);
  });
  afterAll(async () => {
    await embedder?.close();
    home.cleanup();
  });

  it('returns deterministic unit vectors of the model width', async () => {
    const [a, b, again] = await embedder.embed(
      ['hello world', 'reset my password', 'hello world'],
      'document',
    );
    expect(embedder.dims).toBe(64);
    expect(embedder.modelId).toMatch(/^tiny@[0-9a-f]{12}$/);
    expect(Math.hypot(...(a ?? []))).toBeCloseTo(1, 5);
    expect(cosine(a ?? new Float32Array(), again ?? new Float32Array())).toBeCloseTo(1, 6);
    expect(cosine(a ?? new Float32Array(), b ?? new Float32Array())).toBeLessThan(0.9999);
  });

  it('cuts long texts to fit the context and gives empty text the zero vector', async () => {
    const [long, empty] = await embedder.embed(['support '.repeat(2000), ''], 'document');
    expect(long).toHaveLength(64);
    expect(empty).toEqual(new Float32Array(64));
  });

  it('honours an abort, and is unavailable after close()', async () => {
    await expect(embedder.embed(['x'], 'query', AbortSignal.abort())).rejects.toThrow(/abort/i);
    const other = await loadEmbedder('tiny', [home.dir]);
    await other.close();
    const error: unknown = await other.embed(['x'], 'query').catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('unavailable');
  });
});
