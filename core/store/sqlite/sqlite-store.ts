import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../contract/errors.js';
import type { Store } from '../../contract/store.js';
import type { TenantId } from '../../contract/tenant.js';
import { ensureHome, homeLayout } from '../../home/data-folder.js';
import { sqliteAnswerMemoryStore } from './answers.js';
import { sqliteQualityStore } from './quality.js';
import { sqliteConnectorStore } from './connectors.js';
import { sqliteConversationStore } from './conversations.js';
import { sqliteDeskStore } from './desk.js';
import { globalMigrations } from './global-migrations.js';
import { sqliteKnowledgeStore } from './knowledge.js';
import { openDatabase, type Db } from './open-database.js';
import { sqliteAuditLog, sqliteSessionStore, sqliteTenantRegistry } from './registry.js';
import { tenantMigrations } from './tenant-migrations.js';
import { sqliteWidgetKeyStore } from './widget-keys.js';
import {
  checkTenantId,
  removePendingFolders,
  resolveTenantFile,
  tenantDbFile,
  tenantDir,
} from './tenant-folders.js';

/**
 * The embedded store: `airdesk.db` for what spans tenants, and `tenants/<id>/tenant.db` per tenant.
 * Tenant files are opened on first use and kept open; a tenant must be registered before its file is touched.
 */
export function openSqliteStore(home: string): Store {
  ensureHome(home);
  removePendingFolders(home);
  const globalDb = openDatabase(homeLayout.globalDb(home), 'global', globalMigrations);
  const tenantDbs = new Map<TenantId, Db>();
  const registered = globalDb.prepare<[string], { id: string }>('SELECT id FROM tenants WHERE id = ?');

  function dbOf(tenant: TenantId): Db {
    const id = checkTenantId(tenant);
    const open = tenantDbs.get(id);
    if (open) return open;
    if (!registered.get(id)) {
      throw new AppError(
        'not_found',
        `tenant "${id}" does not exist; create it with "airdesk tenants create ${id}"`,
      );
    }
    const file = path.join(tenantDir(home, id), tenantDbFile);
    if (!fs.existsSync(file)) {
      throw new AppError(
        'not_found',
        `${file} is missing although tenant "${id}" is registered; restore the tenant's folder from a backup`,
      );
    }
    const db = openDatabase(file, 'tenant', tenantMigrations);
    tenantDbs.set(id, db);
    return db;
  }

  return {
    tenants: sqliteTenantRegistry(globalDb, home),
    sessions: sqliteSessionStore(globalDb),
    audit: sqliteAuditLog(globalDb),
    conversations: sqliteConversationStore(dbOf),
    knowledge: sqliteKnowledgeStore(dbOf),
    connectors: sqliteConnectorStore(dbOf),
    answers: sqliteAnswerMemoryStore(dbOf),
    quality: sqliteQualityStore(dbOf),
    widgetKeys: sqliteWidgetKeyStore(globalDb),
    desk: sqliteDeskStore(dbOf),
    async tenantFile(tenant, relativePath) {
      dbOf(tenant); // a tenant that is not registered has no files
      return resolveTenantFile(home, tenant, relativePath);
    },
    async close() {
      for (const db of tenantDbs.values()) db.close();
      tenantDbs.clear();
      globalDb.close();
    },
  };
}
