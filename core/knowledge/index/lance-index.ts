import fs from 'node:fs';
import path from 'node:path';
import './lance-runtime.js';
import * as lancedb from '@lancedb/lancedb';
import { AppError } from '../../contract/errors.js';
import type {
  ChunkAccess,
  IndexCandidate,
  IndexedChunk,
  IndexMaintenance,
  KnowledgeIndex,
  StoredChunk,
} from '../../contract/retrieval.js';
import { writeFileAtomic } from '../../home/atomic-write.js';
import {
  accessColumnDefaults,
  accessFilter,
  candidateColumns,
  chunkSchema,
  chunksTable,
  fromRow,
  accessSql,
  resultColumns,
  sqlString,
  toRow,
} from './chunk-schema.js';
import { normalizePrincipals } from '../retrieval/audience.js';

export interface LanceIndexOptions {
  /** Model that makes the vectors, and their size; null for a full-text-only index. */
  embedding: { model: string; dims: number } | null;
  /** From this many chunks on, vector search uses an ANN index instead of a flat scan. */
  annThreshold?: number;
  /** How many documents' chunks go into one LanceDB commit. */
  docsPerCommit?: number;
  /**
   * Seconds between checks for commits made by another connection (LanceDB's readConsistencyInterval); 0 checks
   * on every read. Unset: this connection sees only its own writes, right for the one writer of a data folder;
   * a reader beside it (the desk's engine worker) sets 0 so an admin's unpublish reaches it at once.
   */
  readConsistencySeconds?: number;
}

interface IndexInfo {
  embeddingModel: string | null;
  dims: number | null;
  createdAt: string;
  /** 1 (absent): no access columns; 2: `is_public`, `principals` and `access` (chunk-schema.ts). */
  schemaVersion?: number;
}

const infoFile = 'airdesk-index.json';
export const indexSchemaVersion = 2;

/**
 * Full-text options. Stemming is on and stop words are kept: on our benchmark stop-word removal cost a little
 * nDCG (questions like "can I ..." carry meaning in support text), stemming gained a little.
 */
const ftsOptions = {
  stem: true,
  removeStopWords: false,
  lowercase: true,
  asciiFolding: true,
  withPosition: false,
};

