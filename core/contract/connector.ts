import { z } from 'zod';

/**
 * The shape every connector folder implements (see STYLE.md): a resumable generator that yields documents
 * or per-item failures and returns the next checkpoint. Optional abilities are declared, not discovered.
 */
export const checkpointSchema = z.object({ hasMore: z.boolean() }).passthrough();
export type Checkpoint = z.infer<typeof checkpointSchema>;

export interface SourceDocument {
  externalId: string;
  title: string;
  text: string;
  url?: string;
  updatedAt?: string;
  metadata?: Record<string, unknown>;
}

export interface ItemFailure {
  failure: true;
  externalId?: string;
  message: string;
}

export interface SyncWindow {
  /** ISO time: only items changed at or after it; null on a full sync. */
  start: string | null;
  end: string;
}

export interface ConnectorCapabilities {
  listIds?: boolean;
  permissions?: boolean;
  createTicket?: boolean;
}

export interface Connector<Settings = unknown> {
  kind: string;
  settingsSchema: z.ZodType<Settings>;
  capabilities: ConnectorCapabilities;
  validate(settings: Settings, signal: AbortSignal): Promise<void>;
  initialCheckpoint(): Checkpoint;
  load(
    window: SyncWindow,
    checkpoint: Checkpoint,
    signal: AbortSignal,
  ): AsyncGenerator<SourceDocument | ItemFailure, Checkpoint>;
}

export interface ConnectorConfig {
  id: string;
  kind: string;
  name: string;
  /** Settings without secrets; a secret is a reference `{ secretRef }` into the secret store. */
  settings: Record<string, unknown>;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export type SyncRunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface SyncRun {
  id: string;
  connectorId: string;
  status: SyncRunStatus;
  startedAt: string;
  finishedAt: string | null;
  added: number;
  updated: number;
  deleted: number;
  failures: { externalId?: string; message: string }[];
  error: string | null;
}
