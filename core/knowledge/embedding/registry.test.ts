import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../contract/errors.js';
import { tempDir } from '../../testing/temp-home.js';
import { writeTinyModelFolder } from './bert/tiny-bert.js';
import { defaultModelDirs, findModels, loadDefaultEmbedder, loadEmbedder } from './registry.js';

describe('model registry', () => {
  let first: { dir: string; cleanup: () => void };
  let second: { dir: string; cleanup: () => void };
  beforeEach(() => {
    first = tempDir();
    second = tempDir();
  });
  afterEach(() => {
    first.cleanup();
    second.cleanup();
  });

  it('lists ONNX folders and GGUF files, an earlier dir hiding the same name in a later one', () => {
    writeTinyModelFolder(first.dir, 'tiny');
    writeTinyModelFolder(second.dir, 'tiny');
    writeTinyModelFolder(second.dir, 'other');
    fs.writeFileSync(path.join(second.dir, 'chat.gguf'), '');
    fs.mkdirSync(path.join(second.dir, 'build'));
    // A generator folder (GGUF chat model) lives in models/ too but is no embedder.
    fs.mkdirSync(path.join(second.dir, 'llm'));
    fs.writeFileSync(path.join(second.dir, 'llm', 'manifest.json'), '{"kind":"generator"}');
    const models = findModels([first.dir, second.dir, path.join(first.dir, 'missing')]);
    expect(models).toEqual([
      { name: 'tiny', format: 'onnx', path: path.join(first.dir, 'tiny') },
      { name: 'chat', format: 'gguf', path: path.join(second.dir, 'chat.gguf') },
      { name: 'other', format: 'onnx', path: path.join(second.dir, 'other') },
    ]);
  });

  it('loads an embedder by name and says how to get one that is missing', async () => {
    writeTinyModelFolder(second.dir, 'tiny');
    const embedder = await loadEmbedder('tiny', [first.dir, second.dir]);
    try {
      expect(embedder.dims).toBe(32);
      expect(await embedder.embed(['vpn'], 'query')).toHaveLength(1);
    } finally {
      await embedder.close();
    }
    const error: unknown = await loadDefaultEmbedder([first.dir]).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('not_found');
    expect(String(error)).toMatch(/import a model folder into AIRDESK_HOME\/models\/all-minilm-l6-v2-int8\//);
  });

  it('falls back to the fp32 default when the int8 one is not installed', async () => {
    writeTinyModelFolder(second.dir, 'all-minilm-l6-v2');
    const embedder = await loadDefaultEmbedder([first.dir, second.dir]);
    try {
      expect(embedder.modelId).toMatch(/^all-minilm-l6-v2@/);
    } finally {
      await embedder.close();
    }
  });

  it('looks in the data folder before the package', () => {
    const dirs = defaultModelDirs('/data/airdesk');
    expect(dirs[0]).toBe(path.join('/data/airdesk', 'models'));
    expect(dirs[1]).toMatch(/models$/);
  });
});
