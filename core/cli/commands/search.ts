import type { Command } from 'commander';
import { z } from 'zod';
import type { RetrievalMode, SearchResult } from '../../contract/retrieval.js';
import { checkBatchFile, idOf, readJsonl } from '../jsonl.js';
import { openKnowledge } from '../knowledge-context.js';
import type { CliContext } from '../program.js';
import { UsageError } from '../usage-error.js';
import { requireTenant } from './tenant-option.js';

const modes: RetrievalMode[] = ['hybrid', 'bm25', 'vector'];

export function registerSearch(program: Command, context: () => CliContext): void {
  program
    .command('search')
    .description('search a tenant’s knowledge; --batch QUERIES.jsonl prints a TREC run')
    .argument('[query]', 'what to look for')
    .option('--tenant <id>', 'tenant to search (required)')
    .option('--mode <mode>', 'hybrid, bm25 or vector (default hybrid)', parseMode)
    .option('--k <n>', 'results per query (default 10)', parseK)
    .option('--batch <file>', 'BEIR queries, one {_id, text} per line')
    .action(
      async (
        query: string | undefined,
        opts: { tenant?: string; mode?: RetrievalMode; k?: number; batch?: string },
      ) => {
        const { home, output, state } = context();
        const tenant = requireTenant(opts.tenant);
        if ((query === undefined) === (opts.batch === undefined)) {
          throw new UsageError('give either a QUERY or --batch QUERIES.jsonl');
        }
        if (opts.batch !== undefined) checkBatchFile(opts.batch);
        const { kb, close } = await openKnowledge(home, output);
        try {
          const options = { mode: opts.mode ?? 'hybrid', k: opts.k ?? 10 } as const;
          if (query !== undefined) {
            const result = await kb.search(tenant, query, options);
            if (result.notice) output.info(`airdesk: note: ${result.notice}`);
            output.result(toJson(result), formatHuman(result));
            return;
          }
          let failures = 0;
          let noticeShown = false;
          for await (const line of readQueries(opts.batch!)) {
            if ('error' in line) {
              failures += 1;
              output.info(`airdesk: ${opts.batch}:${line.line}: ${line.error}; skipped`);
              continue;
            }
            const result = await kb.search(tenant, line.text, options);
            if (result.notice && !noticeShown) {
              output.info(`airdesk: note: ${result.notice}`);
              noticeShown = true;
            }
            const tag = `airdesk-${result.mode}${result.fusion ? `-${result.fusion}` : ''}`;
            result.hits.forEach((hit, i) => {
              output.stdout.write(
                `${line.id} Q0 ${hit.externalId} ${i + 1} ${hit.score.toFixed(6)} ${tag}\n`,
              );
            });
          }
          if (failures > 0) state.exitCode = 1;
        } finally {
          await close();
        }
      },
    );
}

const querySchema = z.object({
  _id: z.union([z.string().min(1).regex(/^\S+$/, 'an id without spaces'), z.number()]),
  text: z.string().trim().min(1),
});

/** BEIR queries, one {_id, text} per line; a bad line is reported and skipped. */
async function* readQueries(file: string) {
  for await (const item of readJsonl(
    file,
    querySchema,
    '{"_id": "...", "text": "..."} with a non-empty text and an id without spaces',
  )) {
    yield 'error' in item ? item : { id: idOf(item.value._id), text: item.value.text };
  }
}

function toJson(result: SearchResult) {
  return {
    mode: result.mode,
    fusion: result.fusion,
    queryType: result.queryType,
    alpha: result.alpha,
    timings: result.timings,
    hits: result.hits.map((h, i) => ({
      rank: i + 1,
      docId: h.externalId,
      title: h.title,
      score: h.score,
      snippet: h.snippet,
      source: h.source,
      headings: h.headings,
      stages: h.stages,
    })),
  };
}

function formatHuman(result: SearchResult): string {
  if (result.hits.length === 0) return 'no results';
  return result.hits
    .map((h, i) => {
      const snippet = h.snippet.length > 200 ? `${h.snippet.slice(0, 197)}...` : h.snippet;
      return `${i + 1}. ${h.title || h.externalId}  [${h.externalId}]  ${h.score.toFixed(4)}\n   ${snippet}`;
    })
    .join('\n');
}

function parseMode(value: string): RetrievalMode {
  if (!modes.includes(value as RetrievalMode))
    throw new UsageError(`--mode must be one of ${modes.join(', ')}`);
  return value as RetrievalMode;
}

function parseK(value: string): number {
  const k = Number(value);
  if (!/^\d+$/.test(value) || k < 1 || k > 1000)
    throw new UsageError('--k must be a whole number from 1 to 1000');
  return k;
}
