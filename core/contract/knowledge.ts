import type { DocumentPermissions } from './connector.js';

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
  /** Who may see it as the source last said (principals normalised); null = the source gave none. */
  permissions: DocumentPermissions | null;
  /** An admin's public / not public choice; null = never set, the source's `public` applies. */
  publicOverride: boolean | null;
  /** Whether the widget may show it: `publicOverride ?? permissions?.public ?? false`. */
  isPublic: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface DocumentUpsert {
  sourceId: string;
  externalId: string;
  title: string;
  contentHash: string;
  metadata?: Record<string, unknown>;
  /** The source's current permissions; absent or null = none. An admin's public choice is kept either way. */
  permissions?: DocumentPermissions | null;
}

/** What an upsert did, so ingestion can report added / updated / skipped (a permission change is an update). */
export type UpsertOutcome = 'added' | 'updated' | 'unchanged';
