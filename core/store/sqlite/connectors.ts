import { randomUUID } from 'node:crypto';
import { AppError } from '../../contract/errors.js';
import { checkpointSchema, type ConnectorConfig, type SyncRun } from '../../contract/connector.js';
import type { ConnectorStore } from '../../contract/store.js';
import type { TenantId } from '../../contract/tenant.js';
import type { Db } from './open-database.js';

interface ConfigRow {
  id: string;
  kind: string;
  name: string;
  settings: string;
  enabled: number;
  schedule: string | null;
  created_at: string;
  updated_at: string;
}

interface RunRow {
  id: string;
  connector_id: string;
  status: SyncRun['status'];
  started_at: string;
  finished_at: string | null;
  added: number;
  updated: number;
  deleted: number;
  failures: string;
  error: string | null;
  owner: string | null;
  heartbeat_at: string | null;
}

const toConfig = (r: ConfigRow): ConnectorConfig => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  settings: JSON.parse(r.settings) as Record<string, unknown>,
  enabled: r.enabled === 1,
  schedule: r.schedule,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toRun = (r: RunRow): SyncRun => ({
  id: r.id,
  connectorId: r.connector_id,
  status: r.status,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  added: r.added,
  updated: r.updated,
  deleted: r.deleted,
  failures: JSON.parse(r.failures) as SyncRun['failures'],
  error: r.error,
});

/**
 * Connector settings as stored here hold secret references only; the secrets themselves go to the OS keychain
 * or the encrypted secret store (connectors issue), never into this file.
 */
export function sqliteConnectorStore(dbOf: (tenant: TenantId) => Db): ConnectorStore {
  const configOf = (db: Db, tenant: TenantId, id: string) => {
    const row = db.prepare<[string], ConfigRow>('SELECT * FROM connector_configs WHERE id = ?').get(id);
    if (!row) throw new AppError('not_found', `connector ${id} does not exist in tenant "${tenant}"`);
    return row;
  };
  return {
    async add(tenant, { kind, name, settings, schedule = null }) {
      const db = dbOf(tenant);
      if (db.prepare('SELECT 1 FROM connector_configs WHERE name = ?').get(name)) {
        throw new AppError('conflict', `a connector named "${name}" already exists in tenant "${tenant}"`);
      }
      const now = new Date().toISOString();
      const id = randomUUID();
      db.prepare(
        'INSERT INTO connector_configs (id, kind, name, settings, enabled, schedule, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?)',
      ).run(id, kind, name, JSON.stringify(settings), schedule, now, now);
      return toConfig(configOf(db, tenant, id));
    },
    async list(tenant) {
      return dbOf(tenant)
        .prepare<[], ConfigRow>('SELECT * FROM connector_configs ORDER BY name')
        .all()
        .map(toConfig);
    },
    async get(tenant, id) {
      const row = dbOf(tenant)
        .prepare<[string], ConfigRow>('SELECT * FROM connector_configs WHERE id = ?')
        .get(id);
      return row ? toConfig(row) : null;
    },
    async update(tenant, id, patch) {
      const db = dbOf(tenant);
      const row = configOf(db, tenant, id);
      db.prepare(
        'UPDATE connector_configs SET settings = ?, enabled = ?, schedule = ?, updated_at = ? WHERE id = ?',
      ).run(
        patch.settings ? JSON.stringify(patch.settings) : row.settings,
        patch.enabled === undefined ? row.enabled : patch.enabled ? 1 : 0,
        patch.schedule === undefined ? row.schedule : patch.schedule,
        new Date().toISOString(),
        id,
      );
      return toConfig(configOf(db, tenant, id));
    },
    async delete(tenant, id) {
      return dbOf(tenant).prepare('DELETE FROM connector_configs WHERE id = ?').run(id).changes > 0;
    },
    async saveCheckpoint(tenant, connectorId, checkpoint) {
      const db = dbOf(tenant);
      configOf(db, tenant, connectorId);
      db.prepare(
        `INSERT INTO connector_checkpoints (connector_id, checkpoint, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (connector_id) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at`,
      ).run(connectorId, JSON.stringify(checkpointSchema.parse(checkpoint)), new Date().toISOString());
    },
    async loadCheckpoint(tenant, connectorId) {
      const row = dbOf(tenant)
        .prepare<[string], { checkpoint: string }>(
          'SELECT checkpoint FROM connector_checkpoints WHERE connector_id = ?',
        )
        .get(connectorId);
      return row ? checkpointSchema.parse(JSON.parse(row.checkpoint)) : null;
    },
    async startRun(tenant, connectorId, lease) {
      const db = dbOf(tenant);
      configOf(db, tenant, connectorId);
      const id = randomUUID();
      const now = new Date().toISOString();
      const start = db.transaction(() => {
        if (lease) {
          const running = db
            .prepare<[string], RunRow>(
              "SELECT * FROM sync_runs WHERE connector_id = ? AND status = 'running'",
            )
            .all(connectorId);
          for (const r of running) {
            const held = { runId: r.id, owner: r.owner, heartbeatAt: r.heartbeat_at ?? r.started_at };
            if (!lease.isAbandoned(held)) {
              throw new AppError(
                'conflict',
                `connector ${connectorId} is already syncing (run ${r.id}, ${r.owner ?? 'another process'}); wait for it or cancel it`,
              );
            }
            db.prepare(
              "UPDATE sync_runs SET status = 'failed', finished_at = ?, error = ? WHERE id = ? AND status = 'running'",
            ).run(now, `interrupted: the process running it stopped; run ${id} resumed it`, r.id);
          }
        }
        db.prepare(
          'INSERT INTO sync_runs (id, connector_id, status, started_at, owner, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(id, connectorId, 'running', now, lease?.owner ?? null, now);
      });
      start.immediate();
      return toRun(db.prepare<[string], RunRow>('SELECT * FROM sync_runs WHERE id = ?').get(id)!);
    },
    async heartbeat(tenant, runId) {
      dbOf(tenant)
        .prepare("UPDATE sync_runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'")
        .run(new Date().toISOString(), runId);
    },
    async finishRun(tenant, runId, result) {
      const db = dbOf(tenant);
      const changed = db
        .prepare(
          `UPDATE sync_runs SET status = ?, finished_at = ?, added = ?, updated = ?, deleted = ?, failures = ?, error = ?
           WHERE id = ? AND status = 'running'`,
        )
        .run(
          result.status,
          new Date().toISOString(),
          result.added,
          result.updated,
          result.deleted,
          JSON.stringify(result.failures),
          result.error,
          runId,
        ).changes;
      if (changed === 0)
        throw new AppError('not_found', `no running sync run ${runId} in tenant "${tenant}"`);
      return toRun(db.prepare<[string], RunRow>('SELECT * FROM sync_runs WHERE id = ?').get(runId)!);
    },
    async runs(tenant, connectorId, limit = 20) {
      return dbOf(tenant)
        .prepare<[string, number], RunRow>(
          'SELECT * FROM sync_runs WHERE connector_id = ? ORDER BY started_at DESC LIMIT ?',
        )
        .all(connectorId, limit)
        .map(toRun);
    },
  };
}
