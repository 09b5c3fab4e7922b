import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-home.js';
import { failure } from '../testing-failure.js';
import { writeTinyModelFolder } from '../embedding/bert/tiny-bert.js';
import { loadReranker, OnnxReranker } from './onnx-reranker.js';
import { writeTinyRerankerFolder } from './tiny-cross-encoder.js';

describe('reranker model folders', () => {
  let home: { dir: string; cleanup: () => void };
  const folder = (name: string) => path.join(home.dir, name);
  beforeEach(() => (home = tempDir()));
  afterEach(() => home.cleanup());

  it('refuses an embedder folder, naming its manifest', async () => {
    writeTinyModelFolder(home.dir, 'minilm');
    const { code, message } = await failure(OnnxReranker.open(folder('minilm')));
    expect(code).toBe('invalid_input');
    expect(message).toContain(path.join(folder('minilm'), 'manifest.json'));
    expect(message).toMatch(/describes a model of kind "embedder", not "reranker"/);
  });

  it('names a missing file', async () => {
    for (const name of ['model.onnx', 'tokenizer.json', 'manifest.json']) {
      writeTinyRerankerFolder(home.dir, 'ce');
      fs.rmSync(path.join(folder('ce'), name));
      const { code, message } = await failure(OnnxReranker.open(folder('ce')));
      expect(code).toBe('not_found');
      expect(message).toContain(path.join(folder('ce'), name));
    }
  });

  it('refuses an embedding model labelled as a reranker, and a manifest with the wrong dims', async () => {
    writeTinyModelFolder(home.dir, 'mislabelled', { manifest: { kind: 'reranker' } });
    expect((await failure(OnnxReranker.open(folder('mislabelled')))).message).toMatch(
      /output last_hidden_state is \[1, \d+, 32\]; expected \[pairs, logits\]/,
    );
    writeTinyRerankerFolder(home.dir, 'ce', { manifest: { dims: 384 } });
    expect(await failure(OnnxReranker.open(folder('ce')))).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(
        /outputs 1 logits per pair but .*manifest\.json says dims 384/,
      ) as string,
    });
  });

  it('loadReranker finds a model by name, first directory first', async () => {
    const [first, second] = [folder('first'), folder('second')];
    writeTinyRerankerFolder(second, 'ce', { seed: 3 });
    writeTinyRerankerFolder(first, 'ce', { seed: 4 });
    const reranker = await loadReranker('ce', [first, second]);
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(first, 'ce', 'manifest.json'), 'utf8')) as {
        sha256: string;
      };
      expect(reranker.modelId).toBe(`ce@${manifest.sha256.slice(0, 12)}`);
      expect(await reranker.score('vpn', ['vpn login', 'printer'])).toHaveLength(2);
    } finally {
      await reranker.close();
    }
  });

  it('loadReranker says what to do when the model is missing, and names a folder’s missing manifest', async () => {
    expect(await failure(loadReranker('ms-marco', [home.dir]))).toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(
        /no reranker model "ms-marco" in .*AIRDESK_HOME\/models\/ms-marco\//,
      ) as string,
    });
    writeTinyRerankerFolder(home.dir, 'ce');
    fs.rmSync(path.join(folder('ce'), 'manifest.json'));
    expect((await failure(loadReranker('ce', [home.dir]))).message).toContain(
      path.join(folder('ce'), 'manifest.json'),
    );
    fs.writeFileSync(path.join(home.dir, 'llm.gguf'), 'GGUF');
    expect((await failure(loadReranker('llm', [home.dir]))).message).toMatch(/is a GGUF model/);
  });
});
