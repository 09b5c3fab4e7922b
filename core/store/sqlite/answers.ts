import { randomUUID } from 'node:crypto';
import { AppError } from '../../contract/errors.js';
import type { AnswerMatch, AnswerMemoryStore, RememberedAnswer } from '../../contract/store.js';
import type { TenantId } from '../../contract/tenant.js';
import type { Db } from './open-database.js';

/*
 * Why float32 BLOBs scanned with sqlite-vec's `vec_distance_cosine`, and not a `vec0` virtual table:
 * - Correct across model changes by construction: the scan is `WHERE embedding_model = ?` on an ordinary
 *   index, so entries of another model are never compared, whatever their dimensions. vec0 fixes the
 *   dimension in its DDL, so it would need one table per (model, dims) created at run time with a name built
 *   from data, outside the versioned migrations, and dropped when a model's last entry goes.
 * - One transaction, plain SQL: the upsert and the vector write commit together, and `forget` (or deleting
 *   the conversation) removes the vector through a foreign-key cascade; vec0 has no foreign keys or upsert.
 * - Fast enough at this scale: vec0 in sqlite-vec 0.1.x is an exact brute-force scan too. Measured in memory
 *   with 384 dims, vec0's KNN took 1.4 ms at 2k entries and 13 ms at 20k, this scan 1.9 ms and 30 ms; answer
 *   memory holds thousands of entries per tenant (the 2k-entry timing is printed by answers.test.ts).
 * Vectors are keyed by the answer's id rather than by its rowid: an implicit rowid may change on VACUUM.
 */

/** Largest embedding accepted; sqlite-vec's own limit for a vector column. */
const maxDimensions = 8192;
const maxLimit = 1000;

interface AnswerRow {
  id: string;
  question: string;
  answer: string;
  origin: RememberedAnswer['origin'];
  conversation_id: string | null;
  embedding_model: string;
  created_at: string;
  updated_at: string;
}

const answerColumns =
  'a.id, a.question, a.answer, a.origin, a.conversation_id, a.embedding_model, a.created_at, a.updated_at';

