import chardet from 'chardet';
import iconv from 'iconv-lite';

/**
 * Bytes to text for the text formats (.txt .md .html .json .jsonl): BOMs first, then binary sniffing, then UTF-8,
 * then statistical detection for legacy encodings (windows-1252, Shift_JIS, ...), which users' old exports still use.
 */

/** How many bytes are looked at to decide the encoding and whether a file is binary. */
export const sniffBytes = 64 * 1024;

export type EncodingGuess = { encoding: string } | { failure: string };

const boms: { bytes: number[]; encoding: string }[] = [
  // UTF-32LE before UTF-16LE: its BOM starts with the UTF-16LE one.
  { bytes: [0xff, 0xfe, 0x00, 0x00], encoding: 'utf-32le' },
  { bytes: [0x00, 0x00, 0xfe, 0xff], encoding: 'utf-32be' },
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

function bomEncoding(sample: Uint8Array): string | null {
  for (const bom of boms) if (bom.bytes.every((b, i) => sample[i] === b)) return bom.encoding;
  return null;
}

/** UTF-16 without a BOM shows as NULs in every other byte; without this check it would be called binary. */
function bomlessUtf16(sample: Uint8Array): string | null {
  const pairs = Math.floor(sample.length / 2);
  if (pairs < 4) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i + 1 < sample.length; i += 2) {
    if (sample[i] === 0) evenZeros++;
    if (sample[i + 1] === 0) oddZeros++;
  }
  if (oddZeros > pairs * 0.4 && evenZeros === 0) return 'utf-16le';
  if (evenZeros > pairs * 0.4 && oddZeros === 0) return 'utf-16be';
  return null;
}

/** NUL bytes or many control characters: an executable, image or archive renamed to a text extension. */
function looksBinary(sample: Uint8Array): boolean {
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (
      (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) ||
      byte === 0x7f
    )
      control++;
  }
  return control > sample.length * 0.1;
}

function isUtf8(sample: Uint8Array, complete: boolean): boolean {
  try {
    // `stream` tolerates a multi-byte character cut off at the end of a sample.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/** Maps a detector's or a page's charset label to one iconv-lite decodes, the way browsers do. */
function usableEncoding(label: string | null | undefined): string | null {
  if (!label) return null;
  const lower = label.toLowerCase();
  // WHATWG: latin1 and ASCII labels mean windows-1252, which also maps the 0x80-0x9f quotes and dashes.
  if (lower === 'iso-8859-1' || lower === 'latin1' || lower === 'us-ascii' || lower === 'ascii')
    return 'windows-1252';
  return iconv.encodingExists(lower) ? lower : null;
}

/**
 * Decides how to decode a file from its first bytes. `complete` says the sample is the whole file;
 * `hint` is a declared charset (an HTML `<meta charset>`), trusted only when the bytes are not valid UTF-8.
 */
export function guessEncoding(sample: Uint8Array, complete: boolean, hint?: string | null): EncodingGuess {
  const bom = bomEncoding(sample);
  if (bom) return { encoding: bom };
  const utf16 = bomlessUtf16(sample);
  if (utf16) return { encoding: utf16 };
  if (looksBinary(sample)) return { failure: 'binary file' };
  if (isUtf8(sample, complete)) return { encoding: 'utf-8' };
  const declared = usableEncoding(hint);
  if (declared && declared !== 'utf-8') return { encoding: declared };
  return { encoding: usableEncoding(chardet.detect(sample)) ?? 'windows-1252' };
}

/** Decodes a whole file; the BOM, if any, is dropped. */
export function decodeBytes(bytes: Uint8Array, hint?: string | null): { text: string } | { failure: string } {
  const guess = guessEncoding(bytes.subarray(0, sniffBytes), bytes.length <= sniffBytes, hint);
  if ('failure' in guess) return guess;
  if (guess.encoding === 'utf-8') {
    // A file valid in its first 64 KiB may still be broken later; decode leniently then (U+FFFD), as editors do.
    return { text: new TextDecoder('utf-8').decode(bytes) };
  }
  return {
    text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), guess.encoding),
  };
}
