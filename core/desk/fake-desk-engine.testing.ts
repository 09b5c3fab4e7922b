import type { AskInput } from '../answer/answer-engine.js';
import type { AnswerDraft, EscalationDecision } from '../contract/answer.js';
import { AppError } from '../contract/errors.js';
import type { RememberedAnswer } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';
import type { DeskEngine } from './desk-service.js';

/** What the fake engine answers a question with; the test changes it between messages. */
export interface FakeAnswer {
  answer: string;
  confidence?: number;
  escalation?: EscalationDecision;
  unsupported?: string[];
  /** The cited document's web address (default: none, as for a file). */
  url?: string;
}

/**
 * A stand-in answer engine for desk tests: answers what `next` says, records every ask and every remembered
 * reply. `memory: false` makes `remember` fail as the real engine does without an embedding model.
 */
export class FakeDeskEngine implements DeskEngine {
  next: FakeAnswer = { answer: 'Open Settings and choose Security.' };
  readonly asks: { tenant: TenantId; input: AskInput }[] = [];
  readonly remembered: { tenant: TenantId; question: string; answer: string; origin: string }[] = [];
  /** Asks still accepted; at 0 the engine refuses with `unavailable`, as the busy worker engine does. */
  capacity = Infinity;
  /** While set, an accepted ask waits for it before answering (a test holds questions in the engine). */
  gate: Promise<void> | null = null;

  constructor(private readonly memory = true) {}

  async ask(tenant: TenantId, input: AskInput): Promise<AnswerDraft> {
    if (this.capacity <= 0) throw new AppError('unavailable', 'the answer engine is busy');
    this.capacity -= 1;
    this.asks.push({ tenant, input });
    const next = this.next;
    if (this.gate) await this.gate;
    return {
      answer: next.answer,
      citations: [
        {
          marker: 1,
          kind: 'kb',
          docId: 'doc-1',
          externalId: 'password.md',
          chunkId: 'chunk-1',
          title: 'Reset your password',
          url: next.url ?? null,
          quote: 'Open Settings and choose Security.',
        },
      ],
      sentences: [],
      confidence: next.confidence ?? 0.9,
      confidenceParts: { coverage: 1, specificity: 1, noHedging: 1, grounding: 1 },
      escalation: next.escalation ?? { escalate: false, priority: null, reasons: [] },
      grounding: { supported: 1, unsupported: next.unsupported ?? [] },
      retrieval: { grade: 'relevant', queries: [input.question], hits: 1 },
      generator: { id: 'fake', kind: 'extractive' },
      complete: true,
      notices: [],
      abstained: false,
      timings: { retrievalMs: 0, generationMs: 0, totalMs: 0 },
    };
  }

  async remember(
    tenant: TenantId,
    input: { question: string; answer: string; origin: RememberedAnswer['origin']; conversationId?: string },
  ): Promise<unknown> {
    if (!this.memory) {
      throw new AppError('unavailable', 'answer memory needs an embedding model');
    }
    this.remembered.push({ tenant, question: input.question, answer: input.answer, origin: input.origin });
    return {};
  }
}
