import fs from 'node:fs';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { AppError } from '../../contract/errors.js';

export type Db = Database.Database;

/** One schema step. `version` starts at 1 and grows by one; a released migration is never edited. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Stamped into the SQLite header (`PRAGMA application_id`) so we can tell our files from anyone else's.
 * 0x41445347 = "ADSG" (global), 0x41445354 = "ADST" (tenant).
 */
export const applicationIds = { global: 0x41445347, tenant: 0x41445354 } as const;

const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Opens (or creates) one of our SQLite files and brings its schema up to date.
 * Refuses, without touching the file, one that is corrupt, someone else's, or from a newer airdesk.
 * Each pending migration runs in its own transaction with the `user_version` bump, so a failure leaves the
 * file exactly at the last version that completed.
 */
export function openDatabase(
  file: string,
  kind: keyof typeof applicationIds,
  migrations: readonly Migration[],
): Db {
  checkHeader(file);
  let db: Db;
  try {
    db = new Database(file);
  } catch (cause) {
    throw corrupt(file, cause);
  }
  try {
    const { applicationId, version } = readIdentity(db, file);
    const latest = migrations.at(-1)?.version ?? 0;
    if (applicationId !== 0 && applicationId !== applicationIds[kind]) {
      throw new AppError(
        'foreign_data_folder',
        `${file} is not an airdesk ${kind} database (application id ${applicationId}); move it away or use another data folder`,
      );
    }
    if (applicationId === 0 && version === 0 && hasTables(db)) {
      throw new AppError(
        'foreign_data_folder',
        `${file} is a SQLite database that airdesk did not create; move it away or use another data folder`,
      );
    }
    if (version > latest) {
      throw new AppError(
        'newer_database',
        `${file} has schema version ${version} but this airdesk knows up to ${latest}; upgrade airdesk to open it`,
      );
    }
    // WAL lets the widget server read while ingestion writes; it must be set outside a transaction.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Loaded before the migrations so a tenant migration may use vector functions, and here rather than in the
    // store because tenant files are also opened (and migrated) when a tenant's folder is created.
    if (kind === 'tenant') loadVectorExtension(db, file);
    applyMigrations(db, file, kind, migrations, version);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function checkHeader(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return; // a missing file is created; anything else surfaces when better-sqlite3 opens it
  }
  try {
    const head = Buffer.alloc(16);
    const read = fs.readSync(fd, head, 0, 16, 0);
    if (read > 0 && (read < 16 || !head.equals(sqliteHeader))) throw corrupt(file);
  } finally {
    fs.closeSync(fd);
  }
}

function readIdentity(db: Db, file: string): { applicationId: number; version: number } {
  try {
    // Reading the schema forces SQLite to parse the header and first page: a damaged file fails here.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return {
      applicationId: db.pragma('application_id', { simple: true }) as number,
      version: db.pragma('user_version', { simple: true }) as number,
    };
  } catch (cause) {
    throw corrupt(file, cause);
  }
}

function hasTables(db: Db): boolean {
  const row = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
    n: number;
  };
  return row.n > 0;
}

/** sqlite-vec ships as a per-platform npm package; a missing or broken one must say so, not fail a query later. */
function loadVectorExtension(db: Db, file: string): void {
  try {
    sqliteVec.load(db);
  } catch (cause) {
    throw new AppError(
      'unavailable',
      `cannot open ${file}: the sqlite-vec extension did not load (${(cause as Error).message}); ` +
        `reinstall airdesk so the sqlite-vec package for ${process.platform}-${process.arch} is present`,
      { cause },
    );
  }
}

function applyMigrations(
  db: Db,
  file: string,
  kind: keyof typeof applicationIds,
  migrations: readonly Migration[],
  from: number,
): void {
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    const step = db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`application_id = ${applicationIds[kind]}`);
      db.pragma(`user_version = ${migration.version}`);
    });
    try {
      step();
    } catch (cause) {
      throw new AppError(
        'migration_failed',
        `${file}: migration ${migration.version} (${migration.name}) failed and was rolled back: ` +
          `${(cause as Error).message}; the file is unchanged, report this with the log`,
        { cause },
      );
    }
  }
}

function corrupt(file: string, cause?: unknown): AppError {
  return new AppError(
    'corrupt_database',
    `${file} is not a readable SQLite database (corrupt or truncated); restore it from a backup — airdesk will not overwrite it`,
    { cause },
  );
}
