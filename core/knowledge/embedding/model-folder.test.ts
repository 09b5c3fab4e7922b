import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-home.js';
import { failure } from '../testing-failure.js';
import { writeTinyModelFolder } from './bert/tiny-bert.js';
import { readModelFolder } from './model-folder.js';
import { OnnxEmbedder } from './onnx-embedder.js';

describe('model folder checks', () => {
  let home: { dir: string; cleanup: () => void };
  let folder: string;
  const file = (name: string) => path.join(folder, name);
  const manifest = () =>
    JSON.parse(fs.readFileSync(file('manifest.json'), 'utf8')) as Record<string, unknown>;
  const writeManifest = (m: Record<string, unknown>) =>
    fs.writeFileSync(file('manifest.json'), JSON.stringify(m));

  beforeEach(() => {
    home = tempDir();
    writeTinyModelFolder(home.dir, 'tiny');
    folder = path.join(home.dir, 'tiny');
  });
  afterEach(() => home.cleanup());

  it('accepts a complete folder', async () => {
    const read = await readModelFolder(folder, 'embedder');
    expect(read.manifest).toMatchObject({ kind: 'embedder', dims: 32, pooling: 'mean', maxTokens: 16 });
  });

  it('names a missing folder or file and says what to do', async () => {
    expect(await failure(readModelFolder(path.join(home.dir, 'nope'), 'embedder'))).toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/does not exist; import/) as string,
    });
    for (const name of ['manifest.json', 'model.onnx', 'tokenizer.json']) {
      writeTinyModelFolder(home.dir, 'tiny');
      fs.rmSync(file(name));
      const { code, message } = await failure(readModelFolder(folder, 'embedder'));
      expect(code).toBe('not_found');
      expect(message).toContain(file(name));
      expect(message).toContain('copy the whole folder again');
    }
  });

  it('refuses JSON that does not parse', async () => {
    fs.writeFileSync(file('manifest.json'), '{"kind": "embedder",');
    expect(await failure(readModelFolder(folder, 'embedder'))).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining(`${file('manifest.json')} is not valid JSON`) as string,
    });
    writeTinyModelFolder(home.dir, 'tiny');
    fs.writeFileSync(file('tokenizer.json'), 'not json');
    expect((await failure(readModelFolder(folder, 'embedder'))).message).toContain(file('tokenizer.json'));
  });

  it('names the manifest field that is wrong', async () => {
    const good = manifest();
    writeManifest({ ...good, dims: -3, pooling: 'max' });
    const { code, message } = await failure(readModelFolder(folder, 'embedder'));
    expect(code).toBe('invalid_input');
    expect(message).toMatch(/"dims"/);
    expect(message).toMatch(/"pooling"/);
    writeManifest({ ...good, kind: 'reranker' });
    expect((await failure(readModelFolder(folder, 'embedder'))).message).toMatch(
      /describes a model of kind "reranker", not "embedder"/,
    );
  });

  it('refuses a model.onnx that does not match the manifest sha256', async () => {
    fs.appendFileSync(file('model.onnx'), Buffer.from([0]));
    const { code, message } = await failure(readModelFolder(folder, 'embedder'));
    expect(code).toBe('invalid_input');
    expect(message).toContain('does not match the sha256');
    expect(message).toContain(file('model.onnx'));
  });

  it('refuses a manifest whose dims differ from what the model produces (through the worker)', async () => {
    writeManifest({ ...manifest(), dims: 384 });
    expect(await failure(OnnxEmbedder.open(folder))).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(
        /produces 32-dimensional vectors but .*manifest\.json says dims 384/,
      ) as string,
    });
  });

  it('refuses a file that is not an ONNX model', async () => {
    fs.writeFileSync(file('model.onnx'), 'garbage');
    const sha = (await import('./model-folder.js')).sha256File;
    writeManifest({ ...manifest(), sha256: await sha(file('model.onnx')) });
    expect((await failure(OnnxEmbedder.open(folder))).message).toMatch(/is not a model onnxruntime can load/);
  });
});
