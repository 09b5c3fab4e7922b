export interface KnowledgeSource {
  id: string;
  name: string;
  /** `upload` for files ingested by hand or CLI, `connector` for a synced source. */
  kind: 'upload' | 'connector';
  connectorId: string | null;
  createdAt: string;
}

/** A document as the store tracks it; its chunks live in the tenant's vector index. */
export interface DocumentRecord {
  id: string;
  sourceId: string;
  externalId: string;
  title: string;
  contentHash: string;
  /** Grows by one each time the content hash changes. */
  version: number;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface DocumentUpsert {
  sourceId: string;
  externalId: string;
  title: string;
  contentHash: string;
  metadata?: Record<string, unknown>;
}

/** What an upsert did, so ingestion can report added / updated / skipped. */
export type UpsertOutcome = 'added' | 'updated' | 'unchanged';
