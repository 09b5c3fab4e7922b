import { randomUUID } from 'node:crypto';
import {
  defaultDeskSettings,
  deskSettingsSchema,
  type CsatRecord,
  type DeskSettings,
  type InternalNote,
  priorities,
} from '../../contract/conversation.js';
import { AppError } from '../../contract/errors.js';
import type { DeskStore } from '../../contract/store.js';
import type { TenantId } from '../../contract/tenant.js';
import { sqliteDeskActions } from './desk-actions.js';
import {
  insertDraft,
  insertEscalation,
  insertEvents,
  toDraft,
  toEvent,
  type EventRow,
  toEscalation,
  type DraftRow,
  type EscalationRow,
} from './desk-rows.js';
import { undraftedVisitorMessages } from './inbox.js';
import type { Db } from './open-database.js';

interface CsatRow {
  conversation_id: string;
  rating: number;
  comment: string | null;
  created_at: string;
}

const toCsat = (r: CsatRow): CsatRecord => ({
  conversationId: r.conversation_id,
  rating: r.rating,
  comment: r.comment,
  createdAt: r.created_at,
});

/** The desk's per-tenant rows, in the tenant's own file like its conversations. */
export function sqliteDeskStore(dbOf: (tenant: TenantId) => Db): DeskStore {
  const mustExist = (db: Db, tenant: TenantId, id: string) => {
    const row = db.prepare<[string], { id: string }>('SELECT id FROM conversations WHERE id = ?').get(id);
    if (!row) throw new AppError('not_found', `conversation ${id} does not exist in tenant "${tenant}"`);
  };
  const readSettings = (db: Db): DeskSettings => {
    const rows = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM desk_settings').all();
    const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
    const parsed = deskSettingsSchema.safeParse({ ...defaultDeskSettings, ...stored });
    return parsed.success ? parsed.data : { ...defaultDeskSettings };
  };
  return {
    async settings(tenant) {
      return readSettings(dbOf(tenant));
    },
    async updateSettings(tenant, patch) {
      const db = dbOf(tenant);
      const put = db.prepare(
        'INSERT INTO desk_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      );
      // Read and written in one IMMEDIATE transaction: two concurrent patches do not undo each other.
      return db
        .transaction(() => {
          const next = deskSettingsSchema.parse({ ...readSettings(db), ...patch });
          for (const [key, value] of Object.entries(next)) put.run(key, JSON.stringify(value));
          return next;
        })
        .immediate();
    },
    async appendEvents(tenant, conversationId, events) {
      const db = dbOf(tenant);
      return db
        .transaction(() => {
          mustExist(db, tenant, conversationId);
          return insertEvents(db, conversationId, events);
        })
        .immediate(); // reads then writes: see sqliteDeskActions on why IMMEDIATE
    },
    async events(tenant, conversationId, { afterId = 0, limit = 1000 } = {}) {
      return dbOf(tenant)
        .prepare<[string, number, number], EventRow>(
          'SELECT * FROM conversation_events WHERE conversation_id = ? AND id > ? ORDER BY id LIMIT ?',
        )
        .all(conversationId, afterId, limit)
        .map(toEvent);
    },
    async saveDraft(tenant, input) {
      return insertDraft(dbOf(tenant), input, 'pending');
    },
    async drafts(tenant, { conversationId, status, limit = 100 } = {}) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (conversationId !== undefined) {
        where.push('conversation_id = ?');
        params.push(conversationId);
      }
      if (status !== undefined) {
        where.push('status = ?');
        params.push(status);
      }
      const sql = `SELECT * FROM agent_drafts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, rowid DESC LIMIT ?`;
      return dbOf(tenant)
        .prepare<(string | number)[], DraftRow>(sql)
        .all(...params, limit)
        .map(toDraft);
    },
    async setDraftStatus(tenant, id, status) {
      const result = dbOf(tenant).prepare('UPDATE agent_drafts SET status = ? WHERE id = ?').run(status, id);
      if (result.changes === 0)
        throw new AppError('not_found', `draft ${id} does not exist in tenant "${tenant}"`);
    },
    async recordEscalation(tenant, input) {
      const db = dbOf(tenant);
      return db.transaction(() => insertEscalation(db, tenant, input)).immediate();
    },
    async escalations(tenant, { conversationId, status } = {}) {
      const where: string[] = [];
      const params: string[] = [];
      if (conversationId !== undefined) {
        where.push('conversation_id = ?');
        params.push(conversationId);
      }
      if (status !== undefined) {
        where.push('status = ?');
        params.push(status);
      }
      const sql = `SELECT * FROM escalations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, rowid DESC`;
      return dbOf(tenant)
        .prepare<string[], EscalationRow>(sql)
        .all(...params)
        .map(toEscalation);
    },
    async closeEscalations(tenant, conversationId) {
      const result = dbOf(tenant)
        .prepare(
          "UPDATE escalations SET status = 'closed', closed_at = ? WHERE conversation_id = ? AND status != 'closed'",
        )
        .run(new Date().toISOString(), conversationId);
      return result.changes;
    },
    async moveEscalations(tenant, conversationId, from, to) {
      return dbOf(tenant)
        .prepare<[string, string, string], EscalationRow>(
          'UPDATE escalations SET status = ? WHERE conversation_id = ? AND status = ? RETURNING *',
        )
        .all(to, conversationId, from)
        .map(toEscalation);
    },
    async escalationQueue(tenant, { statuses, limit }) {
      if (statuses.length === 0) return [];
      const rank = `CASE priority ${priorities.map((p, i) => `WHEN '${p}' THEN ${i}`).join(' ')} END`;
      // Active ones: most urgent, then longest waiting. Closed ones are history: latest closed first, so the
      // list does not show the oldest ones forever.
      const closedLast = "status = 'closed'";
      const active = (sql: string) => `CASE WHEN status = 'closed' THEN NULL ELSE ${sql} END`;
      return dbOf(tenant)
        .prepare<(string | number)[], EscalationRow>(
          `SELECT * FROM escalations WHERE status IN (${statuses.map(() => '?').join(', ')})
           ORDER BY ${closedLast}, ${active(rank)}, ${active('created_at')}, closed_at DESC, rowid LIMIT ?`,
        )
        .all(...statuses, limit)
        .map(toEscalation);
    },
    async addNote(tenant, { conversationId, author, text }) {
      const db = dbOf(tenant);
      mustExist(db, tenant, conversationId);
      const note: InternalNote = {
        id: randomUUID(),
        conversationId,
        author,
        text,
        createdAt: new Date().toISOString(),
      };
      db.prepare(
        'INSERT INTO internal_notes (id, conversation_id, author, text, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(note.id, conversationId, author, text, note.createdAt);
      return note;
    },
    async notes(tenant, conversationId) {
      return dbOf(tenant)
        .prepare<
          [string],
          { id: string; conversation_id: string; author: string; text: string; created_at: string }
        >('SELECT * FROM internal_notes WHERE conversation_id = ? ORDER BY created_at, rowid')
        .all(conversationId)
        .map((r) => ({
          id: r.id,
          conversationId: r.conversation_id,
          author: r.author,
          text: r.text,
          createdAt: r.created_at,
        }));
    },
    async saveCsat(tenant, { conversationId, rating, comment }) {
      const db = dbOf(tenant);
      mustExist(db, tenant, conversationId);
      const record: CsatRecord = { conversationId, rating, comment, createdAt: new Date().toISOString() };
      db.prepare(
        `INSERT INTO csat (conversation_id, rating, comment, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(conversation_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment,
           created_at = excluded.created_at`,
      ).run(conversationId, rating, comment, record.createdAt);
      return record;
    },
    async csat(tenant, conversationId) {
      const row = dbOf(tenant)
        .prepare<[string], CsatRow>('SELECT * FROM csat WHERE conversation_id = ?')
        .get(conversationId);
      return row ? toCsat(row) : null;
    },
    async undraftedVisitorMessages(tenant, filter) {
      return undraftedVisitorMessages(dbOf(tenant), filter);
    },
    ...sqliteDeskActions(dbOf),
  };
}
