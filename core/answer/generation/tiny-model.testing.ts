import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../package-root.js';

/**
 * Writes the tiny random llama GGUF of scripts/make-tiny-gguf.ts to `file` (core/ may not import scripts/, so
 * the script runs as its own process). With `withoutTemplate`, the chat template key is renamed in place (same
 * length, so the file stays valid) to stand for a GGUF that has none.
 */
export function writeTinyModel(file: string, { withoutTemplate = false } = {}): void {
  const script = path.join(packageRoot, 'scripts', 'make-tiny-gguf.ts');
  const made = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), script, file], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`make-tiny-gguf failed: ${made.stderr}`);
  if (!withoutTemplate) return;
  const bytes = fs.readFileSync(file);
  const key = Buffer.from('tokenizer.chat_template');
  const at = bytes.indexOf(key);
  if (at < 0) throw new Error('the tiny GGUF has no chat template key');
  Buffer.from('tokenizer.chat_templatX').copy(bytes, at);
  fs.writeFileSync(file, bytes);
}
