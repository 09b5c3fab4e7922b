import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { TextGenerator } from '../../contract/answer.js';
import { defaultModelDirs } from '../../knowledge/embedding/registry.js';
import { errorText } from './generation-run.js';
import { loadLlamaGenerator } from './llama-generator.js';
import { chatCompletionsUrl, createOpenAiGenerator } from './openai-generator.js';

export interface ResolvedGenerator {
  /** null: the extractive composer answers. */
  generator: TextGenerator | null;
  /** For the agent: what is wrong with the configured generator, or what to know about it. */
  notices: string[];
}

/** manifest.json of a generator model folder. */
const generatorManifestSchema = z.looseObject({
  kind: z.literal('generator'),
  license: z.string().min(1),
  source: z.string().optional(),
  instruct: z.boolean(),
});
export type GeneratorManifest = z.infer<typeof generatorManifestSchema>;

/** A problem with the configuration, turned into a notice by resolveGenerator. */
class ConfigProblem extends Error {}

const fallback = 'The extractive composer answers instead.';
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The text generator the configuration asks for (environment variables, SPEC "Models"):
 * - `AIRDESK_GENERATOR` unset, `none` or `extractive`: no generator; the extractive composer answers.
 * - a model folder name, looked up in `dirs` (AIRDESK_HOME/models, then the package's models/): a folder with
 *   model.gguf and manifest.json `{kind: 'generator', license, source?, instruct}`.
 * - an absolute path to a .gguf file.
 * - `openai`: an OpenAI-compatible server at `AIRDESK_GENERATOR_URL` serving `AIRDESK_GENERATOR_MODEL`, the API
 *   key in the variable named by `AIRDESK_GENERATOR_API_KEY_ENV`, `AIRDESK_GENERATOR_TIMEOUT_MS` per answer.
 * llama.cpp models take `AIRDESK_GENERATOR_THREADS` and `AIRDESK_GENERATOR_CONTEXT`.
 *
 * Never throws for a missing or broken model or a configuration mistake: it returns no generator and a notice
 * saying what was wrong, so the desk keeps answering. Nothing is contacted here; the server is first contacted
 * by a generation.
 */
export async function resolveGenerator(
  home: string,
  env: NodeJS.ProcessEnv = process.env,
  dirs: string[] = defaultModelDirs(home),
): Promise<ResolvedGenerator> {
  const setting = env.AIRDESK_GENERATOR?.trim() ?? '';
  if (setting === '' || setting === 'none' || setting === 'extractive')
    return { generator: null, notices: [] };
  try {
    if (setting === 'openai') return { generator: openAiFromEnv(env), notices: [] };
    const threads = positiveInteger(env, 'AIRDESK_GENERATOR_THREADS');
    const contextTokens = positiveInteger(env, 'AIRDESK_GENERATOR_CONTEXT');
    const tuning = { ...(threads ? { threads } : {}), ...(contextTokens ? { contextTokens } : {}) };
    if (path.isAbsolute(setting)) {
      if (!setting.endsWith('.gguf'))
        throw new ConfigProblem(`AIRDESK_GENERATOR=${setting} is a path but not a .gguf file`);
      return { generator: await loadLlamaGenerator({ modelPath: setting, ...tuning }), notices: [] };
    }
    if (!namePattern.test(setting))
      throw new ConfigProblem(
        `AIRDESK_GENERATOR=${setting} is neither "none", "openai", a model folder name nor an absolute path to a .gguf file`,
      );
    const folder = findModelFolder(setting, dirs);
    const manifest = readGeneratorManifest(folder);
    const generator = await loadLlamaGenerator({
      modelPath: path.join(folder, 'model.gguf'),
      name: setting,
      ...tuning,
    });
    const notices = manifest.instruct
      ? []
      : [
          `The generator "${setting}" is a base (pretrained) model, not an instruction-tuned one: its drafts may ` +
            'ramble or repeat the question. Use an instruct model for answers.',
        ];
    return { generator, notices };
  } catch (error) {
    return {
      generator: null,
      notices: [`The generator "${setting}" is not used: ${errorText(error)}. ${fallback}`],
    };
  }
}

function openAiFromEnv(env: NodeJS.ProcessEnv): TextGenerator {
  const baseUrl = env.AIRDESK_GENERATOR_URL?.trim();
  const model = env.AIRDESK_GENERATOR_MODEL?.trim();
  if (!baseUrl)
    throw new ConfigProblem(
      'AIRDESK_GENERATOR=openai needs AIRDESK_GENERATOR_URL (e.g. http://10.0.0.5:8000/v1)',
    );
  chatCompletionsUrl(baseUrl);
  if (!model)
    throw new ConfigProblem(
      'AIRDESK_GENERATOR=openai needs AIRDESK_GENERATOR_MODEL (the model name the server serves)',
    );
  const timeoutMs = positiveInteger(env, 'AIRDESK_GENERATOR_TIMEOUT_MS');
  const apiKeyEnv = env.AIRDESK_GENERATOR_API_KEY_ENV?.trim();
  return createOpenAiGenerator({
    baseUrl,
    model,
    env,
    ...(apiKeyEnv ? { apiKeyEnv } : {}),
    // The first token may not take longer than the whole answer may.
    ...(timeoutMs ? { timeoutMs, firstTokenTimeoutMs: Math.min(timeoutMs, 30_000) } : {}),
  });
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new ConfigProblem(`${name}=${text} is not a positive whole number`);
  return Number(text);
}

/** The first `<dir>/<name>/` that exists; its absence is reported with every place looked at. */
function findModelFolder(name: string, dirs: string[]): string {
  for (const dir of dirs) {
    const folder = path.join(dir, name);
    if (fs.existsSync(folder)) return folder;
  }
  throw new ConfigProblem(
    `no model folder "${name}" in ${dirs.join(' or ')}; copy a GGUF model to ${path.join(dirs[0] ?? 'models', name, 'model.gguf')} ` +
      'with a manifest.json {"kind": "generator", "license", "instruct"}',
  );
}

function readGeneratorManifest(folder: string): GeneratorManifest {
  const file = path.join(folder, 'manifest.json');
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'is missing'
        : `is not valid JSON (${errorText(error)})`;
    throw new ConfigProblem(
      `${file} ${why}; it needs {"kind": "generator", "license", "instruct": true|false}`,
    );
  }
  const parsed = generatorManifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `"${i.path.join('.') || '(root)'}" ${i.message}`);
    throw new ConfigProblem(
      `${file} is not a generator manifest (${problems.join('; ')}); it needs {"kind": "generator", "license", "instruct": true|false}`,
    );
  }
  return parsed.data;
}
