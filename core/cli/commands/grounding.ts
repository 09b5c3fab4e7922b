import type { Command } from 'commander';
import { z } from 'zod';
import type { TextGenerator } from '../../contract/answer.js';
import { resolveGenerator } from '../../answer/generation/resolve-generator.js';
import { createGroundingChecker } from '../../answer/grounding/index.js';
import { openEmbedderOnly } from '../answer-context.js';
import { checkBatchFile, idOf, readJsonl } from '../jsonl.js';
import type { CliContext } from '../program.js';

const pairSchema = z.object({
  _id: z.union([z.string().min(1), z.number()]),
  context: z.array(z.string().max(200_000)).max(200),
  response: z.string().max(50_000),
});
const expected = '{"_id", "context": [text, ...] (≤200), "response": text}';

export function registerGrounding(program: Command, context: () => CliContext): void {
  program
    .command('grounding')
    .description('check replies against their sources: share of supported sentences and the unsupported ones')
    .requiredOption('--batch <file>', 'PAIRS.jsonl: one {_id, context: [text], response} per line')
    .action(async (opts: { batch: string }) => {
      const { home, output, state } = context();
      checkBatchFile(opts.batch);
      const { embedder, close } = await openEmbedderOnly(home, output);
      let generator: TextGenerator | null = null;
      try {
        // The same checker `ask` uses, with the configured generator as its judge when there is one.
        const resolved = await resolveGenerator(home);
        generator = resolved.generator;
        for (const notice of resolved.notices) output.info(`airdesk: note: ${notice}`);
        const checker = createGroundingChecker({ embedder, judge: generator });
        let failures = 0;
        for await (const item of readJsonl(opts.batch, pairSchema, expected)) {
          if ('error' in item) {
            failures += 1;
            output.info(`airdesk: ${opts.batch}:${item.line}: ${item.error}; skipped`);
            continue;
          }
          const { context: sources, response } = item.value;
          const report = await checker.check(sources, response);
          output.stdout.write(
            `${JSON.stringify({ _id: idOf(item.value._id), supported: Math.round(report.supported * 1000) / 1000, unsupported: report.unsupported })}\n`,
          );
        }
        if (failures > 0) state.exitCode = 1;
      } finally {
        await generator?.close();
        await close();
      }
    });
}
