import { AppError } from '../contract/errors.js';
import { buildProgram } from './program.js';
import { exitCodes, HelpShown, UsageError } from './usage-error.js';

/**
 * Runs the CLI and returns the exit code: 0 ok, 1 failure, 2 usage. Every failure is one line on stderr that
 * says what was wrong and what to do (SPEC.md).
 */
export async function runCli(
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process,
): Promise<number> {
  const state = { exitCode: exitCodes.ok as number };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof HelpShown) return exitCodes.ok;
    if (error instanceof UsageError) {
      io.stderr.write(`airdesk: ${error.message}\n`);
      return exitCodes.usage;
    }
    if (error instanceof AppError) {
      io.stderr.write(`airdesk: ${error.message}\n`);
      return exitCodes.failure;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`airdesk: unexpected error: ${message.split('\n')[0]} (please report it with the log)\n`);
    if (process.env.AIRDESK_DEBUG) io.stderr.write(`${(error as Error).stack}\n`);
    return exitCodes.failure;
  }
}
