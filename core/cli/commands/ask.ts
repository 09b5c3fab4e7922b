import type { Command } from 'commander';
import { validateQuestion } from '../../answer/answer-engine.js';
import type { AnswerDraft } from '../../contract/answer.js';
import { openAnswerEngine } from '../answer-context.js';
import type { CliContext } from '../program.js';
import { requireTenant } from './tenant-option.js';

export function registerAsk(program: Command, context: () => CliContext): void {
  program
    .command('ask')
    .description('draft a grounded, cited answer from a tenant’s knowledge')
    .argument('<question>', 'the customer’s question')
    .option('--tenant <id>', 'tenant whose knowledge answers (required)')
    .action(async (question: string, opts: { tenant?: string }) => {
      const { home, output } = context();
      const tenant = requireTenant(opts.tenant);
      // Refused before the models load (a generator takes seconds) only to be refused by the engine.
      validateQuestion(question);
      const { engine, close } = await openAnswerEngine(home, output, { tenant });
      try {
        const draft = await engine.ask(tenant, { question });
        for (const notice of draft.notices) output.info(`airdesk: note: ${notice}`);
        output.result(toJson(draft), formatHuman(draft));
      } finally {
        await close();
      }
    });
}

/** SPEC.md's `ask --json` shape first; the extra detail after it is for the console and scripts. */
export function toJson(draft: AnswerDraft) {
  return {
    answer: draft.answer,
    citations: draft.citations.map((c) => ({
      docId: c.externalId,
      title: c.title,
      quote: c.quote,
      marker: c.marker,
      kind: c.kind,
      chunkId: c.chunkId,
    })),
    confidence: round3(draft.confidence),
    escalation: draft.escalation,
    grounding: { supported: round3(draft.grounding.supported), unsupported: draft.grounding.unsupported },
    timings: draft.timings,
    confidenceParts: draft.confidenceParts,
    sentences: draft.sentences,
    retrieval: draft.retrieval,
    generator: draft.generator,
    complete: draft.complete,
    abstained: draft.abstained,
    notices: draft.notices,
  };
}

function formatHuman(draft: AnswerDraft): string {
  const lines = [draft.answer, ''];
  for (const c of draft.citations) lines.push(`[${c.marker}] ${c.title} (${c.externalId}): "${c.quote}"`);
  if (draft.citations.length > 0) lines.push('');
  lines.push(
    `confidence ${draft.confidence.toFixed(2)} · grounded ${(draft.grounding.supported * 100).toFixed(0)}% · ${draft.generator.id}${draft.complete ? '' : ' · INCOMPLETE'}`,
  );
  for (const s of draft.grounding.unsupported) lines.push(`unsupported: ${s}`);
  if (draft.escalation.escalate) {
    lines.push(`escalate: ${draft.escalation.priority ?? ''} (${draft.escalation.reasons.join(', ')})`);
  }
  return lines.join('\n');
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
