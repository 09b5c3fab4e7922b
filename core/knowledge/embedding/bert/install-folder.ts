import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ModelManifest } from '../../../contract/retrieval.js';
import { modelFiles } from '../model-folder.js';

/** What goes into a model folder besides the manifest's sha256, which is computed here from `model`. */
export interface ModelFolderContent {
  model: Uint8Array;
  tokenizerJson: string;
  manifest: Omit<ModelManifest, 'sha256'>;
  /** Further files to keep beside the model (tokenizer_config.json, the licence text). */
  extraFiles?: Record<string, string>;
}

/**
 * Writes `<parent>/<name>/` so a reader sees the old folder or the complete new one, never a half-written
 * one: the folder is built under a temporary name and renamed into place. Returns the manifest written.
 */
export function installModelFolder(parent: string, name: string, content: ModelFolderContent): ModelManifest {
  fs.mkdirSync(parent, { recursive: true });
  const suffix = randomBytes(6).toString('hex');
  const building = path.join(parent, `.${name}.building-${suffix}`);
  const final = path.join(parent, name);
  const manifest: ModelManifest = {
    ...content.manifest,
    sha256: createHash('sha256').update(content.model).digest('hex'),
  };
  try {
    fs.mkdirSync(building);
    fs.writeFileSync(path.join(building, modelFiles.model), content.model);
    fs.writeFileSync(path.join(building, modelFiles.tokenizer), content.tokenizerJson);
    for (const [file, text] of Object.entries(content.extraFiles ?? {}))
      fs.writeFileSync(path.join(building, file), text);
    fs.writeFileSync(path.join(building, modelFiles.manifest), JSON.stringify(manifest, null, 2) + '\n');
    // A folder cannot be renamed over a non-empty one: move the old one aside first, then drop it.
    const old = path.join(parent, `.${name}.old-${suffix}`);
    const hadOld = fs.existsSync(final);
    if (hadOld) fs.renameSync(final, old);
    fs.renameSync(building, final);
    if (hadOld) fs.rmSync(old, { recursive: true, force: true });
  } catch (error) {
    fs.rmSync(building, { recursive: true, force: true });
    throw error;
  }
  return manifest;
}
