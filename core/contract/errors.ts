/**
 * Expected failures cross process and HTTP boundaries as `{ error: { code, message } }`.
 * Codes come from one closed list so callers can branch on them; extend it, never rename.
 * Bugs are thrown as ordinary errors and are not part of this list.
 */
export const errorCodes = [
  'invalid_input',
  'not_found',
  'conflict',
  'unauthorized',
  'forbidden',
  'too_large',
  'rate_limited',
  'port_in_use',
  'foreign_data_folder',
  'corrupt_database',
  'newer_database',
  'migration_failed',
  'unavailable',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** HTTP status each code maps to on the console and widget APIs. */
export const httpStatusOf: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  port_in_use: 500,
  foreign_data_folder: 500,
  corrupt_database: 500,
  newer_database: 500,
  migration_failed: 500,
  unavailable: 503,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** An expected failure: its message says what was wrong and what to do about it. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
