import { Cron } from 'croner';
import type { ConnectorConfig, SyncRun } from '../contract/connector.js';
import { AppError } from '../contract/errors.js';
import type { SecretStore } from '../contract/secrets.js';
import type { Store } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { resolveSecrets } from './connector-secrets.js';
import { loadConnector, type ConnectorRegistry } from './registry.js';
import { runSync, type SyncProgress, type SyncRequest } from './run-sync.js';

/** Throws `invalid_input` unless `expression` is a cron expression croner accepts (5 or 6 fields). */
export function validateSchedule(expression: string): void {
  try {
    new Cron(expression, { paused: true }).stop();
  } catch (cause) {
    throw new AppError(
      'invalid_input',
      `schedule "${expression}" is not a cron expression (${cause instanceof Error ? cause.message : String(cause)}); e.g. "*/30 * * * *" for every 30 minutes`,
      { cause },
    );
  }
}

export interface SyncSchedulerOptions {
  kb: KnowledgeBase;
  store: Store;
  secrets: SecretStore;
  /** Syncs running at once across all connectors and tenants. Default 2. */
  concurrency?: number;
  /** Tenants whose connectors are scheduled; default every tenant in the store. */
  tenants?: () => Promise<TenantId[]>;
  registry?: ConnectorRegistry;
  fetch?: typeof fetch;
  retry?: SyncRequest['retry'];
  onProgress?: (tenant: TenantId, progress: SyncProgress) => void;
  /** A run finished (any status) or could not start (`error`). */
  onRunEnd?: (tenant: TenantId, connectorId: string, outcome: { run: SyncRun } | { error: unknown }) => void;
  log?: (tenant: TenantId, connectorId: string, message: string) => void;
}

interface Job {
  tenant: TenantId;
  connectorId: string;
  full: boolean;
  abort: AbortController;
  state: 'queued' | 'running';
  done: Promise<SyncRun>;
  resolve: (run: SyncRun) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs connector syncs on their cron schedules and on demand. One connector never runs twice at once (a tick
 * or a run-now while it is queued or running joins that run); at most `concurrency` syncs run at a time, the
 * rest wait in order. `stop()` stops the clocks, cancels queued and running syncs and waits for them.
 */
export class SyncScheduler {
  private readonly crons = new Map<string, Cron>();
  /** Stop functions of the sources watching for their own changes (a watched folder), by connector. */
  private readonly watchers = new Map<string, { settings: string; stop: () => void }>();
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private running = 0;
  private stopped = false;
  private readonly concurrency: number;

  constructor(private readonly options: SyncSchedulerOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 2);
  }

  /** Reads every tenant's connectors and (re)arms their schedules; call again after connectors change. */
  async refresh(): Promise<void> {
    const tenants = this.options.tenants
      ? await this.options.tenants()
      : (await this.options.store.tenants.list()).map((t) => t.id);
    const wanted = new Map<string, { tenant: TenantId; connectorId: string; schedule: string }>();
    const watched = new Map<string, { tenant: TenantId; config: ConnectorConfig }>();
    for (const tenant of tenants) {
      for (const c of await this.options.store.connectors.list(tenant)) {
        if (c.enabled && c.schedule)
          wanted.set(keyOf(tenant, c.id), { tenant, connectorId: c.id, schedule: c.schedule });
        if (c.enabled && c.settings.watch === true) watched.set(keyOf(tenant, c.id), { tenant, config: c });
      }
    }
    if (this.stopped) return;
    await this.rearmWatchers(watched);
    for (const [key, cron] of this.crons) {
      const w = wanted.get(key);
      if (!w || cron.getPattern() !== w.schedule) {
        cron.stop();
        this.crons.delete(key);
      }
    }
    for (const [key, w] of wanted) {
      if (this.crons.has(key)) continue;
      try {
        const cron = new Cron(w.schedule, { name: `sync:${key}`, protect: true }, () => {
          this.runNow(w.tenant, w.connectorId).catch(() => {}); // reported through onRunEnd
        });
        this.crons.set(key, cron);
      } catch (error) {
        this.options.log?.(
          w.tenant,
          w.connectorId,
          `schedule "${w.schedule}" is not valid: ${String(error)}`,
        );
      }
    }
  }

