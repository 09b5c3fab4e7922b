import type { SyncRun } from '../contract/connector.js';
import type { ErrorBody } from '../contract/errors.js';
import type { SyncProgressEvent } from '../contract/console-api.js';
import type { TenantId } from '../contract/tenant.js';

/** What the console's live-progress streams receive about one connector. */
export type SyncEvent =
  | { type: 'started'; run: SyncRun }
  | { type: 'progress'; progress: SyncProgressEvent }
  | { type: 'finished'; run: SyncRun }
  | { type: 'failed'; error: ErrorBody };

type Listener = (event: SyncEvent) => void;

/**
 * Fans the scheduler's callbacks out to whoever watches a connector (the console's event streams, a run-now
 * waiting for its run id). Progress carries only a run id, so runs are mapped to their connector when they
 * start. The number of watchers is bounded: each is an open HTTP response.
 */
export class SyncEvents {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly connectorOfRun = new Map<string, string>();
  private readonly lastProgress = new Map<string, SyncProgressEvent>();
  private count = 0;

  constructor(readonly maxListeners = 64) {}

  /** Watches a connector; returns the unsubscribe function, or null when too many watch already. */
  subscribe(tenant: TenantId, connectorId: string, listener: Listener): (() => void) | null {
    if (this.count >= this.maxListeners) return null;
    const key = keyOf(tenant, connectorId);
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    this.count += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.count -= 1;
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  /** The last progress of a connector's running sync, for a stream that joins mid-run. */
  progressOf(tenant: TenantId, connectorId: string): SyncProgressEvent | null {
    return this.lastProgress.get(keyOf(tenant, connectorId)) ?? null;
  }

  started(tenant: TenantId, run: SyncRun): void {
    const key = keyOf(tenant, run.connectorId);
    this.connectorOfRun.set(run.id, key);
    this.lastProgress.delete(key);
    this.emit(key, { type: 'started', run });
  }

  progress(progress: SyncProgressEvent): void {
    const key = this.connectorOfRun.get(progress.runId);
    if (!key) return;
    this.lastProgress.set(key, progress);
    this.emit(key, { type: 'progress', progress });
  }

  finished(tenant: TenantId, connectorId: string, outcome: { run: SyncRun } | { error: ErrorBody }): void {
    const key = keyOf(tenant, connectorId);
    this.lastProgress.delete(key);
    if ('run' in outcome) {
      this.connectorOfRun.delete(outcome.run.id);
      this.emit(key, { type: 'finished', run: outcome.run });
    } else {
      this.emit(key, { type: 'failed', error: outcome.error });
    }
  }

  private emit(key: string, event: SyncEvent): void {
    for (const listener of [...(this.listeners.get(key) ?? [])]) listener(event);
  }
}

function keyOf(tenant: TenantId, connectorId: string): string {
  return `${tenant}/${connectorId}`;
}
