import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBytes, guessEncoding } from './decode.js';

const text = 'Grüße aus Köln – “quotes”, café, 5 €.';

describe('decodeBytes', () => {
  it('decodes UTF-8 with and without a BOM', () => {
    expect(decodeBytes(Buffer.from(text))).toEqual({ text });
    expect(decodeBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toEqual({
      text,
    });
  });

  it('decodes UTF-16 LE/BE and UTF-32 by their BOMs, and UTF-16 LE without one', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le).swap16();
    expect(decodeBytes(le)).toEqual({ text });
    expect(decodeBytes(be)).toEqual({ text });
    expect(decodeBytes(iconv.encode(text, 'utf-32le', { addBOM: true }))).toEqual({ text });
    expect(decodeBytes(Buffer.from(text, 'utf16le'))).toEqual({ text });
  });

  it('detects windows-1252 / latin1 text that is not valid UTF-8', () => {
    const legacy =
      'Les élèves étaient déjà à l’école. Ça coûte 5 € – très cher, n’est-ce pas? Hôtel, forêt, maïs.';
    expect(decodeBytes(iconv.encode(legacy, 'windows-1252'))).toEqual({ text: legacy });
    expect(decodeBytes(iconv.encode('Größe: Maße übergeben, schön.', 'latin1'))).toEqual({
      text: 'Größe: Maße übergeben, schön.',
    });
  });

  it('prefers a declared charset over guessing', () => {
    expect(decodeBytes(iconv.encode('naïve', 'windows-1252'), 'windows-1252')).toEqual({ text: 'naïve' });
  });

  it('calls NUL bytes or many control characters binary', () => {
    expect(
      decodeBytes(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d])),
    ).toEqual({ failure: 'binary file' });
    expect(decodeBytes(Buffer.from('ab\x01\x02\x03\x04cd\x05\x06', 'latin1'))).toEqual({
      failure: 'binary file',
    });
  });

  it('tolerates a multi-byte character cut at the end of a sample', () => {
    const sample = Buffer.from('€uro €').subarray(0, -1);
    expect(guessEncoding(sample, false)).toEqual({ encoding: 'utf-8' });
  });
});
