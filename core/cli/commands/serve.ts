import type { Command } from 'commander';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../../contract/errors.js';
import { openDesk } from '../../desk/index.js';
import type { SecretStore } from '../../contract/secrets.js';
import { openSecretStore } from '../../secrets/index.js';
import { createConnectorDesk } from '../../server/connector-desk.js';
import { startServer, defaultPorts } from '../../server/server.js';
import { createFileLogger } from '../../server/logging.js';
import { homeLayout } from '../../home/data-folder.js';
import { openAnswerEngine, openDeskEngine } from '../answer-context.js';
import type { CliContext } from '../program.js';
import { UsageError } from '../usage-error.js';

/** Longest we wait for requests in flight after SIGTERM before closing anyway. */
const drainTimeoutMs = 10_000;

export function registerServe(program: Command, context: () => CliContext): void {
  program
    .command('serve')
    .description('start the console (127.0.0.1 only) and the widget server')
    .option(
      '--console-port <n>',
      `console port, 0 = any free port (default ${defaultPorts.console})`,
      parsePort,
    )
    .option('--widget-port <n>', `widget port, 0 = any free port (default ${defaultPorts.widget})`, parsePort)
    .option(
      '--widget-host <host>',
      'address the widget server binds (default 127.0.0.1; 0.0.0.0 for the intranet)',
    )
    .action(async (opts: { consolePort?: number; widgetPort?: number; widgetHost?: string }) => {
      const { home, output } = context();
      const token = process.env.AIRDESK_CONSOLE_TOKEN;
      if (token !== undefined && token.trim() === '') {
        throw new UsageError(
          'AIRDESK_CONSOLE_TOKEN is set but empty; unset it or give it a long random value',
        );
      }
      // The engine (store, embedder, generator) loads before the listeners open, so the listening line the
      // desktop shell waits for means ready to draft; loading takes a few seconds at most. The server shares
      // the engine's store: one set of SQLite handles per data folder.
      const answers = await openAnswerEngine(home, output);
      const store = answers.kb.store;
      const { logger, close: closeLog } = createFileLogger({ home });
      logger.info(
        { generator: answers.engine.generatorId, embedder: answers.kb.embedder?.modelId ?? null },
        'answer engine loaded',
      );
      const secrets = await openServerSecrets(home, logger);
      const connectors = createConnectorDesk({
        kb: answers.kb,
        secrets,
        logger: logger.child({ part: 'sync' }),
      });
      const deskLogger = logger.child({ part: 'desk' });
      // Visitor messages the engine refused while busy, or left undrafted by a restart (of the server or of the
      // engine worker), are answered when it catches up and once after start (see DeskService.catchUp); stopping
      // the server ends the sweep.
      const stopCatchUp = new AbortController();
      let catchUp = () => {};
      const desk = await openDeskEngine(home, answers, deskLogger, () => catchUp());
      const widget = openDesk({ home, store, engine: desk.engine, logger: deskLogger });
      catchUp = () =>
        void widget.desk.catchUp({ signal: stopCatchUp.signal }).then(
          (report) => {
            if (report.found > 0)
              deskLogger.info(report, 'caught up on visitor messages left without a draft');
          },
          (error: unknown) =>
            deskLogger.error({ err: error }, 'the catch-up of waiting visitor messages failed'),
        );
      let server;
      try {
        // Schedules are armed before the listeners open; a scheduled sync may start at once.
        await connectors.scheduler.refresh();
        server = await startServer({
          store,
          answers: { engine: answers.engine, memory: answers.kb.embedder !== null },
          connectors,
          widget,
          logger,
          consolePort: opts.consolePort ?? defaultPorts.console,
          widgetPort: opts.widgetPort ?? defaultPorts.widget,
          widgetHost: opts.widgetHost ?? '127.0.0.1',
          ...(token ? { consoleToken: token } : {}),
        });
      } catch (error) {
        await connectors.scheduler.stop();
        await desk.close();
        await answers.close();
        await closeLog();
        throw error;
      }
      const running = server;
      // Signal handlers go in before the listening line: whoever reads that line may stop us at once.
      const stopped = new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) return;
          stopping = true;
          logger.info({ signal }, 'shutting down');
          stopCatchUp.abort(new Error('the server is stopping'));
          const timer = setTimeout(() => {
            logger.warn('requests still running after the drain timeout; closing anyway');
            running.abortWork();
            resolve();
          }, drainTimeoutMs);
          timer.unref();
          // Running syncs are cancelled (the next start resumes them from their last saved page) while the
          // listeners drain; both finish before the store closes.
          void Promise.all([
            running
              .close()
              .catch((error: unknown) => logger.error({ err: error }, 'error while closing listeners')),
            connectors.scheduler
              .stop()
              .catch((error: unknown) => logger.error({ err: error }, 'error while stopping syncs')),
          ]).finally(() => {
            clearTimeout(timer);
            resolve();
          });
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      logger.info(
        {
          console: running.listening.console.replace(/token=.*/, 'token=[redacted]'),
          widget: running.listening.widget,
        },
        'listening',
      );
      output.stdout.write(JSON.stringify(running.listening) + '\n');
      output.info(`airdesk console: ${running.listening.console}`);
      output.info(`logs: ${homeLayout.logsDir(home)}`);
      catchUp();
      await stopped;
      await desk.close();
      await answers.close();
      logger.info('stopped');
      await closeLog();
    });
}

/**
 * The secret store connector credentials go to. If it cannot be opened (the keychain that holds this data
 * folder's secrets is not reachable) the server still starts: connectors without secrets work, and adding or
 * syncing one with secrets answers with the reason.
 */
async function openServerSecrets(home: string, logger: FastifyBaseLogger): Promise<SecretStore> {
  try {
    return await openSecretStore(home, { onFallback: (reason) => logger.info(`secret store: ${reason}`) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn({ err: error }, 'the secret store is unavailable; connectors with secrets cannot sync');
    const refuse = (): Promise<never> => Promise.reject(new AppError('unavailable', reason));
    return { kind: 'encrypted-file', put: refuse, get: refuse, delete: refuse, deleteTenant: refuse };
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new UsageError(`"${value}" is not a port; give a number from 0 to 65535 (0 = any free port)`);
  }
  return port;
}
