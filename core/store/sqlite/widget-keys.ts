import { randomUUID } from 'node:crypto';
import type { WidgetKeyRecord, WidgetKeyStore } from '../../contract/store.js';
import type { Db } from './open-database.js';

interface WidgetKeyRow {
  id: string;
  key_hash: string;
  tenant_id: string;
  origins: string;
  created_at: string;
  revoked_at: string | null;
}

const toKey = (r: WidgetKeyRow): WidgetKeyRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  origins: JSON.parse(r.origins) as string[],
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

/** Publishable widget keys live in the global database: a key names its tenant. */
export function sqliteWidgetKeyStore(db: Db): WidgetKeyStore {
  return {
    async create({ tenantId, keyHash, origins }) {
      const record: WidgetKeyRecord = {
        id: randomUUID(),
        tenantId,
        origins,
        createdAt: new Date().toISOString(),
        revokedAt: null,
      };
      db.prepare(
        'INSERT INTO widget_keys (id, key_hash, tenant_id, origins, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(record.id, keyHash, tenantId, JSON.stringify(origins), record.createdAt);
      return record;
    },
    async findByHash(keyHash) {
      const row = db
        .prepare<[string], WidgetKeyRow>(
          'SELECT * FROM widget_keys WHERE key_hash = ? AND revoked_at IS NULL',
        )
        .get(keyHash);
      return row ? toKey(row) : null;
    },
    async list({ tenantId } = {}) {
      const rows =
        tenantId === undefined
          ? db.prepare<[], WidgetKeyRow>('SELECT * FROM widget_keys ORDER BY created_at').all()
          : db
              .prepare<[string], WidgetKeyRow>(
                'SELECT * FROM widget_keys WHERE tenant_id = ? ORDER BY created_at',
              )
              .all(tenantId);
      return rows.map(toKey);
    },
    async revoke(id) {
      const result = db
        .prepare('UPDATE widget_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
        .run(new Date().toISOString(), id);
      return result.changes > 0;
    },
    async setOrigins(id, origins) {
      const row = db
        .prepare<[string, string], WidgetKeyRow>(
          'UPDATE widget_keys SET origins = ? WHERE id = ? RETURNING *',
        )
        .get(JSON.stringify(origins), id);
      return row ? toKey(row) : null;
    },
    async allowedOrigins() {
      const rows = db
        .prepare<[], { origins: string }>('SELECT origins FROM widget_keys WHERE revoked_at IS NULL')
        .all();
      return [...new Set(rows.flatMap((r) => JSON.parse(r.origins) as string[]))];
    },
  };
}
