import type { Command } from 'commander';
import type { SyncRun } from '../../contract/connector.js';
import { runSync, type SyncProgress } from '../../sync/run-sync.js';
import { openKnowledge } from '../knowledge-context.js';
import type { CliContext } from '../program.js';
import { findConnectorTenant, openCliSecrets } from './connectors.js';
import { requireTenant } from './tenant-option.js';

export function registerSync(program: Command, context: () => CliContext): void {
  program
    .command('sync')
    .description('sync a connector now: what changed since its last sync, or everything with --full')
    .argument('<connector-id>', 'as "airdesk connectors list" shows it')
    .option('--full', 'read everything, not just what changed (also starts over an interrupted sync)')
    .option('--tenant <id>', 'tenant of the connector (default: found by the id)')
    .action(async (connectorId: string, opts: { full?: boolean; tenant?: string }) => {
      const { home, output, state } = context();
      const { store, kb, close } = await openKnowledge(home, output);
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const tenant =
          opts.tenant !== undefined
            ? requireTenant(opts.tenant)
            : await findConnectorTenant(store, connectorId);
        const secrets = await openCliSecrets(home, output);
        const run = await runSync({
          kb,
          store,
          secrets,
          tenant,
          connectorId,
          full: opts.full === true,
          signal: abort.signal,
          onProgress: (p) => output.info(formatProgress(p)),
          log: (message) => output.info(`sync: ${message}`),
        });
        const config = await store.connectors.get(tenant, connectorId);
        output.result(run, formatRun(config?.name ?? connectorId, run));
        if (run.status !== 'succeeded') state.exitCode = 1;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await close();
      }
    });
}

export function formatProgress(p: SyncProgress): string {
  const what = p.phase === 'pruning' ? 'pruning deleted documents' : `page ${p.pages}`;
  return `sync: ${what}: ${p.documents} documents (${p.added} added, ${p.updated} updated, ${p.deleted} deleted, ${p.failed} failed)`;
}

/** The summary `airdesk sync` prints: one line of counts, one per failure, and the error when it failed. */
export function formatRun(name: string, run: SyncRun): string {
  const lines = [
    `${name}: ${run.status}: ${run.added} added, ${run.updated} updated, ${run.deleted} deleted, ${run.failures.length} failed`,
  ];
  for (const f of run.failures)
    lines.push(`  failed: ${f.externalId ? `[${f.externalId}] ` : ''}${f.message}`);
  if (run.error) lines.push(`  error: ${run.error}`);
  if (run.status === 'cancelled') lines.push('  cancelled: the next sync resumes from the last saved page');
  return lines.join('\n');
}
