import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Embedder } from '../../contract/retrieval.js';
import { augment, seededRandom } from './augment.js';
import { sparseDims, sparseFeatures } from './features.js';
import { trainHeads, trainingSets, trainingSettings, type TrainedHeads, type TrainingSets } from './heads.js';
import { SoftmaxModel, type ModelWeights } from './linear-model.js';

/**
 * On-disk cache of the trained heads. Training is a pure function of (examples, settings, code, embedding
 * model), so its result is stored under a sha256 of exactly those and a second start loads it in
 * milliseconds instead of training for one to three seconds. A file that is corrupt, truncated or for other
 * inputs is ignored and replaced; it never stops the classifier from starting.
 *
 * File layout (one file per key, little-endian on every supported platform; the header says which):
 *   8 bytes  magic "ADESKHC\n"
 *   u32      fileFormatVersion
 *   u32      header length H
 *   H bytes  header JSON (CacheHeader)
 *   per head, in headOrder: bias f64[classes], buckets i32[nnz], sparse f32[nnz × classes],
 *                           dense f32[classes × denseDims]
 */

/**
 * Bump whenever a change to features.ts, augment.ts, linear-model.ts or the training code in heads.ts would
 * make the same examples train to different weights. (The examples and settings are hashed themselves, and
 * a probe of the feature and augmentation functions is too, as a safety net for a forgotten bump.)
 */
export const headsCodeVersion = 1;
const fileFormatVersion = 1;
const magic = Buffer.from('ADESKHC\n', 'latin1');
const headOrder = ['wantsHuman', 'sentiment', 'critical'] as const;
type HeadName = (typeof headOrder)[number];
const filePrefix = 'escalation-heads-';
/** Temp files older than this are left-overs of a killed writer, not a concurrent one. */
const staleTempMs = 60 * 60 * 1000;

interface CacheHeader {
  key: string;
  embedderId: string | null;
  endianness: 'LE' | 'BE';
  sparseDims: number;
  heads: Record<HeadName, { classes: number; nnz: number; denseDims: number }>;
}

/** What happened with the cache file on this start, for logs and `airdesk doctor`-style reporting. */
export interface HeadsCacheReport {
  file: string;
  /** 'loaded': read from the file; 'written': trained and saved; 'write-failed': trained, saving failed. */
  outcome: 'loaded' | 'written' | 'write-failed';
  /** Why an existing file was not used (corrupt or mismatched), or why writing failed. */
  note?: string;
  /** Size of the file read or written, in bytes. */
  bytes?: number;
}

export interface LoadedHeads {
  heads: TrainedHeads;
  source: 'cache' | 'trained';
  cache: HeadsCacheReport | null;
}

export interface LoadOrTrainOptions {
  /** Folder for the cache file (created if missing); absent: always train, nothing on disk. */
  cacheDir?: string | undefined;
  /** The trainer; tests inject a counting one. */
  train?: (embedder: Embedder | null, sets: TrainingSets) => Promise<TrainedHeads>;
}

/** A few inputs run through the feature and augmentation code, so a behaviour change there changes the key. */
function codeProbe(): unknown {
  const texts = ['Can I talk to a HUMAN pleeease?!', 'Mon compte a été suspendu', 'talkto someone now'];
  const random = seededRandom(42);
  return texts.map((text) => {
    const f = sparseFeatures(text);
    return { i: [...f.indices], v: [...f.values], a: augment(text, 6, random) };
  });
}

