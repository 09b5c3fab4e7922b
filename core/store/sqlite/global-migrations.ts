import type { Migration } from './open-database.js';

/** Schema of the global database: who may sign in and what happened, across tenants. */
export const globalMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, users, roles, sessions, audit log',
    sql: `
      CREATE TABLE tenants (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        created_at  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE users (
        id            TEXT PRIMARY KEY,
        email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name  TEXT NOT NULL,
        password_hash TEXT,
        sso_subject   TEXT UNIQUE,
        disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at    TEXT NOT NULL
      ) STRICT;

      CREATE TABLE roles (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        permissions TEXT NOT NULL DEFAULT '[]',
        builtin     INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1))
      ) STRICT;

      -- tenant_id NULL: the role holds in every tenant.
      CREATE TABLE user_roles (
        user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role_id   TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
        tenant_id TEXT REFERENCES tenants(id) ON DELETE CASCADE,
        UNIQUE (user_id, role_id, tenant_id)
      ) STRICT;

      -- Only a hash of the session secret is stored; user_id NULL means signed in with the console token.
      CREATE TABLE sessions (
        id          TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL UNIQUE,
        user_id     TEXT REFERENCES users(id) ON DELETE CASCADE,
        created_at  TEXT NOT NULL,
        expires_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX sessions_expiry ON sessions(expires_at);

      CREATE TABLE audit_log (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        tenant_id TEXT,
        action    TEXT NOT NULL,
        target    TEXT,
        details   TEXT NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE INDEX audit_by_tenant ON audit_log(tenant_id, id);

      INSERT INTO roles (id, name, permissions, builtin) VALUES
        ('admin', 'Administrator', '["*"]', 1),
        ('agent', 'Agent', '["inbox.read","inbox.reply","knowledge.read"]', 1),
        ('viewer', 'Viewer', '["inbox.read","knowledge.read","quality.read"]', 1);
    `,
  },
  {
    version: 2,
    name: 'widget keys',
    // Publishable widget keys: only a SHA-256 of the key is kept. origins: JSON array of normalised origins.
    sql: `
      CREATE TABLE widget_keys (
        id         TEXT PRIMARY KEY,
        key_hash   TEXT NOT NULL UNIQUE,
        tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        origins    TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        revoked_at TEXT
      ) STRICT;
      CREATE INDEX widget_keys_by_tenant ON widget_keys(tenant_id);
    `,
  },
];