  /**
   * Starts watching the sources that can notice their own changes (`watch: true` in their settings) and stops
   * the watchers of connectors that were disabled, deleted or changed. A change syncs the connector at once
   * (joining a run already going); the schedule stays the safety net for changes a watch cannot see.
   */
  private async rearmWatchers(watched: Map<string, { tenant: TenantId; config: ConnectorConfig }>) {
    for (const [key, w] of this.watchers) {
      const now = watched.get(key);
      if (!now || JSON.stringify(now.config.settings) !== w.settings) {
        w.stop();
        this.watchers.delete(key);
      }
    }
    for (const [key, { tenant, config }] of watched) {
      if (this.watchers.has(key)) continue;
      try {
        const definition = await loadConnector(config.kind, this.options.registry);
        const settings = definition.settingsSchema.parse(config.settings);
        const secrets = await resolveSecrets(definition, config.settings, {
          tenant,
          connectorName: config.name,
          secrets: this.options.secrets,
        });
        const source = definition.create(settings, {
          secrets,
          fetch: this.options.fetch ?? fetch,
          log: (message) => this.options.log?.(tenant, config.id, message),
        });
        if (!source.watch) continue;
        const stop = source.watch(() => {
          this.runNow(tenant, config.id).catch(() => {}); // reported through onRunEnd
        });
        this.watchers.set(key, { settings: JSON.stringify(config.settings), stop });
      } catch (error) {
        this.options.log?.(tenant, config.id, `cannot watch for changes: ${String(error)}`);
      }
    }
  }

  /** When each scheduled connector runs next. */
  nextRuns(): { tenant: TenantId; connectorId: string; at: Date | null }[] {
    return [...this.crons.entries()].map(([key, cron]) => {
      const [tenant, connectorId] = splitKey(key);
      return { tenant, connectorId, at: cron.nextRun() };
    });
  }

  /**
   * Syncs a connector as soon as a slot is free; resolves with the finished run. If it is already queued or
   * running, returns that run instead of starting another.
   */
  runNow(tenant: TenantId, connectorId: string, options: { full?: boolean } = {}): Promise<SyncRun> {
    if (this.stopped) return Promise.reject(new AppError('unavailable', 'the sync scheduler is stopped'));
    const key = keyOf(tenant, connectorId);
    const existing = this.jobs.get(key);
    if (existing) return existing.done;
    let resolve!: (run: SyncRun) => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<SyncRun>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const job: Job = {
      tenant,
      connectorId,
      full: options.full === true,
      abort: new AbortController(),
      state: 'queued',
      done,
      resolve,
      reject,
    };
    this.jobs.set(key, job);
    this.queue.push(job);
    this.pump();
    return done;
  }

  /** 'queued' or 'running' while a sync of the connector is pending in this scheduler, else 'idle'. */
  status(tenant: TenantId, connectorId: string): 'idle' | 'queued' | 'running' {
    return this.jobs.get(keyOf(tenant, connectorId))?.state ?? 'idle';
  }

  /** Cancels a queued or running sync; returns false when there was none. The run ends `cancelled`. */
  cancel(tenant: TenantId, connectorId: string): boolean {
    const job = this.jobs.get(keyOf(tenant, connectorId));
    if (!job) return false;
    job.abort.abort();
    if (job.state === 'queued') {
      this.queue.splice(this.queue.indexOf(job), 1);
      this.jobs.delete(keyOf(tenant, connectorId));
      job.reject(new AppError('unavailable', 'the sync was cancelled before it started'));
    }
    return true;
  }

  /** Shutdown: no more ticks, queued syncs dropped, running ones cancelled and awaited. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const cron of this.crons.values()) cron.stop();
    this.crons.clear();
    for (const watcher of this.watchers.values()) watcher.stop();
    this.watchers.clear();
    const running = [...this.jobs.values()];
    for (const job of running) this.cancel(job.tenant, job.connectorId);
    await Promise.allSettled(running.map((j) => j.done));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      job.state = 'running';
      this.running += 1;
      this.execute(job)
        .then(job.resolve, job.reject)
        .finally(() => {
          this.running -= 1;
          this.jobs.delete(keyOf(job.tenant, job.connectorId));
          this.pump();
        });
    }
  }

  private async execute(job: Job): Promise<SyncRun> {
    const { tenant, connectorId } = job;
    const o = this.options;
    try {
      const run = await runSync({
        kb: o.kb,
        store: o.store,
        secrets: o.secrets,
        tenant,
        connectorId,
        full: job.full,
        signal: job.abort.signal,
        ...(o.fetch ? { fetch: o.fetch } : {}),
        ...(o.registry ? { registry: o.registry } : {}),
        ...(o.retry ? { retry: o.retry } : {}),
        ...(o.onProgress ? { onProgress: (p: SyncProgress) => o.onProgress?.(tenant, p) } : {}),
        ...(o.log ? { log: (m: string) => o.log?.(tenant, connectorId, m) } : {}),
      });
      o.onRunEnd?.(tenant, connectorId, { run });
      return run;
    } catch (error) {
      o.onRunEnd?.(tenant, connectorId, { error });
      throw error;
    }
  }
}

function keyOf(tenant: TenantId, connectorId: string): string {
  return `${tenant}/${connectorId}`;
}

function splitKey(key: string): [TenantId, string] {
  const at = key.indexOf('/');
  return [key.slice(0, at), key.slice(at + 1)];
}
