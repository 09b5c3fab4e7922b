import fs from 'node:fs';
import readline from 'node:readline';
import type { z } from 'zod';

export type JsonlItem<T> = { line: number; value: T } | { line: number; error: string };

/**
 * The records of a JSONL batch file, streamed, each validated by `schema`. A bad line becomes an error item
 * naming what was expected, so a batch reports it and goes on rather than stopping at the first typo.
 */
export async function* readJsonl<T>(
  file: string,
  schema: z.ZodType<T>,
  expected: string,
): AsyncGenerator<JsonlItem<T>> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const raw of lines) {
    n += 1;
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
      const where = issue && issue.path.length > 0 ? ` (${issue.path.join('.')}: ${issue.message})` : '';
      yield { line: n, error: `expected ${expected}${where}` };
      continue;
    }
    yield { line: n, value: parsed.data };
  }
}

/** `_id` as BEIR and our batch formats use it: a string or number, printed back as a string. */
export function idOf(value: string | number): string {
  return typeof value === 'number' ? String(value) : value;
}
