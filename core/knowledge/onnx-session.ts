import * as ort from 'onnxruntime-node';
import { AppError } from '../contract/errors.js';
import type { ModelFolder } from './embedding/model-folder.js';

/** The inputs our runners feed; a model needing anything else cannot be run. */
const supportedInputs = new Set(['input_ids', 'attention_mask', 'token_type_ids']);

/**
 * An onnxruntime session for the model at `modelPath`, set up for a worker thread that shares the machine
 * with the server: `threads` intra-op threads, sequential execution. A file onnxruntime cannot load is
 * `invalid_input` naming it.
 */
export async function createSession(modelPath: string, threads: number): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      // Spinning pool threads steal the core the main thread needs for parsing and index writes.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (error) {
    throw new AppError('invalid_input', `${modelPath} is not a model onnxruntime can load: ${String(error)}`);
  }
}

/**
 * A model folder's tokenizer (made by `makeTokenizer` from the folder) and onnxruntime session, checked to
 * take the inputs we feed. Each problem is `invalid_input` naming the file at fault.
 */
export async function openOnnxModel<Tokenizer>(
  folder: ModelFolder,
  threads: number,
  makeTokenizer: (folder: ModelFolder) => Tokenizer,
): Promise<{ tokenizer: Tokenizer; session: ort.InferenceSession }> {
  let tokenizer: Tokenizer;
  try {
    tokenizer = makeTokenizer(folder);
  } catch (error) {
    throw new AppError('invalid_input', `${folder.dir}/tokenizer.json cannot be loaded: ${String(error)}`);
  }
  const session = await createSession(folder.modelPath, threads);
  const unknown = session.inputNames.filter((name) => !supportedInputs.has(name));
  if (unknown.length > 0 || !session.inputNames.includes('input_ids'))
    throw new AppError(
      'invalid_input',
      `${folder.modelPath} takes inputs [${session.inputNames.join(', ')}]; the runner feeds input_ids, ` +
        'attention_mask and (optionally) token_type_ids — export the model with those inputs',
    );
  return { tokenizer, session };
}
