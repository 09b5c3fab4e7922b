import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../contract/errors.js';
import type { ModelManifest } from '../../contract/retrieval.js';
import { parseManifest } from './manifest.js';

export const modelFiles = {
  model: 'model.onnx',
  tokenizer: 'tokenizer.json',
  manifest: 'manifest.json',
} as const;

/** A checked ONNX model folder: everything the runner needs, read from disk. */
export interface ModelFolder {
  dir: string;
  name: string;
  manifest: ModelManifest;
  modelPath: string;
  tokenizerJson: object;
  /** tokenizer_config.json when the folder has one (some tokenizers read options from it), else {}. */
  tokenizerConfig: object;
}

/**
 * Reads and checks a model folder (SPEC.md "Models"): every file present, JSON that parses, a manifest with
 * the right fields and kind, and model.onnx matching the manifest's sha256 so a damaged or swapped file is
 * refused before it produces vectors that silently differ from the stored ones.
 */
export async function readModelFolder(dir: string, kind: ModelManifest['kind']): Promise<ModelFolder> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new AppError('not_found', `model folder ${dir} does not exist; import the model folder there`);
  const file = (name: string): string => {
    const full = path.join(dir, name);
    if (!fs.existsSync(full))
      throw new AppError(
        'not_found',
        `${full} is missing; a model folder needs ${Object.values(modelFiles).join(', ')} — copy the whole folder again`,
      );
    return full;
  };
  const manifestPath = file(modelFiles.manifest);
  const manifest = parseManifest(fs.readFileSync(manifestPath, 'utf8'), manifestPath);
  if (manifest.kind !== kind)
    throw new AppError(
      'invalid_input',
      `${manifestPath} describes a model of kind "${manifest.kind}", not "${kind}"`,
    );
  const modelPath = file(modelFiles.model);
  const tokenizerJson = readJsonObject(file(modelFiles.tokenizer));
  const configPath = path.join(dir, 'tokenizer_config.json');
  const tokenizerConfig = fs.existsSync(configPath) ? readJsonObject(configPath) : {};
  const actual = await sha256File(modelPath);
  if (actual !== manifest.sha256)
    throw new AppError(
      'invalid_input',
      `${modelPath} does not match the sha256 in ${manifestPath} (file is ${actual}): it is damaged or was ` +
        'replaced; copy the model folder again, or put the new file’s sha256 in the manifest',
    );
  return { dir, name: path.basename(dir), manifest, modelPath, tokenizerJson, tokenizerConfig };
}

function readJsonObject(file: string): object {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('not a JSON object');
    return value;
  } catch (error) {
    throw new AppError(
      'invalid_input',
      `${file} is not valid JSON (${(error as Error).message}); copy the model folder again`,
    );
  }
}

/** sha256 of a file, hex, streamed so a large model never sits in memory twice. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
