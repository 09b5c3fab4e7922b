import fs from 'node:fs';
import readline from 'node:readline';
import type { z } from 'zod';
import { AppError } from '../contract/errors.js';
import { UsageError } from './usage-error.js';

export type JsonlItem<T> = { line: number; value: T } | { line: number; error: string };

/**
 * Checks a `--batch FILE` argument before any model is loaded: a missing path or a folder is a usage error
 * (exit 2) naming the path, not a stack trace halfway through the batch.
 */
export function checkBatchFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(
      `--batch: no such file ${file}; give the path of a JSONL file (one JSON object a line)`,
    );
  }
  // Only a folder is refused: a pipe (`--batch /dev/stdin`, `<(...)`) streams like a file.
  if (stat.isDirectory()) {
    throw new UsageError(`--batch: ${file} is a folder, not a file; give the path of a JSONL file`);
  }
}

/**
 * The records of a JSONL batch file, streamed, each validated by `schema`. A bad line becomes an error item
 * naming what was expected, so a batch reports it and goes on rather than stopping at the first typo.
 * A UTF-8 byte-order mark (as Windows editors write) and CRLF line ends are accepted.
 */
export async function* readJsonl<T>(
  file: string,
  schema: z.ZodType<T>,
  expected: string,
): AsyncGenerator<JsonlItem<T>> {
  const input = fs.createReadStream(file, 'utf8');
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const read of lines) {
      n += 1;
      const raw = n === 1 ? read.replace(/^\uFEFF/, '') : read;
      if (raw.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        yield { line: n, error: 'not valid JSON' };
        continue;
      }
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = !issue
          ? ''
          : issue.path.length > 0
            ? ` (${issue.path.join('.')}: ${issue.message})`
            : ` (${issue.message})`;
        yield { line: n, error: `expected ${expected}${where}` };
        continue;
      }
      yield { line: n, value: parsed.data };
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code ?? (error instanceof Error ? error.message : String(error));
    throw new AppError(
      'invalid_input',
      `cannot read ${file} (${why}); check that it is a readable text file`,
    );
  } finally {
    lines.close();
    input.destroy();
  }
}

/** `_id` as BEIR and our batch formats use it: a string or number, printed back as a string. */
export function idOf(value: string | number): string {
  return typeof value === 'number' ? String(value) : value;
}
