/**
 * Sparse features for short support messages that survive typos, run-on words and paraphrase: hashed
 * character 3–5-grams over the whole normalised text (a misspelt word still shares most of its grams with the
 * right one, and "talkto" shares grams with "talk to"), plus word unigrams and bigrams. Hashing keeps the
 * model a fixed size without a vocabulary file.
 */

/** Number of hash buckets for the sparse part; 2^18 keeps collisions rare at a few thousand training texts. */
export const sparseDims = 1 << 18;

/** A sparse vector: parallel index and value arrays, indices unique. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

const charWeight = 1;
const wordWeight = 0.8;

/** Lower case, accents and apostrophes folded, letters repeated 3+ times cut to 2, punctuation to spaces. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/(.)\1{2,}/g, '$1$1')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** 32-bit FNV-1a: stable across runs and platforms, so a trained model means the same everywhere. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function addGroup(into: Map<number, number>, keys: string[], weight: number): void {
  if (keys.length === 0) return;
  const counts = new Map<number, number>();
  for (const key of keys) {
    const bucket = fnv1a(key) % sparseDims;
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  // Square-root term frequency, then unit length per group: long messages do not drown short ones.
  let norm = 0;
  for (const c of counts.values()) norm += c;
  const scale = weight / Math.sqrt(norm);
  for (const [bucket, c] of counts) into.set(bucket, (into.get(bucket) ?? 0) + Math.sqrt(c) * scale);
}

/** The hashed character and word features of one message. */
export function sparseFeatures(text: string): SparseVector {
  const normalized = normalizeText(text);
  const words = normalized.split(' ').filter(Boolean);
  const padded = ` ${normalized} `;
  const chars: string[] = [];
  for (let n = 3; n <= 5; n++)
    for (let i = 0; i + n <= padded.length; i++) chars.push('c' + padded.slice(i, i + n));
  const wordKeys: string[] = words.map((w) => 'w' + w);
  for (let i = 0; i + 1 < words.length; i++) wordKeys.push(`b${words[i]}_${words[i + 1]}`);
  if (words.length === 0) wordKeys.push('<empty>');

  const merged = new Map<number, number>();
  addGroup(merged, chars, charWeight);
  addGroup(merged, wordKeys, wordWeight);
  const entries = [...merged.entries()].sort((a, b) => a[0] - b[0]);
  return {
    indices: Int32Array.from(entries.map((e) => e[0])),
    values: Float32Array.from(entries.map((e) => e[1])),
  };
}
