import type { CommanderError } from 'commander';
import { Command } from 'commander';
import { resolveHome } from '../home/data-folder.js';
import { packageVersion } from '../package-root.js';
import { registerAsk } from './commands/ask.js';
import { registerClassify } from './commands/classify.js';
import { registerConnectors } from './commands/connectors.js';
import { registerGrounding } from './commands/grounding.js';
import { registerIngest } from './commands/ingest.js';
import { registerSearch } from './commands/search.js';
import { registerServe } from './commands/serve.js';
import { registerSync } from './commands/sync.js';
import { registerTenants } from './commands/tenants.js';
import { registerWidgetKeys } from './commands/widget-keys.js';
import { createOutput, type Output } from './output.js';
import { HelpShown, UsageError } from './usage-error.js';

export interface CliContext {
  home: string;
  output: Output;
  /** A command that finished but partly failed (e.g. some queries of a batch) sets exitCode 1 here. */
  state: { exitCode: number };
}

/**
 * Builds the `airdesk` command tree. Commander's own error printing is silenced: every usage mistake becomes
 * one UsageError line naming what is accepted, so scripts see exactly one line and exit code 2.
 */
export function buildProgram(
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  state: { exitCode: number } = { exitCode: 0 },
): Command {
  const program = new Command('airdesk')
    .description('airdesk: the on-prem, air-gapped AI support desk')
    .version(packageVersion, '-V, --version')
    .option('--home <dir>', 'data folder (default: AIRDESK_HOME or the per-user app-data folder)')
    .option('--json', 'machine output on stdout; messages and progress on stderr')
    .showSuggestionAfterError(false);

  const context = (): CliContext => {
    const opts = program.opts<{ home?: string; json?: boolean }>();
    return {
      home: resolveHome(opts.home),
      output: createOutput(opts.json === true, io.stdout as never, io.stderr as never),
      state,
    };
  };
  registerTenants(program, context);
  registerServe(program, context);
  registerIngest(program, context);
  registerSearch(program, context);
  registerAsk(program, context);
  registerClassify(program, context);
  registerGrounding(program, context);
  registerConnectors(program, context);
  registerSync(program, context);
  registerWidgetKeys(program, context);

  for (const command of allCommands(program)) {
    if (command.commands.length > 0) {
      // A group called without a subcommand is a usage mistake: one line, exit 2, not a page of help.
      command.allowExcessArguments(true).action(() => {
        const name = command.args[0];
        const what = name === undefined ? 'missing command' : `unknown command '${name}'`;
        throw new UsageError(`${what}; "${commandPath(command)}" accepts: ${subcommandNames(command)}`);
      });
    }
    command
      .configureOutput({
        writeOut: (s) => io.stdout.write(s),
        writeErr: (s) => io.stderr.write(s),
        outputError: () => {},
      })
      .exitOverride((error) => {
        throw toUsageError(error, command);
      });
  }
  return program;
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

function subcommandNames(command: Command): string {
  return command.commands.map((c) => c.name()).join(', ') || 'no subcommands';
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function toUsageError(error: CommanderError, command: Command): Error {
  if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) {
    return new HelpShown();
  }
  const where = commandPath(command);
  const detail = error.message.replace(/^error: /, '').split('\n')[0] ?? error.message;
  if (error.code === 'commander.unknownCommand' || error.code === 'commander.excessArguments') {
    const accepted = command.commands.map((c) => c.name()).join(', ');
    return new UsageError(
      `${detail}; "${where}" accepts: ${accepted || 'no subcommands'} (see "${where} --help")`,
    );
  }
  if (error.code === 'commander.unknownOption') {
    const accepted = [...command.options, ...(command.parent ? rootOptions(command) : [])]
      .map((o) => o.long ?? o.short)
      .filter((o): o is string => Boolean(o));
    return new UsageError(`${detail}; "${where}" accepts: ${accepted.join(', ')} (see "${where} --help")`);
  }
  if (
    error.code === 'commander.missingMandatoryOptionValue' ||
    error.code === 'commander.optionMissingArgument'
  ) {
    return new UsageError(`${detail} (see "${where} --help")`);
  }
  // Groups like `airdesk tenants` with no subcommand print their help and exit 1 in commander; treat as usage.
  return new UsageError(`${detail || 'incomplete command'} (see "${where} --help")`);
}

function rootOptions(command: Command) {
  let root = command;
  while (root.parent) root = root.parent;
  return root.options;
}
