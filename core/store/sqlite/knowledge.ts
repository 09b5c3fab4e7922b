import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '../../contract/errors.js';
import type { DocumentPermissions } from '../../contract/connector.js';
import type { DocumentRecord, KnowledgeSource } from '../../contract/knowledge.js';
import type { KnowledgeStore } from '../../contract/store.js';
import type { TenantId } from '../../contract/tenant.js';
import type { Db } from './open-database.js';

interface SourceRow {
  id: string;
  name: string;
  kind: KnowledgeSource['kind'];
  connector_id: string | null;
  created_at: string;
}

interface DocumentRow {
  id: string;
  source_id: string;
  external_id: string;
  title: string;
  content_hash: string;
  version: number;
  metadata: string;
  permissions: string | null;
  public_override: number | null;
  created_at: string;
  updated_at: string;
}

const toSource = (r: SourceRow): KnowledgeSource => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  connectorId: r.connector_id,
  createdAt: r.created_at,
});

const toDocument = (r: DocumentRow): DocumentRecord => {
  const permissions = r.permissions === null ? null : (JSON.parse(r.permissions) as DocumentPermissions);
  const publicOverride = r.public_override === null ? null : r.public_override === 1;
  return {
    id: r.id,
    sourceId: r.source_id,
    externalId: r.external_id,
    title: r.title,
    contentHash: r.content_hash,
    version: r.version,
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    permissions,
    publicOverride,
    isPublic: publicOverride ?? permissions?.public ?? false,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
};

/**
 * Permissions as stored and compared: principals trimmed, deduplicated and sorted; null for none. Only what
 * they mean counts, so a source listing the same principals in another order is not a change.
 */
export function normalizePermissions(p: DocumentPermissions | null | undefined): DocumentPermissions | null {
  if (!p) return null;
  const principals = [...new Set(p.principals.map((x) => x.trim()).filter((x) => x.length > 0))].sort();
  return { public: p.public === true, principals };
}

/** Whether two permission sets grant the same access (none = not public, every agent). */
export function samePermissions(
  a: DocumentPermissions | null | undefined,
  b: DocumentPermissions | null | undefined,
): boolean {
  const key = (p: DocumentPermissions | null) => JSON.stringify([p?.public ?? false, p?.principals ?? []]);
  return key(normalizePermissions(a)) === key(normalizePermissions(b));
}

/**
 * A document's id is derived from its source and external id, so the index and the store agree on it before
 * either has written anything: an ingest interrupted between the two is redone under the same id, never
 * leaving a second copy behind.
 */
export function documentIdFor(sourceId: string, externalId: string): string {
  return createHash('sha256').update(sourceId).update('\u0000').update(externalId).digest('hex').slice(0, 32);
}

export function sqliteKnowledgeStore(dbOf: (tenant: TenantId) => Db): KnowledgeStore {
  return {
    async createSource(tenant, { name, kind, connectorId }) {
      const db = dbOf(tenant);
      if (db.prepare('SELECT 1 FROM knowledge_sources WHERE name = ?').get(name)) {
        throw new AppError('conflict', `knowledge source "${name}" already exists in tenant "${tenant}"`);
      }
      const source: KnowledgeSource = {
        id: randomUUID(),
        name,
        kind,
        connectorId: connectorId ?? null,
        createdAt: new Date().toISOString(),
      };
      db.prepare(
        'INSERT INTO knowledge_sources (id, name, kind, connector_id, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(source.id, name, kind, source.connectorId, source.createdAt);
      return source;
    },
    async listSources(tenant) {
      return dbOf(tenant)
        .prepare<[], SourceRow>('SELECT * FROM knowledge_sources ORDER BY name')
        .all()
        .map(toSource);
    },
    async upsertDocument(tenant, input) {
      const db = dbOf(tenant);
      const upsert = db.transaction(() => {
        if (!db.prepare('SELECT 1 FROM knowledge_sources WHERE id = ?').get(input.sourceId)) {
          throw new AppError(
            'not_found',
            `knowledge source ${input.sourceId} does not exist in tenant "${tenant}"`,
          );
        }
        const now = new Date().toISOString();
        const metadata = JSON.stringify(input.metadata ?? {});
        const permissions = normalizePermissions(input.permissions);
        const permissionsJson = permissions ? JSON.stringify(permissions) : null;
        const existing = db
          .prepare<[string, string], DocumentRow>(
            'SELECT * FROM documents WHERE source_id = ? AND external_id = ?',
          )
          .get(input.sourceId, input.externalId);
        if (!existing) {
          const id = documentIdFor(input.sourceId, input.externalId);
          db.prepare(
            `INSERT INTO documents (id, source_id, external_id, title, content_hash, version, metadata, permissions, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
          ).run(
            id,
            input.sourceId,
            input.externalId,
            input.title,
            input.contentHash,
            metadata,
            permissionsJson,
            now,
            now,
          );
          return { id, outcome: 'added' as const };
        }
        const stored =
          existing.permissions === null ? null : (JSON.parse(existing.permissions) as DocumentPermissions);
        const sameAccess = samePermissions(stored, permissions);
        if (existing.content_hash === input.contentHash) {
          if (sameAccess) return { id: existing.id, outcome: 'unchanged' as const };
          // Same text, new permissions: an update, but not a new version of the content. public_override stays.
          db.prepare('UPDATE documents SET permissions = ?, metadata = ?, updated_at = ? WHERE id = ?').run(
            permissionsJson,
            metadata,
            now,
            existing.id,
          );
          return { id: existing.id, outcome: 'updated' as const };
        }
        db.prepare(
          'UPDATE documents SET title = ?, content_hash = ?, version = version + 1, metadata = ?, permissions = ?, updated_at = ? WHERE id = ?',
        ).run(input.title, input.contentHash, metadata, permissionsJson, now, existing.id);
        return { id: existing.id, outcome: 'updated' as const };
      });
      // IMMEDIATE: it reads before it writes; see sqliteDeskActions.
      const { id, outcome } = upsert.immediate();
      const row = db.prepare<[string], DocumentRow>('SELECT * FROM documents WHERE id = ?').get(id)!;
      return { document: toDocument(row), outcome };
    },
    async getDocument(tenant, id) {
      const row = dbOf(tenant).prepare<[string], DocumentRow>('SELECT * FROM documents WHERE id = ?').get(id);
      return row ? toDocument(row) : null;
    },
    async listDocuments(tenant, { sourceId, limit = 1000 } = {}) {
      const db = dbOf(tenant);
      const rows =
        sourceId === undefined
          ? db
              .prepare<[number], DocumentRow>('SELECT * FROM documents ORDER BY external_id LIMIT ?')
              .all(limit)
          : db
              .prepare<[string, number], DocumentRow>(
                'SELECT * FROM documents WHERE source_id = ? ORDER BY external_id LIMIT ?',
              )
              .all(sourceId, limit);
      return rows.map(toDocument);
    },
    async forgetContentHashes(tenant) {
      return dbOf(tenant).prepare("UPDATE documents SET content_hash = ''").run().changes;
    },
    async setPublic(tenant, docId, isPublic) {
      const db = dbOf(tenant);
      const override = isPublic === null ? null : isPublic ? 1 : 0;
      const changed = db
        .prepare('UPDATE documents SET public_override = ?, updated_at = ? WHERE id = ?')
        .run(override, new Date().toISOString(), docId).changes;
      if (changed === 0)
        throw new AppError('not_found', `document ${docId} does not exist in tenant "${tenant}"`);
      return toDocument(
        db.prepare<[string], DocumentRow>('SELECT * FROM documents WHERE id = ?').get(docId)!,
      );
    },
    async deleteDocument(tenant, id) {
      return dbOf(tenant).prepare('DELETE FROM documents WHERE id = ?').run(id).changes > 0;
    },
  };
}