/** Opens (or prepares) the LanceDB index in `dir`, refusing one built with a different embedding model. */
export async function openLanceIndex(dir: string, options: LanceIndexOptions): Promise<KnowledgeIndex> {
  fs.mkdirSync(dir, { recursive: true });
  const db = await lancedb.connect(
    dir,
    options.readConsistencySeconds !== undefined
      ? { readConsistencyInterval: options.readConsistencySeconds }
      : {},
  );
  const wanted = options.embedding;
  const checkModel = (info: IndexInfo | null) => {
    if (info && info.embeddingModel !== (wanted?.model ?? null)) {
      throw new AppError(
        'conflict',
        `the index in ${dir} was built with embedding model "${info.embeddingModel ?? 'none (full text only)'}" but ` +
          `"${wanted?.model ?? 'none'}" is configured; rebuild it with "airdesk ingest --reindex" or configure that model`,
      );
    }
  };
  const info = readInfo(dir);
  checkModel(info);
  let table: lancedb.Table | null = (await db.tableNames()).includes(chunksTable)
    ? await db.openTable(chunksTable)
    : null;
  if (table) table = await migrateAccessColumns(db, table, dir, info);
  // Which build of the index `table` belongs to: the info file is written (atomically, a new inode each time)
  // by whoever creates the table. Another connection may create the table after this one opened the folder
  // (a tenant's first upload while the engine worker already answers for it) or delete and rebuild it
  // (ingest --reindex); a handle opened before either would search nothing, or files that are gone.
  let build = infoStamp(dir);
  let reopening: Promise<lancedb.Table | null> | null = null;

  /** The chunks table as it is now: a stat per call; a table listing only while there is none yet. */
  function current(): Promise<lancedb.Table | null> {
    if (table && infoStamp(dir) === build) return Promise.resolve(table);
    reopening ??= reopen().finally(() => (reopening = null));
    return reopening;
  }

  async function reopen(): Promise<lancedb.Table | null> {
    // The replaced handle is not closed: a search may still be reading through it; it is freed with it.
    table = null;
    build = infoStamp(dir);
    if (!fs.existsSync(dir) || !(await db.tableNames()).includes(chunksTable)) return null;
    checkModel(readInfo(dir));
    table = await db.openTable(chunksTable);
    return table;
  }

  const withVector = wanted !== null;
  const annThreshold = options.annThreshold ?? 30_000;

  async function ensureTable(): Promise<lancedb.Table> {
    const existing = await current();
    if (existing) return existing;
    fs.mkdirSync(dir, { recursive: true });
    const created = await db.createEmptyTable(chunksTable, chunkSchema(wanted?.dims ?? null), {
      existOk: true,
    });
    const written: IndexInfo = {
      embeddingModel: wanted?.model ?? null,
      dims: wanted?.dims ?? null,
      createdAt: new Date().toISOString(),
      schemaVersion: indexSchemaVersion,
    };
    writeFileAtomic(path.join(dir, infoFile), JSON.stringify(written, null, 2));
    table = created;
    build = infoStamp(dir);
    return created;
  }

  return {
    async replaceDocuments(docIds, chunks) {
      if (docIds.length === 0) return;
      const t = await ensureTable();
      const rows = chunks.map((c: IndexedChunk) => toRow(c, withVector));
      // One merge-insert is one commit: the batch's old chunks vanish and the new ones appear together.
      await t
        .mergeInsert('chunk_id')
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .whenNotMatchedBySourceDelete({ where: `doc_id IN (${docIds.map(sqlString).join(', ')})` })
        .execute(rows.length > 0 ? rows : [], { timeoutMs: 120_000 });
    },
    async deleteDocuments(docIds) {
      const table = await current();
      if (!table || docIds.length === 0) return;
      await table.delete(`doc_id IN (${docIds.map(sqlString).join(', ')})`);
    },
    async updateAccess(updates: ChunkAccess[]) {
      const table = await current();
      if (!table || updates.length === 0) return;
      // Documents with the same access share one commit (a space-wide permission change is one update).
      const groups = new Map<string, { isPublic: boolean; principals: string[]; docIds: string[] }>();
      for (const u of updates) {
        const principals = normalizePrincipals(u.principals);
        const key = JSON.stringify([u.isPublic, principals]);
        const group = groups.get(key) ?? { isPublic: u.isPublic, principals, docIds: [] };
        group.docIds.push(u.docId);
        groups.set(key, group);
      }
      for (const group of groups.values()) {
        for (let i = 0; i < group.docIds.length; i += 500) {
          const ids = group.docIds.slice(i, i + 500);
          await table.update({
            where: `doc_id IN (${ids.map(sqlString).join(', ')})`,
            valuesSql: accessSql(group.isPublic, group.principals),
          });
        }
      }
    },
    async searchText(query, limit, audience) {
      const filter = accessFilter(audience);
      const table = await current();
      if (!table || !/[\p{L}\p{N}]/u.test(query)) return [];
      let search = table.search(query, 'fts', 'index_text');
      // A where on a full-text search filters before the top-k (measured: a match ranked last still comes back).
      if (filter) search = search.where(filter);
      const rows = (await search
        .select([...candidateColumns, '_score'])
        .limit(limit)
        .toArray()) as Record<string, unknown>[];
      return rows.map((r) => candidate(r, Number(r._score)));
    },
    async searchVector(vector, limit, audience) {
      const filter = accessFilter(audience);
      const table = await current();
      if (!table) return [];
      if (!withVector)
        throw new AppError('unavailable', 'this index holds no vectors; search with --mode bm25');
      let search = table.query().nearestTo(vector);
      // Prefilter (LanceDB's default for a where on a vector query; never .postfilter(), which filters the
      // top-k after the fact and returns too few, or no, hits for a narrow audience).
      if (filter) search = search.where(filter);
      const rows = (await search
        // Embedders L2-normalise, so 1 - dot is the cosine distance; LanceDB's "cosine" recomputes norms per row
        // and was twice as slow here.
        .distanceType('dot')
        .nprobes(24)
        .refineFactor(4)
        .select(candidateColumns)
        .limit(limit)
        .toArray()) as Record<string, unknown>[];
      // The distance is 1 - cosine similarity; the fusion code expects "higher is better".
      return rows.map((r) => candidate(r, 1 - Number(r._distance)));
    },
    async fetchChunks(chunkIds, audience) {
      const filter = accessFilter(audience);
      const found = new Map<string, StoredChunk>();
      const table = await current();
      if (!table || chunkIds.length === 0) return found;
      const byId = `chunk_id IN (${chunkIds.map(sqlString).join(', ')})`;
      const rows = (await table
        .query()
        .where(filter ? `${byId} AND ${filter}` : byId)
        .select(resultColumns)
        .limit(chunkIds.length)
        .toArray()) as Record<string, unknown>[];
      for (const row of rows) {
        const chunk = fromRow(row);
        found.set(chunk.chunkId, chunk);
      }
      return found;
    },
    async maintain(): Promise<IndexMaintenance> {
      const started = performance.now();
      const table = await current();
      if (!table) return { chunks: 0, fullText: 'none', ann: 'none', ms: 0 };
      const chunks = await table.countRows();
      const indices = await table.listIndices();
      const hasFts = indices.some((i) => i.columns.includes('index_text'));
      const hasAnn = indices.some((i) => i.columns.includes('vector'));
      let fullText: IndexMaintenance['fullText'] = 'none';
      let ann: IndexMaintenance['ann'] = withVector ? 'not_needed' : 'none';
      if (!hasFts && chunks > 0) {
        await table.createIndex('index_text', { config: lancedb.Index.fts(ftsOptions) });
        fullText = 'created';
      }
      // Scalar indices make fetching hits by chunk id and replacing a document's chunks lookups, not scans;
      // the access filters (array_has_any on access, is_public) use a label-list and a bitmap index.
      const scalar: [string, lancedb.Index][] = [
        ['chunk_id', lancedb.Index.btree()],
        ['doc_id', lancedb.Index.btree()],
        ['access', lancedb.Index.labelList()],
        ['is_public', lancedb.Index.bitmap()],
      ];
      for (const [column, config] of scalar) {
        if (chunks > 0 && !indices.some((i) => i.columns.includes(column))) {
          await table.createIndex(column, { config });
        }
      }
      if (withVector && !hasAnn && chunks >= annThreshold) {
        await table.createIndex('vector', {
          config: lancedb.Index.ivfPq({
            distanceType: 'dot',
            numPartitions: Math.max(16, Math.round(Math.sqrt(chunks))),
            numSubVectors: subVectorsFor(wanted.dims),
          }),
        });
        ann = 'created';
      }
      if (chunks > 0) {
        // Compacts the small fragments each batch commit leaves (a flat vector scan over one fragment was 2x
        // faster than over 136), folds new rows into the indices, and drops files no reader can still need.
        await table.optimize({ cleanupOlderThan: new Date(Date.now() - 60 * 60 * 1000) });
        if (hasFts) fullText = 'updated';
        if (hasAnn) ann = 'updated';
      }
      return { chunks, fullText, ann, ms: performance.now() - started };
    },
    async countChunks() {
      const table = await current();
      return table ? table.countRows() : 0;
    },
    async embeddingModel() {
      return readInfo(dir)?.embeddingModel ?? null;
    },
    async close() {
      table?.close();
      db.close();
    },
  };
}

