import fs from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../contract/errors.js';
import { formatReport } from '../../knowledge/pipeline/ingest-report.js';
import { runIngest } from '../../knowledge/pipeline/ingest-run.js';
import { openKnowledge } from '../knowledge-context.js';
import type { CliContext } from '../program.js';
import { createCounter } from '../progress.js';
import { requireTenant } from './tenant-option.js';

export function registerIngest(program: Command, context: () => CliContext): void {
  program
    .command('ingest')
    .description('ingest files or folders (.md .txt .html .pdf .docx .json .jsonl) into a tenant’s knowledge')
    .argument('<paths...>', 'files or folders')
    .option('--tenant <id>', 'tenant to ingest into (required)')
    .option('--source <name>', 'knowledge source name (default: derived from the paths)')
    .option('--reindex', 'rebuild the tenant’s index first (after changing the embedding model)')
    .action(async (paths: string[], opts: { tenant?: string; source?: string; reindex?: boolean }) => {
      const { home, output, state } = context();
      const tenant = requireTenant(opts.tenant);
      const missing = paths.filter((p) => !fs.existsSync(p));
      if (missing.length > 0) {
        throw new AppError(
          'invalid_input',
          `no such file or folder: ${missing.join(', ')}; nothing was ingested`,
        );
      }
      const { kb, close } = await openKnowledge(home, output);
      const progress = createCounter({ label: 'ingest', unit: 'documents' });
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      try {
        const report = await runIngest(kb, {
          tenant,
          paths,
          ...(opts.source ? { source: opts.source } : {}),
          reindex: opts.reindex === true,
          signal: abort.signal,
          onProgress: ({ documents, chunks }) => progress.set(documents, `${chunks} chunks indexed`),
        });
        progress.stop();
        output.result(report, formatReport(report));
        if (report.failed.length > 0 && report.added + report.updated + report.skipped === 0)
          state.exitCode = 1;
      } finally {
        process.off('SIGINT', onSignal);
        await close();
      }
    });
}