/** sha256 (hex) over everything the trained heads depend on. */
export function headsCacheKey(embedder: Embedder | null, sets: TrainingSets): string {
  const inputs = {
    codeVersion: headsCodeVersion,
    fileFormatVersion,
    sparseDims,
    embedder: embedder ? { modelId: embedder.modelId, dims: embedder.dims } : 'none',
    settings: trainingSettings,
    sets: headOrder.map((h) => sets[h].map((e) => [e.label, e.text])),
    probe: codeProbe(),
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

/** `escalation-heads-<model>-<key>.bin`: the model part only makes the folder readable and pruning per model. */
function fileStem(embedder: Embedder | null): string {
  if (!embedder) return `${filePrefix}none-`;
  const readable = embedder.modelId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 48);
  const id = createHash('sha256').update(embedder.modelId).digest('hex').slice(0, 8);
  return `${filePrefix}${readable}.${id}-`;
}

export function headsCacheFile(cacheDir: string, embedder: Embedder | null, key: string): string {
  return path.join(cacheDir, `${fileStem(embedder)}${key}.bin`);
}

// --- encoding ---------------------------------------------------------------------------------------------

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

export function encodeHeads(heads: TrainedHeads, key: string): Buffer {
  const weights = Object.fromEntries(headOrder.map((h) => [h, heads[h].exportWeights()])) as Record<
    HeadName,
    ModelWeights
  >;
  const header: CacheHeader = {
    key,
    embedderId: heads.embedderId,
    endianness: os.endianness(),
    sparseDims,
    heads: Object.fromEntries(
      headOrder.map((h) => [
        h,
        {
          classes: weights[h].classes,
          nnz: weights[h].sparseIndices.length,
          denseDims: weights[h].denseDims,
        },
      ]),
    ) as CacheHeader['heads'],
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const fixed = Buffer.alloc(16);
  magic.copy(fixed, 0);
  fixed.writeUInt32LE(fileFormatVersion, 8);
  fixed.writeUInt32LE(json.length, 12);
  const parts: Buffer[] = [fixed, json];
  for (const h of headOrder) {
    const w = weights[h];
    parts.push(bytesOf(w.bias), bytesOf(w.sparseIndices), bytesOf(w.sparseValues), bytesOf(w.denseWeights));
  }
  return Buffer.concat(parts);
}

/** Copies `count` elements out of `buf` (copying also fixes alignment for the typed array). */
function take<T>(
  buf: Buffer,
  at: { offset: number },
  count: number,
  make: new (b: ArrayBuffer) => T,
  size: number,
): T {
  const start = buf.byteOffset + at.offset;
  const end = start + count * size;
  if (at.offset + count * size > buf.length) throw new Error('file is truncated');
  at.offset += count * size;
  return new make(buf.buffer.slice(start, end) as ArrayBuffer);
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

function allFinite(values: Float32Array | Float64Array): boolean {
  for (const v of values) if (!Number.isFinite(v)) return false;
  return true;
}

/**
 * Decodes and validates a cache file against what the caller expects; throws with the reason when the file
 * is not usable (wrong magic or version, other key, other embedder, inconsistent lengths, non-finite weights).
 */
export function decodeHeads(buf: Buffer, expected: { key: string; embedder: Embedder | null }): TrainedHeads {
  if (buf.length < 16 || !buf.subarray(0, 8).equals(magic)) throw new Error('not a heads cache file');
  const version = buf.readUInt32LE(8);
  if (version !== fileFormatVersion) throw new Error(`file format ${version}, expected ${fileFormatVersion}`);
  const headerLength = buf.readUInt32LE(12);
  if (16 + headerLength > buf.length) throw new Error('file is truncated');
  const header = JSON.parse(buf.subarray(16, 16 + headerLength).toString('utf8')) as Partial<CacheHeader>;
  if (header.key !== expected.key) throw new Error('key does not match the training inputs');
  const embedderId = expected.embedder?.modelId ?? null;
  if (header.embedderId !== embedderId) throw new Error('trained with another embedder');
  if (header.endianness !== os.endianness()) throw new Error('written on a machine of other endianness');
  if (header.sparseDims !== sparseDims) throw new Error('sparse dimension differs');
  const denseDims = expected.embedder?.dims ?? 0;
  const at = { offset: 16 + headerLength };
  const models = {} as Record<HeadName, SoftmaxModel>;
  for (const h of headOrder) {
    const shape = header.heads?.[h];
    const classes = trainingSettings.heads[h].classes.length;
    if (!shape || shape.classes !== classes || shape.denseDims !== denseDims || !isCount(shape.nnz))
      throw new Error(`head ${h} has another shape`);
    const bias = take(buf, at, classes, Float64Array, 8);
    const sparseIndices = take(buf, at, shape.nnz, Int32Array, 4);
    const sparseValues = take(buf, at, shape.nnz * classes, Float32Array, 4);
    const denseWeights = take(buf, at, classes * denseDims, Float32Array, 4);
    if (!allFinite(bias) || !allFinite(sparseValues) || !allFinite(denseWeights))
      throw new Error(`head ${h} has non-finite weights`);
    models[h] = SoftmaxModel.fromWeights({
      classes,
      sparseIndices,
      sparseValues,
      denseDims,
      denseWeights,
      bias,
    });
  }
  if (at.offset !== buf.length) throw new Error('file has trailing bytes');
  return { ...models, embedderId };
}

// --- files ------------------------------------------------------------------------------------------------

/** Writes `data` to a temp file in the same folder, flushes it, then renames it over `file` (atomic). */
async function writeAtomically(file: string, data: Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Removes this model's files for other keys (older examples or code) and temp files of killed writers. */
async function pruneStale(cacheDir: string, embedder: Embedder | null, keep: string): Promise<void> {
  const stem = fileStem(embedder);
  const names = await fs.readdir(cacheDir).catch(() => [] as string[]);
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(stem) || path.join(cacheDir, name) === keep) continue;
    const file = path.join(cacheDir, name);
    if (name.endsWith('.tmp')) {
      const stat = await fs.stat(file).catch(() => null);
      if (!stat || now - stat.mtimeMs < staleTempMs) continue;
    } else if (!name.endsWith('.bin')) continue;
    await fs.rm(file, { force: true }).catch(() => undefined);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The heads for `embedder`: read from `cacheDir` when a valid file for the current inputs is there, otherwise
 * trained and written there (atomically; a write failure is reported, not thrown).
 */
export async function loadOrTrainHeads(
  embedder: Embedder | null,
  options: LoadOrTrainOptions = {},
): Promise<LoadedHeads> {
  const train = options.train ?? trainHeads;
  const sets = trainingSets();
  if (!options.cacheDir) return { heads: await train(embedder, sets), source: 'trained', cache: null };

  const key = headsCacheKey(embedder, sets);
  const file = headsCacheFile(options.cacheDir, embedder, key);
  let note: string | undefined;
  try {
    const buf = await fs.readFile(file);
    const heads = decodeHeads(buf, { key, embedder });
    return { heads, source: 'cache', cache: { file, outcome: 'loaded', bytes: buf.length } };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      note = `ignored the cache file: ${message(error)}`;
  }

  const heads = await train(embedder, sets);
  const data = encodeHeads(heads, key);
  try {
    await writeAtomically(file, data);
  } catch (error) {
    const failed = `could not write the cache file: ${message(error)}`;
    return {
      heads,
      source: 'trained',
      cache: { file, outcome: 'write-failed', note: note ? `${note}; ${failed}` : failed },
    };
  }
  await pruneStale(options.cacheDir, embedder, file);
  return {
    heads,
    source: 'trained',
    cache: { file, outcome: 'written', bytes: data.length, ...(note ? { note } : {}) },
  };
}
