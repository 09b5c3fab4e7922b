import { randomUUID } from 'node:crypto';
import { AppError } from '../../contract/errors.js';
import type { HallucinationDetection, QualityStore } from '../../contract/store.js';
import type { TenantId } from '../../contract/tenant.js';
import type { Db } from './open-database.js';

interface DetectionRow {
  id: string;
  at: string;
  conversation_id: string | null;
  question: string;
  sentence: string;
  score: number;
  unmatched_facts: string;
  generator: string;
  doc_ids: string;
}

const toDetection = (r: DetectionRow): HallucinationDetection => ({
  id: r.id,
  at: r.at,
  conversationId: r.conversation_id,
  question: r.question,
  sentence: r.sentence,
  score: r.score,
  unmatchedFacts: JSON.parse(r.unmatched_facts) as string[],
  generator: r.generator,
  docIds: JSON.parse(r.doc_ids) as string[],
});

export function sqliteQualityStore(dbOf: (tenant: TenantId) => Db): QualityStore {
  return {
    async recordHallucinations(tenant, detections) {
      const db = dbOf(tenant);
      const at = new Date().toISOString();
      const insert = db.prepare(
        `INSERT INTO hallucination_detections
           (id, at, conversation_id, question, sentence, score, unmatched_facts, generator, doc_ids)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const rows = detections.map((d) => {
        if (!(d.score >= 0 && d.score <= 1)) {
          throw new AppError('invalid_input', `detection score must be within 0..1, not ${d.score}`);
        }
        return { ...d, id: randomUUID(), at };
      });
      const conversationExists = db.prepare<[string], { id: string }>(
        'SELECT id FROM conversations WHERE id = ?',
      );
      // All or nothing: a draft's detections are one record of one check.
      db.transaction(() => {
        for (const d of rows) {
          if (d.conversationId !== null && !conversationExists.get(d.conversationId)) {
            throw new AppError(
              'not_found',
              `conversation ${d.conversationId} does not exist in tenant ${tenant}`,
            );
          }
          insert.run(
            d.id,
            d.at,
            d.conversationId,
            d.question,
            d.sentence,
            d.score,
            JSON.stringify(d.unmatchedFacts),
            d.generator,
            JSON.stringify(d.docIds),
          );
        }
      }).immediate(); // reads (the conversation) then writes: see sqliteDeskActions on why IMMEDIATE
      return Promise.resolve(rows);
    },

    async hallucinations(tenant, filter = {}) {
      const limit = filter.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        throw new AppError('invalid_input', 'limit must be a whole number from 1 to 10000');
      }
      const db = dbOf(tenant);
      const rows =
        filter.conversationId !== undefined
          ? db
              .prepare<[string, number], DetectionRow>(
                'SELECT * FROM hallucination_detections WHERE conversation_id = ? ORDER BY at DESC, rowid DESC LIMIT ?',
              )
              .all(filter.conversationId, limit)
          : db
              .prepare<[number], DetectionRow>(
                'SELECT * FROM hallucination_detections ORDER BY at DESC, rowid DESC LIMIT ?',
              )
              .all(limit);
      return Promise.resolve(rows.map(toDetection));
    },
  };
}
