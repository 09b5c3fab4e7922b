import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../contract/errors.js';
import { tenantIdSchema, type TenantId } from '../../contract/tenant.js';
import { homeLayout } from '../../home/data-folder.js';
import { openDatabase } from './open-database.js';
import { tenantMigrations } from './tenant-migrations.js';

/** A tenant's folder holds its SQLite file and (from the knowledge engine on) its LanceDB data. */
export const tenantDbFile = 'tenant.db';
const pendingPrefix = '.creating-';

/** Parses a tenant id, turning a bad one into an error that says what a good one looks like. */
export function checkTenantId(id: string): TenantId {
  const parsed = tenantIdSchema.safeParse(id);
  if (!parsed.success) {
    throw new AppError(
      'invalid_input',
      `"${id}" is not a valid tenant id: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  }
  return parsed.data;
}

export function tenantDir(home: string, tenant: TenantId): string {
  return path.join(homeLayout.tenantsDir(home), checkTenantId(tenant));
}

/**
 * Builds a new tenant folder under a temporary name and renames it into place, so a crash never leaves a
 * half-made folder under the tenant's real name. Returns the final path.
 */
export function createTenantFolder(home: string, tenant: TenantId): string {
  const root = homeLayout.tenantsDir(home);
  fs.mkdirSync(root, { recursive: true });
  const final = tenantDir(home, tenant);
  if (fs.existsSync(final)) return adoptExistingFolder(final);
  const pending = path.join(root, `${pendingPrefix}${tenant}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(pending);
  try {
    openDatabase(path.join(pending, tenantDbFile), 'tenant', tenantMigrations).close();
    fs.renameSync(pending, final);
  } catch (error) {
    fs.rmSync(pending, { recursive: true, force: true });
    throw error;
  }
  return final;
}

/**
 * A folder already under the tenant's name but with no registry row is what a crash between the rename and
 * the registry insert leaves behind: accept it if it is one of ours, refuse otherwise.
 */
function adoptExistingFolder(dir: string): string {
  const dbPath = path.join(dir, tenantDbFile);
  if (!fs.existsSync(dbPath)) {
    throw new AppError(
      'conflict',
      `${dir} already exists and holds no ${tenantDbFile}; move it away or choose another tenant id`,
    );
  }
  openDatabase(dbPath, 'tenant', tenantMigrations).close();
  return dir;
}

/** Removes folders that a crash left half-made; they were never registered, so nothing refers to them. */
export function removePendingFolders(home: string): void {
  const root = homeLayout.tenantsDir(home);
  if (!fs.existsSync(root)) return;
  for (const entry of fs.readdirSync(root)) {
    if (entry.startsWith(pendingPrefix)) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  }
}

/**
 * Resolves a path inside a tenant's folder. Absolute paths and any path that climbs out (`..`, or a symlinked
 * parent pointing elsewhere) are refused: a tenant's files are reachable only through its own folder.
 */
export function resolveTenantFile(home: string, tenant: TenantId, relativePath: string): string {
  const dir = tenantDir(home, tenant);
  if (relativePath.length === 0 || path.isAbsolute(relativePath) || /^[a-zA-Z]:/.test(relativePath)) {
    throw new AppError(
      'invalid_input',
      `"${relativePath}" must be a relative path inside the tenant's folder`,
    );
  }
  const full = path.resolve(dir, relativePath);
  const rel = path.relative(dir, full);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new AppError('invalid_input', `"${relativePath}" leaves the tenant's folder; use a path inside it`);
  }
  const realDir = fs.realpathSync(dir);
  const existing = nearestExisting(full);
  const realExisting = fs.realpathSync(existing);
  if (realExisting !== realDir && !realExisting.startsWith(realDir + path.sep)) {
    throw new AppError('invalid_input', `"${relativePath}" resolves outside the tenant's folder`);
  }
  return full;
}

function nearestExisting(p: string): string {
  let current = p;
  while (!fs.existsSync(current)) current = path.dirname(current);
  return current;
}
