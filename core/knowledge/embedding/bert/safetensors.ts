import fs from 'node:fs';

/** One tensor read from a safetensors file, widened to float32 (the graph and the reference both want it). */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/**
 * Reads the float tensors of a safetensors file: an 8-byte little-endian header length, a JSON header, then raw
 * little-endian tensors. F16 and BF16 are widened so half-precision exports convert too; integer tensors
 * (e.g. BERT's `position_ids` buffer) are skipped because no weight is stored that way.
 */
export function readSafetensors(file: string): Map<string, NamedTensor> {
  const bytes = fs.readFileSync(file);
  if (bytes.length < 8) throw new Error(`${file} is too short to be a safetensors file`);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (headerLength <= 0 || 8 + headerLength > bytes.length)
    throw new Error(`${file} has a header length (${headerLength}) beyond the end of the file`);
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    HeaderEntry | Record<string, string>
  >;
  const base = 8 + headerLength;
  const tensors = new Map<string, NamedTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = entry as HeaderEntry;
    const start = base + offsets[0];
    const end = base + offsets[1];
    if (end > bytes.length) throw new Error(`${file}: tensor ${name} runs past the end of the file`);
    const raw = bytes.subarray(start, end);
    const data = widen(dtype, raw);
    if (data === null) continue;
    const count = shape.reduce((a, b) => a * b, 1);
    if (data.length !== count)
      throw new Error(`${file}: tensor ${name} holds ${data.length} values, not ${count}`);
    tensors.set(name, { shape, data });
  }
  return tensors;
}

function widen(dtype: string, raw: Buffer): Float32Array | null {
  // Copy into an aligned buffer: tensors may start at any byte offset inside the file.
  const aligned = new Uint8Array(raw).buffer;
  if (dtype === 'F32') return new Float32Array(aligned);
  if (dtype === 'F16') return Float32Array.from(new Uint16Array(aligned), halfToFloat);
  if (dtype === 'BF16') {
    const halves = new Uint16Array(aligned);
    const words = new Uint32Array(halves.length);
    for (let i = 0; i < halves.length; i++) words[i] = (halves[i] ?? 0) << 16;
    return new Float32Array(words.buffer);
  }
  return null;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Writes float32 tensors as a safetensors file (the tiny test model is stored the way real exports are). */
export function writeSafetensors(file: string, tensors: Map<string, NamedTensor>): void {
  const header: Record<string, HeaderEntry> = {};
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const parts: Uint8Array[] = [length, Buffer.from(json, 'utf8')];
  for (const t of tensors.values())
    parts.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  fs.writeFileSync(file, Buffer.concat(parts));
}
