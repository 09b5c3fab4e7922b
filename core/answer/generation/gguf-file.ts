import fs from 'node:fs';
import { AppError } from '../../contract/errors.js';
import { errorText } from './generation-run.js';

const whatToDo =
  'copy a GGUF model into AIRDESK_HOME/models/<name>/model.gguf (with a manifest.json) and set AIRDESK_GENERATOR=<name>';

/**
 * Checks that `file` is a complete GGUF before llama.cpp sees it, so the admin gets an error that names the file
 * and says what is wrong (missing, not a GGUF, cut short) rather than llama.cpp's "failed to load model".
 * Reads only the header; the tensor data is checked by llama.cpp when it loads.
 */
export async function checkGgufFile(file: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new AppError('not_found', `the generator model ${file} does not exist: ${whatToDo}`);
  }
  if (!stat.isFile())
    throw new AppError('invalid_input', `the generator model ${file} is not a file: ${whatToDo}`);
  const magic = Buffer.alloc(4);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, magic, 0, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (magic.toString('latin1') !== 'GGUF')
    throw new AppError(
      'invalid_input',
      `the generator model ${file} is not a GGUF file (it does not start with "GGUF"; ${stat.size} bytes): ${whatToDo}`,
    );
  const { readGgufFileInfo } = await import('node-llama-cpp');
  let lastTensorOffset = 0;
  try {
    // 'filesystem' so a path is never taken for a URL: nothing here may reach the network.
    const info = await readGgufFileInfo(file, {
      sourceType: 'filesystem',
      spliceSplitFiles: false,
      logWarnings: false,
    });
    for (const tensor of info.tensorInfo ?? [])
      lastTensorOffset = Math.max(lastTensorOffset, Number(tensor.fileOffset));
  } catch (error) {
    throw new AppError(
      'invalid_input',
      `the generator model ${file} is damaged or cut short: its GGUF header cannot be read (${errorText(error)}). ` +
        'Copy the file again',
    );
  }
  if (lastTensorOffset >= stat.size)
    throw new AppError(
      'invalid_input',
      `the generator model ${file} is cut short (${stat.size} bytes, its weights reach past byte ${lastTensorOffset}): ` +
        'the copy or download was interrupted. Copy the file again',
    );
}

/** llama.cpp refused a file that passed the header check: name it and say what to try. */
export function unloadableModel(file: string, error: unknown): AppError {
  return new AppError(
    'invalid_input',
    `llama.cpp could not load the generator model ${file} (${errorText(error)}): it is damaged (copy it again) ` +
      'or uses an architecture this airdesk version does not support',
    { cause: error },
  );
}
