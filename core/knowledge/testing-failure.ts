import { AppError, type ErrorCode } from '../contract/errors.js';

/**
 * For tests: the AppError `promise` rejects with, as code and message. Anything else (a result, a plain
 * Error from a bug) fails the test, so a check on a model folder cannot pass by accident.
 */
export async function failure(promise: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}
