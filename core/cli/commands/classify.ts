import type { Command } from 'commander';
import { z } from 'zod';
import type { ConversationSignals, HistoryTurn } from '../../contract/answer.js';
import { createMessageClassifier } from '../../answer/escalation/index.js';
import { classifierCacheDir, openEmbedderOnly } from '../answer-context.js';
import { checkBatchFile, idOf, readJsonl } from '../jsonl.js';
import type { CliContext } from '../program.js';

/** Roles as other tools write them, mapped to ours. */
const roleOf: Record<string, HistoryTurn['role']> = {
  visitor: 'visitor',
  user: 'visitor',
  customer: 'visitor',
  assistant: 'assistant',
  bot: 'assistant',
  ai: 'assistant',
  agent: 'agent',
  human: 'agent',
};

const messageSchema = z.object({
  _id: z.union([z.string().min(1), z.number()]),
  text: z.string().trim().min(1).max(8_000),
  history: z
    .array(
      z.object({
        role: z.string().refine((r) => Object.hasOwn(roleOf, r.toLowerCase()), {
          message: `role must be one of ${Object.keys(roleOf).join(', ')}`,
        }),
        text: z.string().max(8_000),
      }),
    )
    .max(500)
    .optional(),
  minutesElapsed: z.number().min(0).finite().optional(),
  failedAttempts: z.number().int().min(0).optional(),
});

const expected =
  '{"_id", "text" (1..8000 chars), "history"?: [{"role", "text"}], "minutesElapsed"?: ≥0, "failedAttempts"?: whole ≥0}';
const batchSize = 64;

export function registerClassify(program: Command, context: () => CliContext): void {
  program
    .command('classify')
    .description('query type, sentiment and escalation decision for each message of a JSONL batch')
    .requiredOption(
      '--batch <file>',
      'MESSAGES.jsonl: one {_id, text, history?, minutesElapsed?, failedAttempts?} per line',
    )
    .action(async (opts: { batch: string }) => {
      const { home, output, state } = context();
      checkBatchFile(opts.batch);
      const { embedder, close } = await openEmbedderOnly(home, output);
      try {
        const classifier = await createMessageClassifier({ embedder, cacheDir: classifierCacheDir(home) });
        let failures = 0;
        let pending: { id: string; signals: ConversationSignals }[] = [];
        const flush = async () => {
          const results = await classifier.classifyBatch(pending.map((p) => p.signals));
          pending.forEach((p, i) => {
            const r = results[i]!;
            output.stdout.write(
              `${JSON.stringify({ _id: p.id, queryType: r.queryType, sentiment: r.sentiment, escalation: r.escalation })}\n`,
            );
          });
          pending = [];
        };
        for await (const item of readJsonl(opts.batch, messageSchema, expected)) {
          if ('error' in item) {
            failures += 1;
            output.info(`airdesk: ${opts.batch}:${item.line}: ${item.error}; skipped`);
            continue;
          }
          const m = item.value;
          pending.push({
            id: idOf(m._id),
            signals: {
              text: m.text,
              ...(m.history
                ? { history: m.history.map((h) => ({ role: roleOf[h.role.toLowerCase()]!, text: h.text })) }
                : {}),
              ...(m.minutesElapsed !== undefined ? { minutesElapsed: m.minutesElapsed } : {}),
              ...(m.failedAttempts !== undefined ? { failedAttempts: m.failedAttempts } : {}),
            },
          });
          if (pending.length >= batchSize) await flush();
        }
        if (pending.length > 0) await flush();
        if (failures > 0) state.exitCode = 1;
      } finally {
        await close();
      }
    });
}
