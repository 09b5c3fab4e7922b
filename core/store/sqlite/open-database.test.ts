import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../contract/errors.js';
import { tempDir } from '../../testing/temp-home.js';
import { openDatabase, type Migration } from './open-database.js';

const v1: Migration = {
  version: 1,
  name: 'notes',
  sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT) STRICT;',
};
const v2: Migration = {
  version: 2,
  name: 'tags',
  sql: 'CREATE TABLE tags (note_id INTEGER REFERENCES notes(id));',
};
const broken: Migration = {
  version: 2,
  name: 'half-done',
  sql: 'CREATE TABLE tags (id INTEGER); INSERT INTO notes (body) VALUES (1, 2, 3);',
};

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function expectAppError(fn: () => unknown, code: string, mentions: string) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(code);
    expect((error as AppError).message).toContain(mentions);
    return;
  }
  throw new Error(`expected an AppError ${code}`);
}

describe('openDatabase', () => {
  let dir: string;
  let cleanup: () => void;
  let file: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    file = path.join(dir, 'test.db');
  });
  afterEach(() => cleanup());

  it('creates the file, applies migrations in order and turns on WAL and foreign keys', () => {
    const db = openDatabase(file, 'tenant', [v1, v2]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() => db.prepare('INSERT INTO tags (note_id) VALUES (42)').run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('applies only the migrations a file has not seen yet', () => {
    openDatabase(file, 'tenant', [v1]).close();
    const db = openDatabase(file, 'tenant', [v1, v2]);
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all(),
    ).toEqual(['notes', 'tags']);
    db.close();
  });

  it('leaves the file exactly as it was when a migration fails', () => {
    const db = openDatabase(file, 'tenant', [v1]);
    db.prepare('INSERT INTO notes (body) VALUES (?)').run('keep me');
    db.close();
    const before = sha(file);
    expectAppError(() => openDatabase(file, 'tenant', [v1, broken]), 'migration_failed', 'half-done');
    expect(sha(file)).toBe(before);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(1);
    expect(check.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'tags'").pluck().get()).toBe(0);
    expect(check.prepare('SELECT body FROM notes').pluck().all()).toEqual(['keep me']);
    check.close();
  });

  it('refuses a file from a newer airdesk without changing it', () => {
    openDatabase(file, 'tenant', [v1, v2]).close();
    const before = sha(file);
    expectAppError(() => openDatabase(file, 'tenant', [v1]), 'newer_database', file);
    expect(sha(file)).toBe(before);
  });

  it('refuses a corrupt file and names it, without overwriting it', () => {
    fs.writeFileSync(file, Buffer.from('this is not a database at all, just some text that is long enough'));
    const before = sha(file);
    expectAppError(() => openDatabase(file, 'tenant', [v1]), 'corrupt_database', file);
    expect(sha(file)).toBe(before);
  });

  it('refuses a SQLite file whose pages are damaged', () => {
    openDatabase(file, 'tenant', [v1, v2]).close();
    const bytes = fs.readFileSync(file);
    bytes.fill(0xff, 100, Math.min(bytes.length, 4096));
    fs.writeFileSync(file, bytes);
    expectAppError(() => openDatabase(file, 'tenant', [v1, v2]), 'corrupt_database', file);
  });

  it("refuses another program's SQLite database and another kind of airdesk database", () => {
    const other = new Database(file);
    other.exec('CREATE TABLE customers (id INTEGER)');
    other.close();
    expectAppError(() => openDatabase(file, 'tenant', [v1]), 'foreign_data_folder', 'did not create');
    const globalFile = path.join(dir, 'global.db');
    openDatabase(globalFile, 'global', [v1]).close();
    expectAppError(
      () => openDatabase(globalFile, 'tenant', [v1]),
      'foreign_data_folder',
      'not an airdesk tenant',
    );
  });
});
