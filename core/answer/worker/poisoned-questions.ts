import { createHash } from 'node:crypto';
import { AppError } from '../../contract/errors.js';
import type { TenantId } from '../../contract/tenant.js';
import type { AskInput } from '../answer-engine.js';

/**
 * How long a question that was running when the worker crashed is refused: far longer than the desk's catch-up
 * looks back (30 min), so neither a catch-up nor an agent's regenerate can take the worker down with it again.
 */
export const poisonedForMs = 24 * 60 * 60_000;
/** Fingerprints kept at most (the oldest go first): a crash loop of distinct questions cannot grow memory. */
const maxPoisoned = 1_000;

/**
 * The questions that were running when the engine worker died. One question that crashes the worker would
 * otherwise crash it again at every retry (the desk's catch-up asks the newest undrafted message first: the
 * same one) until the engine stays down for every tenant. Kept in memory only: after a server restart such a
 * question can crash the worker once more, and is then refused again.
 */
export class PoisonedQuestions {
  /** Fingerprint → when it may be asked again; insertion order is expiry order. */
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Which question killed the thread is unknown, so every question running at the crash is remembered. */
  remember(tenant: TenantId, input: AskInput): void {
    const key = fingerprint(tenant, input);
    this.until.delete(key); // re-inserted last, keeping the order of expiry
    this.until.set(key, this.now() + poisonedForMs);
    for (const oldest of this.until.keys()) {
      if (this.until.size <= maxPoisoned) break;
      this.until.delete(oldest);
    }
  }

  /** The error for a question that was running at a crash within the last day; null: it may be asked. */
  refusal(tenant: TenantId, input: AskInput): AppError | null {
    const key = fingerprint(tenant, input);
    const until = this.until.get(key);
    if (until === undefined) return null;
    if (until <= this.now()) return (this.until.delete(key), null);
    // Not `unavailable` (a busy engine, logged at debug): the desk logs this at error level and keeps the
    // visitor's message for an agent; the catch-up counts it as failed.
    return new AppError(
      'invalid_input',
      'this question was being drafted when the engine worker crashed, so it is not drafted again for 24 hours ' +
        '(it could crash the worker for every tenant); an agent answers it by hand',
    );
  }
}

/** Tenant, conversation and a hash of the text: the same words in another conversation are not refused. */
function fingerprint(tenant: TenantId, input: AskInput): string {
  const text = createHash('sha256').update(input.question).digest('hex');
  return `${tenant}\u0000${input.conversationId ?? ''}\u0000${text}`;
}