/**
 * Gives an index built before the access columns (schema version 1) its `is_public`, `principals` and `access`
 * columns, filled with "not public, every agent" — what a document without source permissions means — in one
 * commit (LanceDB's addColumns with SQL defaults; rows, vectors and indices are kept). The next sync of a
 * source with permissions then rewrites them (its store rows have none recorded, so they count as changed). Another process doing it at the same moment is
 * fine: whichever commits second finds the columns there.
 */
async function migrateAccessColumns(
  db: lancedb.Connection,
  table: lancedb.Table,
  dir: string,
  info: IndexInfo | null,
): Promise<lancedb.Table> {
  const missing = async (t: lancedb.Table) => {
    const have = new Set((await t.schema()).fields.map((f) => f.name));
    return Object.keys(accessColumnDefaults).filter((name) => !have.has(name));
  };
  let absent = await missing(table);
  if (absent.length > 0) {
    try {
      await table.addColumns(absent.map((name) => ({ name, valueSql: accessColumnDefaults[name]! })));
    } catch (cause) {
      table.close();
      table = await db.openTable(chunksTable);
      absent = await missing(table);
      if (absent.length > 0) {
        throw new AppError(
          'corrupt_database',
          `could not add the access columns (${absent.join(', ')}) to the index in ${dir}; rebuild it with ` +
            '"airdesk ingest --reindex"',
          { cause },
        );
      }
    }
  }
  if (info && (info.schemaVersion ?? 1) < indexSchemaVersion) {
    writeFileAtomic(
      path.join(dir, infoFile),
      JSON.stringify({ ...info, schemaVersion: indexSchemaVersion }, null, 2),
    );
  }
  return table;
}

/** PQ needs the dimension to split evenly; 8-dim sub-vectors keep recall good for 384/768-dim models. */
function candidate(row: Record<string, unknown>, score: number): IndexCandidate {
  return { chunkId: String(row.chunk_id), docId: String(row.doc_id), score };
}

function subVectorsFor(dims: number): number {
  for (const size of [8, 4, 2, 1]) if (dims % size === 0) return dims / size;
  return 1;
}

/** The info file's identity (null: none yet, or the folder is gone). */
function infoStamp(dir: string): string | null {
  const stat = fs.statSync(path.join(dir, infoFile), { throwIfNoEntry: false });
  return stat ? `${stat.ino}:${stat.mtimeMs}` : null;
}

function readInfo(dir: string): IndexInfo | null {
  const file = path.join(dir, infoFile);
  if (!fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as IndexInfo;
  } catch (cause) {
    throw new AppError(
      'corrupt_database',
      `${file} is not valid JSON; rebuild with "airdesk ingest --reindex"`,
      {
        cause,
      },
    );
  }
}
