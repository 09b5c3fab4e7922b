import { z } from 'zod';

/**
 * The shape every connector folder implements (see STYLE.md, after Onyx's checkpointed connectors): a definition
 * (kind, settings schema, capabilities) that creates a source for one configured connector; the source validates
 * its connection and loads documents as a resumable generator that yields documents or per-item failures and
 * returns the next checkpoint. Optional abilities are declared in `capabilities`, not discovered.
 *
 * A connector imports only this contract and its own client library. It never touches the store, the index or
 * the secret store: the sync runner (core/sync/) resolves secrets, calls `load` page by page, ingests what it
 * yields through the knowledge pipeline and saves the checkpoint after each page.
 */
export const checkpointSchema = z.object({ hasMore: z.boolean() }).passthrough();
export type Checkpoint = z.infer<typeof checkpointSchema>;

/**
 * Who may see a document, as the source says. Principals are strings `user:<id>` or `group:<name>` in the
 * source's own namespace (e.g. `group:confluence-users`, `user:jsmith`). `public` documents are visible to the
 * widget's anonymous visitors; otherwise only agents holding one of the principals see them in retrieval.
 * Absent permissions mean "every agent of the tenant, not the widget" (the safe default).
 */
export interface DocumentPermissions {
  public: boolean;
  principals: string[];
}

/** The body of a source document, in the form the source delivers it; the runner parses it into sections. */
export type DocumentContent =
  | { kind: 'text'; text: string }
  | { kind: 'markdown'; markdown: string }
  /** HTML or XHTML (Confluence storage format); headings become sections. */
  | { kind: 'html'; html: string }
  /** A file (.docx, .pdf, .md, .txt, .html) read by the ingestion parsers chosen by its file name. */
  | { kind: 'file'; fileName: string; bytes: Uint8Array };

export interface SourceDocument {
  /** Stable id in the source (page id, issue key, file path relative to the share root). */
  externalId: string;
  title: string;
  content: DocumentContent;
  /** Where an agent opens it (shown with citations). */
  url?: string;
  /** Last modification at the source, ISO 8601. */
  updatedAt?: string;
  /** Where it sits in the source, outermost first (space > parent page; site > library > folder). */
  hierarchy?: string[];
  permissions?: DocumentPermissions;
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
  /** The source can list every current id, so documents deleted at the source are pruned. */
  listIds?: boolean;
  /** Documents carry `permissions` from the source. */
  permissions?: boolean;
  /** Tickets on escalation (Jira, Linear, GitHub): a later issue. */
  createTicket?: boolean;
}

/**
 * What a connector gets besides its settings. `secrets` holds the resolved values of the settings fields named
 * in `secretFields` (never logged, never stored by the connector). `fetch` is the only way out to the network, so
 * tests and the runner can bound and observe it.
 */
export interface ConnectorContext {
  secrets: Readonly<Record<string, string>>;
  fetch: typeof fetch;
  /** A progress or warning line for the sync history; never include secrets. */
  log?: (message: string) => void;
}

/** One configured connector, ready to sync. */
export interface ConnectorSource {
  /**
   * Tests the connection and permissions. Throws an AppError whose message says what is wrong and what to do:
   * bad URL or not this product (`invalid_input`), bad token (`unauthorized`), no permission (`forbidden`),
   * unreachable (`unavailable`).
   */
  validate(signal: AbortSignal): Promise<void>;
  /**
   * Where a new window starts. `previous` is the final checkpoint of the last completed window (null on the
   * first run or a full sync), for sources that carry state from one window to the next (Graph delta links);
   * most sources ignore it.
   */
  initialCheckpoint(previous?: Checkpoint | null): Checkpoint;
  /**
   * One page of work: yields documents and per-item failures, returns the checkpoint to continue from
   * (`hasMore: false` when the window is done). The runner ingests the page, then saves the checkpoint, then
   * calls again; a killed process resumes from the last saved checkpoint, so a page may be loaded twice but
   * never skipped (ingestion is idempotent by external id).
   */
  load(
    window: SyncWindow,
    checkpoint: Checkpoint,
    signal: AbortSignal,
  ): AsyncGenerator<SourceDocument | ItemFailure, Checkpoint>;
  /** Every external id the source holds now (capability `listIds`): documents not listed are pruned. */
  listIds?(signal: AbortSignal): AsyncGenerator<string, void>;
  /**
   * For sources that notice their own changes (a watched folder): calls `onChange` soon after one, so the
   * scheduler syncs without waiting for the schedule. Returns the function that stops watching. Absent when
   * the source cannot watch or its settings turned watching off.
   */
  watch?(onChange: () => void): () => void;
}

export interface ConnectorDefinition<Settings = unknown> {
  kind: string;
  displayName: string;
  /** Settings as the admin writes them; secret fields hold `{ env: "VAR" }` or `{ secretRef: "..." }`. */
  settingsSchema: z.ZodType<Settings>;
  /** Names of the settings fields that are secrets (tokens, passwords). */
  secretFields: readonly string[];
  capabilities: ConnectorCapabilities;
  create(settings: Settings, context: ConnectorContext): ConnectorSource;
}

/** A secret in a connector config file (SPEC.md) or, once stored, a reference into the secret store. */
export const secretValueSchema = z.union([
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }).strict(),
  z.object({ secretRef: z.string().min(1) }).strict(),
]);
export type SecretValue = z.infer<typeof secretValueSchema>;

export interface ConnectorConfig {
  id: string;
  kind: string;
  name: string;
  /** Settings without secrets; a secret is a reference `{ secretRef }` into the secret store. */
  settings: Record<string, unknown>;
  enabled: boolean;
  /** Cron expression (5 or 6 fields) for scheduled syncs; null: synced only on demand. */
  schedule?: string | null;
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