const toAnswer = (r: AnswerRow): RememberedAnswer => ({
  id: r.id,
  question: r.question,
  answer: r.answer,
  origin: r.origin,
  conversationId: r.conversation_id,
  embeddingModel: r.embedding_model,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * The key under which a question without a conversation is remembered: the same question asked with other
 * capitals, spacing, Unicode forms or closing punctuation is the same entry.
 */
export function questionKey(question: string): string {
  return question
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/[\s?!.。？！]+$/u, '');
}

function invalid(message: string): AppError {
  return new AppError('invalid_input', message);
}

function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${what} must be a non-empty string`);
  return value;
}

/**
 * Checks that an embedding can be compared by cosine (some dimensions, all finite, not all zero) and
 * returns its bytes as SQLite will store them, without copying.
 */
function embeddingBytes(embedding: unknown, what: string): Buffer {
  if (!(embedding instanceof Float32Array)) throw invalid(`${what} must be a Float32Array`);
  if (embedding.length === 0 || embedding.length > maxDimensions) {
    throw invalid(`${what} has ${embedding.length} dimensions; expected 1 to ${maxDimensions}`);
  }
  let squares = 0;
  for (let i = 0; i < embedding.length; i++) {
    const x = embedding[i]!;
    if (!Number.isFinite(x)) throw invalid(`${what} has a non-finite value (${x}) at dimension ${i}`);
    squares += x * x;
  }
  if (squares === 0) throw invalid(`${what} is all zeros; cosine similarity is undefined for it`);
  return Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
}

/**
 * Dimensions of the entries already remembered under a model (null when none). One model has one dimension
 * here; a query or an entry of another length means the embedder is misconfigured, which is said, not hidden.
 */
function modelDimensions(db: Db, model: string, exceptId: string | null): number | null {
  const bytes = db
    .prepare<[string, string | null], number>(
      `SELECT length(v.embedding) FROM answer_memory a JOIN answer_memory_vectors v ON v.answer_id = a.id
       WHERE a.embedding_model = ? AND a.id IS NOT ? LIMIT 1`,
    )
    .pluck()
    .get(model, exceptId);
  return bytes === undefined ? null : bytes / 4;
}

function checkModelDimensions(db: Db, model: string, dims: number, exceptId: string | null): void {
  const known = modelDimensions(db, model, exceptId);
  if (known !== null && known !== dims) {
    throw invalid(
      `embeddings of model "${model}" have ${known} dimensions in answer memory but this one has ${dims}; ` +
        'use a different model name for a model with another output size',
    );
  }
}

/** Answer memory of one tenant lives only in that tenant's file; `dbOf` picks it. */
export function sqliteAnswerMemoryStore(dbOf: (tenant: TenantId) => Db): AnswerMemoryStore {
  const byId = (db: Db, id: string) =>
    db.prepare<[string], AnswerRow>(`SELECT ${answerColumns} FROM answer_memory a WHERE a.id = ?`).get(id);

  return {
    async remember(tenant, input) {
      const question = requireText(input.question, 'question');
      const answer = requireText(input.answer, 'answer');
      const model = requireText(input.embeddingModel, 'embeddingModel');
      const origin: unknown = input.origin;
      if (origin !== 'approved' && origin !== 'agent_written') {
        throw invalid(`origin must be "approved" or "agent_written", not ${JSON.stringify(origin)}`);
      }
      const vector = embeddingBytes(input.embedding, 'embedding');
      const conversationId = input.conversationId ?? null;
      const key = questionKey(question);
      const db = dbOf(tenant);

      const write = db.transaction((): string => {
        if (
          conversationId !== null &&
          !db.prepare('SELECT 1 FROM conversations WHERE id = ?').get(conversationId)
        ) {
          throw new AppError(
            'not_found',
            `conversation ${conversationId} does not exist in tenant "${tenant}"`,
          );
        }
        const existing =
          conversationId === null
            ? db
                .prepare<[string], string>(
                  'SELECT id FROM answer_memory WHERE conversation_id IS NULL AND question_key = ?',
                )
                .pluck()
                .get(key)
            : db
                .prepare<[string], string>('SELECT id FROM answer_memory WHERE conversation_id = ?')
                .pluck()
                .get(conversationId);
        checkModelDimensions(db, model, input.embedding.length, existing ?? null);
        const now = new Date().toISOString();
        if (existing !== undefined) {
          // A correction: the same entry (same id, same created_at) now holds the new answer and vector.
          db.prepare(
            `UPDATE answer_memory SET question = ?, question_key = ?, answer = ?, origin = ?, embedding_model = ?,
             updated_at = ? WHERE id = ?`,
          ).run(question, key, answer, origin, model, now, existing);
          db.prepare('UPDATE answer_memory_vectors SET embedding = ? WHERE answer_id = ?').run(
            vector,
            existing,
          );
          return existing;
        }
        const id = randomUUID();
        db.prepare(
          `INSERT INTO answer_memory
             (id, question, question_key, answer, origin, conversation_id, embedding_model, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(id, question, key, answer, origin, conversationId, model, now, now);
        db.prepare('INSERT INTO answer_memory_vectors (answer_id, embedding) VALUES (?, ?)').run(id, vector);
        return id;
      });
      // IMMEDIATE: it reads before it writes; deferred, a write by another connection in between would fail it
      // with SQLITE_BUSY at once instead of waiting for the busy timeout.
      return toAnswer(byId(db, write.immediate())!);
    },

    async similar(tenant, embedding, { embeddingModel, limit, minSimilarity = -1 }) {
      const model = requireText(embeddingModel, 'embeddingModel');
      const vector = embeddingBytes(embedding, 'query embedding');
      if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
        throw invalid(`limit must be a whole number from 1 to ${maxLimit}, not ${limit}`);
      }
      if (!Number.isFinite(minSimilarity) || minSimilarity < -1 || minSimilarity > 1) {
        throw invalid(`minSimilarity must be between -1 and 1, not ${minSimilarity}`);
      }
      const db = dbOf(tenant);
      checkModelDimensions(db, model, embedding.length, null);
      // Rank on ids and distances only, then read the few rows shown: sorting whole rows (question and answer
      // text) for every entry made the 2k-entry query in answers.test.ts 1.4x slower. MATERIALIZED keeps SQLite from flattening the
      // ranking into the outer query, which would compute each distance more than once. Filtering after the
      // LIMIT is the same as before it, because the filter keeps a prefix of the ranking. The length filter is
      // a guard only: remember() keeps one dimension per model, and vec_distance_cosine throws on a mismatch.
      const rows = db
        .prepare<[Buffer, string, number, number, number], AnswerRow & { similarity: number }>(
          `WITH ranked AS MATERIALIZED (
             SELECT a.id, 1 - vec_distance_cosine(v.embedding, ?) AS similarity
             FROM answer_memory a JOIN answer_memory_vectors v ON v.answer_id = a.id
             WHERE a.embedding_model = ? AND length(v.embedding) = ?
             ORDER BY similarity DESC, a.id
             LIMIT ?
           )
           SELECT ${answerColumns}, r.similarity FROM ranked r JOIN answer_memory a ON a.id = r.id
           WHERE r.similarity >= ?
           ORDER BY r.similarity DESC, a.id`,
        )
        .all(vector, model, vector.byteLength, limit, minSimilarity);
      return rows.map(({ similarity, ...row }): AnswerMatch => ({
        answer: toAnswer(row),
        // float32 rounding can step just outside the range cosine promises
        similarity: Math.min(1, Math.max(-1, similarity)),
      }));
    },

    async get(tenant, id) {
      const row = byId(dbOf(tenant), id);
      return row ? toAnswer(row) : null;
    },

    async forget(tenant, id) {
      // The vector goes with the row (ON DELETE CASCADE; foreign keys are on for every connection).
      return dbOf(tenant).prepare('DELETE FROM answer_memory WHERE id = ?').run(id).changes > 0;
    },

    async count(tenant) {
      return dbOf(tenant).prepare<[], number>('SELECT count(*) FROM answer_memory').pluck().get()!;
    },
  };
}
