import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../../contract/errors.js';
import type {
  AuditEntry,
  AuditLog,
  ConsoleSession,
  SessionStore,
  TenantRegistry,
} from '../../contract/store.js';
import type { CreateTenantInput, Tenant, TenantId } from '../../contract/tenant.js';
import type { Db } from './open-database.js';
import { checkTenantId, createTenantFolder } from './tenant-folders.js';

interface TenantRow {
  id: string;
  name: string;
  created_at: string;
}

const toTenant = (r: TenantRow): Tenant => ({ id: r.id, name: r.name, createdAt: r.created_at });

/** Tenants live in the global database; each one's data lives in its own folder. */
export function sqliteTenantRegistry(db: Db, home: string): TenantRegistry {
  const byId = db.prepare<[string], TenantRow>('SELECT * FROM tenants WHERE id = ?');
  return {
    async create(input: CreateTenantInput) {
      const id = checkTenantId(input.id);
      if (byId.get(id)) {
        throw new AppError(
          'conflict',
          `tenant "${id}" already exists; list tenants with "airdesk tenants list"`,
        );
      }
      createTenantFolder(home, id);
      const tenant: Tenant = { id, name: input.name ?? id, createdAt: new Date().toISOString() };
      db.prepare('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)').run(
        id,
        tenant.name,
        tenant.createdAt,
      );
      return tenant;
    },
    async list() {
      return db.prepare<[], TenantRow>('SELECT * FROM tenants ORDER BY id').all().map(toTenant);
    },
    async get(id: TenantId) {
      const row = byId.get(checkTenantId(id));
      return row ? toTenant(row) : null;
    },
  };
}

interface SessionRow {
  id: string;
  user_id: string | null;
  created_at: string;
  expires_at: string;
}

const toSession = (r: SessionRow): ConsoleSession => ({
  id: r.id,
  userId: r.user_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

/** Session secrets are 256 random bits, so a plain SHA-256 is enough to make a stolen database useless. */
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function sqliteSessionStore(db: Db): SessionStore {
  return {
    async create({ userId, ttlMs }) {
      const secret = randomBytes(32).toString('base64url');
      const now = new Date();
      const session: ConsoleSession = {
        id: randomUUID(),
        userId,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
      };
      db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(session.createdAt);
      db.prepare(
        'INSERT INTO sessions (id, secret_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      ).run(session.id, hashSecret(secret), userId, session.createdAt, session.expiresAt);
      return { session, secret };
    },
    async findBySecret(secret: string) {
      const row = db
        .prepare<[string, string], SessionRow>(
          'SELECT * FROM sessions WHERE secret_hash = ? AND expires_at > ?',
        )
        .get(hashSecret(secret), new Date().toISOString());
      return row ? toSession(row) : null;
    },
    async delete(id: string) {
      db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
    },
  };
}

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  tenant_id: string | null;
  action: string;
  target: string | null;
  details: string;
}

export function sqliteAuditLog(db: Db): AuditLog {
  return {
    async append(entry) {
      db.prepare(
        'INSERT INTO audit_log (at, actor, tenant_id, action, target, details) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(
        new Date().toISOString(),
        entry.actor,
        entry.tenantId,
        entry.action,
        entry.target,
        JSON.stringify(entry.details),
      );
    },
    async list({ tenantId, limit = 100 }) {
      const rows =
        tenantId === undefined
          ? db.prepare<[number], AuditRow>('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit)
          : db
              .prepare<[string, number], AuditRow>(
                'SELECT * FROM audit_log WHERE tenant_id = ? ORDER BY id DESC LIMIT ?',
              )
              .all(checkTenantId(tenantId), limit);
      return rows.map((r): AuditEntry => ({
        id: r.id,
        at: r.at,
        actor: r.actor,
        tenantId: r.tenant_id,
        action: r.action,
        target: r.target,
        details: JSON.parse(r.details) as Record<string, unknown>,
      }));
    },
  };
}
