import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { guessEncoding, sniffBytes } from '../decode.js';
import type { ParseResult } from '../types.js';
import { defaultMaxLineBytes, formatSize, messageOf, parseFailure, unreadableReason } from '../types.js';
import { splitLines } from './lines.js';
import { recordToDocument, SeenIds } from './records.js';

async function readSample(path: string): Promise<{ sample: Uint8Array; complete: boolean }> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(sniffBytes);
    const { bytesRead } = await file.read(buffer, 0, sniffBytes, 0);
    return { sample: buffer.subarray(0, bytesRead), complete: bytesRead < sniffBytes };
  } finally {
    await file.close();
  }
}

/** The file as decoded text chunks; iconv's streaming decoder keeps characters split across chunks whole. */
async function* decodedChunks(path: string, encoding: string): AsyncGenerator<string> {
  const decoder = iconv.getDecoder(encoding);
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const text = decoder.write(chunk as Buffer);
    if (text) yield text;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}

/**
 * Streams a .jsonl file, one `{_id or id, title?, text}` record per line, in bounded memory whatever the file's
 * size: only one line (at most `maxLineBytes`) and the set of ids seen are held. A bad line fails that record
 * alone, with its line number; blank lines are ignored. A read error part-way fails the rest of the file.
 */
export async function* parseJsonlRecords(
  path: string,
  options: { maxLineBytes?: number; signal?: AbortSignal } = {},
): AsyncGenerator<ParseResult> {
  const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
  let guess;
  try {
    const { sample, complete } = await readSample(path);
    guess = guessEncoding(sample, complete);
  } catch (error) {
    yield parseFailure(path, unreadableReason(error));
    return;
  }
  if ('failure' in guess) {
    yield parseFailure(path, guess.failure);
    return;
  }
  const seen = new SeenIds();
  let records = 0;
  try {
    // Characters, not bytes, are counted per line: the bound is approximate (x1-4) but needs no re-encoding.
    for await (const line of splitLines(decodedChunks(path, guess.encoding), maxLineBytes)) {
      options.signal?.throwIfAborted();
      const at = { line: line.number };
      if (line.text !== null && !line.text.trim()) continue;
      records++;
      if (line.text === null) {
        yield parseFailure(path, `line ${line.number}: too long (over ${formatSize(maxLineBytes)})`);
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch (error) {
        yield parseFailure(path, `line ${line.number}: invalid JSON (${messageOf(error)})`);
        continue;
      }
      const result = recordToDocument(value, path, at);
      yield 'failure' in result ? result : (seen.check(result, at) ?? result);
    }
  } catch (error) {
    if (options.signal?.aborted) throw error;
    yield parseFailure(path, unreadableReason(error));
    return;
  }
  if (records === 0) yield parseFailure(path, 'empty document (no records)');
}
