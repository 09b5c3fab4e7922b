import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextGenerator } from '../../contract/answer.js';
import { tempDir } from '../../testing/temp-home.js';
import { resolveGenerator } from './resolve-generator.js';
import { writeTinyModel } from './tiny-model.testing.js';

describe('resolveGenerator', () => {
  const home = tempDir();
  const homeModels = path.join(home.dir, 'models');
  const packageModels = path.join(home.dir, 'package-models');
  const dirs = [homeModels, packageModels];
  const tinyFile = path.join(home.dir, 'tiny.gguf');
  const opened: TextGenerator[] = [];

  /** Installs a model folder with the tiny GGUF (or `gguf` bytes) and the given manifest. */
  function installModel(dir: string, name: string, manifest: unknown, gguf?: Buffer): string {
    const folder = path.join(dir, name);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'model.gguf'), gguf ?? fs.readFileSync(tinyFile));
    if (manifest !== undefined)
      fs.writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(manifest));
    return folder;
  }
  async function resolve(env: NodeJS.ProcessEnv) {
    const resolved = await resolveGenerator(home.dir, env, dirs);
    if (resolved.generator) opened.push(resolved.generator);
    return resolved;
  }
  const instruct = { kind: 'generator', license: 'Apache-2.0', source: 'test', instruct: true };

  beforeAll(() => writeTinyModel(tinyFile));
  afterAll(async () => {
    await Promise.all(opened.map((g) => g.close()));
    home.cleanup();
  });

  it('uses no generator and says nothing when none is configured', async () => {
    for (const value of [undefined, '', 'none', 'extractive'])
      expect(await resolve({ AIRDESK_GENERATOR: value })).toEqual({ generator: null, notices: [] });
  });

  it('loads a model folder by name, the data folder before the package', async () => {
    installModel(homeModels, 'helper', instruct);
    installModel(packageModels, 'helper', { ...instruct, kind: 'embedder' });
    const { generator, notices } = await resolve({
      AIRDESK_GENERATOR: 'helper',
      AIRDESK_GENERATOR_THREADS: '1',
    });
    expect(notices).toEqual([]);
    expect(generator?.kind).toBe('llama');
    expect(generator?.id).toBe('llama:helper');
    const result = await generator?.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 3 });
    expect(['stop', 'length']).toContain(result?.finish);
  });

  it('honours AIRDESK_GENERATOR_CONTEXT', async () => {
    installModel(packageModels, 'small-context', instruct);
    const { generator } = await resolve({
      AIRDESK_GENERATOR: 'small-context',
      AIRDESK_GENERATOR_CONTEXT: '512',
    });
    expect(generator?.contextTokens).toBe(512);
  });

  it('loads a base model but says it is not instruction-tuned', async () => {
    installModel(packageModels, 'base-model', { ...instruct, instruct: false });
    const { generator, notices } = await resolve({ AIRDESK_GENERATOR: 'base-model' });
    expect(generator).not.toBeNull();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/base-model.*not an instruction-tuned/);
  });

  it('loads an absolute .gguf path', async () => {
    const { generator, notices } = await resolve({ AIRDESK_GENERATOR: tinyFile });
    expect(notices).toEqual([]);
    expect(generator?.id).toBe('llama:tiny');
  });

  it('turns a missing model into a notice naming where it looked', async () => {
    const { generator, notices } = await resolve({ AIRDESK_GENERATOR: 'qwen-7b' });
    expect(generator).toBeNull();
    expect(notices[0]).toContain('"qwen-7b"');
    expect(notices[0]).toContain(homeModels);
    expect(notices[0]).toContain(packageModels);
    expect(notices[0]).toContain(path.join(homeModels, 'qwen-7b', 'model.gguf'));
    expect(notices[0]).toMatch(/extractive composer answers instead/);

    const missingPath = path.join(home.dir, 'gone.gguf');
    const byPath = await resolve({ AIRDESK_GENERATOR: missingPath });
    expect(byPath.generator).toBeNull();
    expect(byPath.notices[0]).toContain(missingPath);
  });

  it('turns a corrupt model file into a notice naming the file', async () => {
    const folder = installModel(homeModels, 'broken', instruct, fs.readFileSync(tinyFile).subarray(0, 5000));
    const { generator, notices } = await resolve({ AIRDESK_GENERATOR: 'broken' });
    expect(generator).toBeNull();
    expect(notices[0]).toContain(path.join(folder, 'model.gguf'));
    expect(notices[0]).toMatch(/copy the file again/i);
    expect(notices[0]).toMatch(/extractive composer answers instead/);
  });

  it('turns a missing or wrong manifest into a notice naming it', async () => {
    const noManifest = installModel(homeModels, 'no-manifest', undefined);
    const a = await resolve({ AIRDESK_GENERATOR: 'no-manifest' });
    expect(a.generator).toBeNull();
    expect(a.notices[0]).toContain(`${path.join(noManifest, 'manifest.json')} is missing`);

    const embedder = installModel(homeModels, 'an-embedder', { ...instruct, kind: 'embedder' });
    const b = await resolve({ AIRDESK_GENERATOR: 'an-embedder' });
    expect(b.generator).toBeNull();
    expect(b.notices[0]).toContain(path.join(embedder, 'manifest.json'));
    expect(b.notices[0]).toMatch(/"kind"/);
  });

  it('turns configuration mistakes into notices', async () => {
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [
        { AIRDESK_GENERATOR: 'helper', AIRDESK_GENERATOR_THREADS: 'two' },
        /AIRDESK_GENERATOR_THREADS=two is not a positive/,
      ],
      [{ AIRDESK_GENERATOR: 'helper', AIRDESK_GENERATOR_CONTEXT: '0' }, /AIRDESK_GENERATOR_CONTEXT=0/],
      [{ AIRDESK_GENERATOR: '../escape' }, /neither "none", "openai"/],
      [{ AIRDESK_GENERATOR: '/etc/passwd' }, /not a \.gguf file/],
      [{ AIRDESK_GENERATOR: 'openai' }, /needs AIRDESK_GENERATOR_URL/],
      [
        { AIRDESK_GENERATOR: 'openai', AIRDESK_GENERATOR_URL: 'gpu-box:8000' },
        /"gpu-box:8000" is not a URL|not an http/,
      ],
      [
        { AIRDESK_GENERATOR: 'openai', AIRDESK_GENERATOR_URL: 'http://10.0.0.5:8000/v1' },
        /needs AIRDESK_GENERATOR_MODEL/,
      ],
      [
        {
          AIRDESK_GENERATOR: 'openai',
          AIRDESK_GENERATOR_URL: 'http://10.0.0.5/v1',
          AIRDESK_GENERATOR_MODEL: 'm',
          AIRDESK_GENERATOR_TIMEOUT_MS: '5s',
        },
        /AIRDESK_GENERATOR_TIMEOUT_MS=5s/,
      ],
      [
        {
          AIRDESK_GENERATOR: 'openai',
          AIRDESK_GENERATOR_URL: 'http://10.0.0.5/v1',
          AIRDESK_GENERATOR_MODEL: 'm',
          AIRDESK_GENERATOR_API_KEY_ENV: 'UNSET_KEY_VAR',
        },
        /UNSET_KEY_VAR/,
      ],
    ];
    for (const [env, expected] of cases) {
      const { generator, notices } = await resolve(env);
      expect(generator, JSON.stringify(env)).toBeNull();
      expect(notices[0], JSON.stringify(env)).toMatch(expected);
      expect(notices[0]).toMatch(/extractive composer answers instead/);
    }
  });

  it('builds the OpenAI client from the environment and contacts only the configured host', async () => {
    const seen: { url?: string; auth?: string; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url, auth: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: 'hello' } }] })}\n\n`);
        res.write(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\n\n`);
        res.end('data: [DONE]\n\n');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const { port } = server.address() as AddressInfo;
      const { generator, notices } = await resolve({
        AIRDESK_GENERATOR: 'openai',
        AIRDESK_GENERATOR_URL: `http://127.0.0.1:${port}/v1`,
        AIRDESK_GENERATOR_MODEL: 'qwen2.5-7b',
        AIRDESK_GENERATOR_API_KEY_ENV: 'DESK_LLM_KEY',
        DESK_LLM_KEY: 'k-123',
        AIRDESK_GENERATOR_TIMEOUT_MS: '5000',
      });
      expect(notices).toEqual([]);
      expect(seen).toHaveLength(0);
      expect(generator?.id).toBe(`openai:http://127.0.0.1:${port}/v1#qwen2.5-7b`);
      const result = await generator?.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 5 });
      expect(result).toMatchObject({ finish: 'stop', text: 'hello' });
      expect(seen).toEqual([
        {
          url: '/v1/chat/completions',
          auth: 'Bearer k-123',
          body: expect.stringContaining('"model":"qwen2.5-7b"') as string,
        },
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });
});
