/** A mistake in how the CLI was called: exit code 2 and one line saying what is accepted (SPEC.md). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Help or version was printed: not an error, exit 0. */
export class HelpShown extends Error {
  override readonly name = 'HelpShown';
}

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;
