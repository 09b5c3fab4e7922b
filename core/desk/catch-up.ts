import type { Message } from '../contract/conversation.js';
import { AppError } from '../contract/errors.js';
import type { TenantId } from '../contract/tenant.js';
import type { DeskService } from './desk-service.js';

/**
 * Messages older than this are left alone: a visitor who has waited half an hour is better served by a person
 * (the conversation is in the agents' inbox) than by a late machine reply.
 */
export const catchUpMaxAgeMs = 30 * 60_000;

/** Most messages one sweep answers; the rest wait for the next one. */
const defaultLimit = 200;

/**
 * Catch-up questions in the engine at once. The worker engine runs two questions and refuses past fifty
 * waiting: two keep its slots busy while leaving the waiting room to visitors writing now.
 */
const defaultConcurrency = 2;

export interface CatchUpOptions {
  /** One tenant; default every tenant of the store. */
  tenant?: TenantId;
  /** Stops the sweep (the server is stopping); runs already in the engine are cancelled with it. */
  signal?: AbortSignal;
  maxAgeMs?: number;
  limit?: number;
  concurrency?: number;
}

export interface CatchUpReport {
  /** Waiting messages the sweep took on (at most `limit`). */
  found: number;
  answered: number;
  /** Answered meanwhile by another run, or the visitor wrote again (that message has its own run). */
  skipped: number;
  failed: number;
  /** The engine refused again: the sweep stopped and the rest waits for its next recovery. */
  busy: boolean;
}

type Outcome = 'answered' | 'skipped' | 'failed' | 'busy';

/**
 * The desk's catch-up: visitor messages stored while the engine refused them (or cut off by a restart) are
 * answered through the normal answer path once it can take them, newest first, a few at a time. Each goes
 * through the conversation's ordering queue and is checked again in its turn, so a message is never answered
 * twice and a visitor who wrote again gets one answer, to the latest message, with the earlier ones in history.
 */
export class CatchUp {
  private current: Promise<CatchUpReport> | null = null;
  private rerun: CatchUpOptions | null = null;

  constructor(private readonly desk: DeskService) {}

  /**
   * Sweeps now, or, when a sweep is running, once more after it (a recovery during a sweep may have left new
   * refused messages behind); the returned report covers every sweep of the run.
   */
  run(options: CatchUpOptions): Promise<CatchUpReport> {
    if (this.current) {
      this.rerun = this.rerun ? { ...options, tenant: sameTenant(this.rerun, options) } : options;
      return this.current;
    }
    this.current = this.sweeps(options);
    return this.current;
  }

  private async sweeps(first: CatchUpOptions): Promise<CatchUpReport> {
    const total: CatchUpReport = { found: 0, answered: 0, skipped: 0, failed: 0, busy: false };
    let options: CatchUpOptions | null = first;
    try {
      while (options) {
        const report = await this.sweep(options);
        total.found += report.found;
        total.answered += report.answered;
        total.skipped += report.skipped;
        total.failed += report.failed;
        total.busy = report.busy;
        options = this.rerun?.signal?.aborted ? null : this.rerun;
        this.rerun = null;
      }
    } finally {
      // No await between the last rerun check and here: a call in between would be lost.
      this.current = null;
    }
    return total;
  }

  private async sweep(options: CatchUpOptions): Promise<CatchUpReport> {
    const limit = options.limit ?? defaultLimit;
    const since = new Date(Date.now() - (options.maxAgeMs ?? catchUpMaxAgeMs)).toISOString();
    const waiting = await this.waiting(options.tenant, since, limit);
    const report: CatchUpReport = { found: waiting.length, answered: 0, skipped: 0, failed: 0, busy: false };
    let next = 0;
    const feed = async () => {
      while (!report.busy && !options.signal?.aborted) {
        const item = waiting[next++];
        if (!item) return;
        const outcome = await this.answerOne(item.tenant, item.message, since, options.signal);
        if (outcome === 'busy') report.busy = true;
        else report[outcome] += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? defaultConcurrency) }, feed));
    return report;
  }

  /** Every tenant's waiting messages, newest first across tenants, at most `limit`. */
  private async waiting(
    tenant: TenantId | undefined,
    since: string,
    limit: number,
  ): Promise<{ tenant: TenantId; message: Message }[]> {
    const { store, logger } = this.desk;
    const tenants = tenant !== undefined ? [tenant] : (await store.tenants.list()).map((t) => t.id);
    const waiting: { tenant: TenantId; message: Message }[] = [];
    for (const id of tenants) {
      try {
        const messages = await store.desk.undraftedVisitorMessages(id, { since, limit });
        for (const message of messages) waiting.push({ tenant: id, message });
      } catch (error) {
        // One unreadable tenant file must not keep the other tenants' visitors waiting.
        logger?.error(
          { err: error, tenant: id },
          'the catch-up could not read a tenant; it skips the tenant',
        );
      }
    }
    waiting.sort((a, b) => b.message.createdAt.localeCompare(a.message.createdAt));
    return waiting.slice(0, limit);
  }

  private async answerOne(
    tenant: TenantId,
    message: Message,
    since: string,
    signal: AbortSignal | undefined,
  ): Promise<Outcome> {
    const { conversationId } = message;
    try {
      return await this.desk.inOrder(tenant, conversationId, async (): Promise<Outcome> => {
        if (signal?.aborted) return 'skipped';
        // Checked again in turn: a run queued before this one may have answered it, or the visitor wrote again.
        const [still] = await this.desk.store.desk.undraftedVisitorMessages(tenant, {
          since,
          limit: 1,
          conversationId,
        });
        if (still?.id !== message.id) return 'skipped';
        await this.desk.answer(tenant, conversationId, message, signal);
        return 'answered';
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'unavailable') return 'busy';
      if (signal?.aborted) return 'skipped';
      this.desk.logger?.error(
        { err: error, tenant, conversationId, messageId: message.id },
        'the answer engine failed on a waiting visitor message; it stays for an agent',
      );
      return 'failed';
    }
  }
}

/** Two coalesced requests sweep one tenant only when both asked for the same one. */
function sameTenant(a: CatchUpOptions, b: CatchUpOptions): TenantId | undefined {
  return a.tenant !== undefined && a.tenant === b.tenant ? a.tenant : undefined;
}
