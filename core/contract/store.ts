import type { Checkpoint, ConnectorConfig, SyncRun } from './connector.js';
import type {
  AgentDraft,
  ConversationEvent,
  ConversationEventType,
  CsatRecord,
  DeskSettings,
  Escalation,
  EscalationReason,
  Priority,
  Conversation,
  ConversationStatus,
  Message,
  MessageRole,
  Channel,
  Visitor,
  Citation,
  InternalNote,
} from './conversation.js';
import type { ConversationSummary, InboxCounts } from './desk-api.js';
import type { DocumentRecord, DocumentUpsert, KnowledgeSource, UpsertOutcome } from './knowledge.js';
import type { CreateTenantInput, Tenant, TenantId } from './tenant.js';

/**
 * The store, as the rest of the product sees it. The embedded implementation is SQLite (one global file and
 * one file per tenant); the scale-out one will be PostgreSQL. Methods are async so both fit the same shape.
 * Every tenant-scoped call takes the tenant explicitly: there is no "current tenant" state to leak.
 */
export interface Store {
  readonly tenants: TenantRegistry;
  readonly sessions: SessionStore;
  readonly audit: AuditLog;
  readonly conversations: ConversationStore;
  readonly knowledge: KnowledgeStore;
  readonly connectors: ConnectorStore;
  readonly answers: AnswerMemoryStore;
  readonly quality: QualityStore;
  readonly widgetKeys: WidgetKeyStore;
  readonly desk: DeskStore;
  /** Absolute path of a file inside the tenant's own folder; rejects any path that would leave it. */
  tenantFile(tenant: TenantId, relativePath: string): Promise<string>;
  close(): Promise<void>;
}

export interface TenantRegistry {
  create(input: CreateTenantInput): Promise<Tenant>;
  list(): Promise<Tenant[]>;
  get(id: TenantId): Promise<Tenant | null>;
}

export interface ConsoleSession {
  id: string;
  /** null for a session opened with the console token rather than a user's sign-in. */
  userId: string | null;
  createdAt: string;
  expiresAt: string;
}

export interface SessionStore {
  /** Opens a session and returns its secret; only a hash of the secret is kept. */
  create(input: {
    userId: string | null;
    ttlMs: number;
  }): Promise<{ session: ConsoleSession; secret: string }>;
  findBySecret(secret: string): Promise<ConsoleSession | null>;
  delete(id: string): Promise<void>;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  tenantId: TenantId | null;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

export interface AuditLog {
  append(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void>;
  list(filter: { tenantId?: TenantId; limit?: number }): Promise<AuditEntry[]>;
}

export interface ConversationStore {
  create(tenant: TenantId, input: { channel: Channel; visitor?: Visitor }): Promise<Conversation>;
  get(tenant: TenantId, id: string): Promise<Conversation | null>;
  list(tenant: TenantId, filter?: { status?: ConversationStatus; limit?: number }): Promise<Conversation[]>;
  setStatus(tenant: TenantId, id: string, status: ConversationStatus): Promise<void>;
  appendMessage(
    tenant: TenantId,
    conversationId: string,
    input: { role: MessageRole; text: string; citations?: Citation[] },
  ): Promise<Message>;
  messages(tenant: TenantId, conversationId: string): Promise<Message[]>;
  /** Sets or (null) clears the agent working on it. @throws AppError `not_found`. */
  assign(tenant: TenantId, id: string, assignee: string | null): Promise<void>;
  /** An agent opened it now: its visitor messages so far are read. @throws AppError `not_found`. */
  markRead(tenant: TenantId, id: string): Promise<void>;
  /** Inbox rows, priority first (urgent … none), then most recently updated. */
  inbox(tenant: TenantId, filter?: InboxFilter): Promise<ConversationSummary[]>;
  /** One inbox row, or null. */
  summary(tenant: TenantId, id: string): Promise<ConversationSummary | null>;
  /** Counts over the whole tenant for the queue badges. */
  inboxCounts(tenant: TenantId): Promise<InboxCounts>;
}

/** What the inbox filters on; `assignment` mine/others compare with `agent`. */
export interface InboxFilter {
  /** One status, or `unresolved` (open and pending_human). */
  status?: ConversationStatus | 'unresolved';
  priority?: Priority;
  assignment?: 'all' | 'mine' | 'others' | 'unassigned';
  agent?: string;
  unread?: boolean;
  /** Searched in the visitor's name and the messages' text (case-insensitive substring). */
  q?: string;
  limit?: number;
}

export interface KnowledgeStore {
  createSource(
    tenant: TenantId,
    input: { name: string; kind: KnowledgeSource['kind']; connectorId?: string },
  ): Promise<KnowledgeSource>;
  listSources(tenant: TenantId): Promise<KnowledgeSource[]>;
  upsertDocument(
    tenant: TenantId,
    input: DocumentUpsert,
  ): Promise<{ document: DocumentRecord; outcome: UpsertOutcome }>;
  getDocument(tenant: TenantId, id: string): Promise<DocumentRecord | null>;
  listDocuments(tenant: TenantId, filter?: { sourceId?: string; limit?: number }): Promise<DocumentRecord[]>;
  deleteDocument(tenant: TenantId, id: string): Promise<boolean>;
  /** Marks every document of the tenant as changed, so the next ingest of its source re-indexes it. */
  forgetContentHashes(tenant: TenantId): Promise<number>;
  /**
   * An admin marks a document public (shown to the widget) or not, whatever the source says; null goes back to
   * the source's flag. The choice survives re-syncs. Records it only: KnowledgeBase.setPublic also updates the
   * index. @throws AppError `not_found` for an unknown document.
   */
  setPublic(tenant: TenantId, docId: string, isPublic: boolean | null): Promise<DocumentRecord>;
}

/** Who holds a running sync run, so a run whose process died can be told from a live one. */
export interface SyncRunLease {
  runId: string;
  /** `host:pid` of the process running it; null for runs started before leases existed. */
  owner: string | null;
  heartbeatAt: string;
}

export interface ConnectorStore {
  add(
    tenant: TenantId,
    input: { kind: string; name: string; settings: Record<string, unknown>; schedule?: string | null },
  ): Promise<ConnectorConfig>;
  list(tenant: TenantId): Promise<ConnectorConfig[]>;
  get(tenant: TenantId, id: string): Promise<ConnectorConfig | null>;
  update(
    tenant: TenantId,
    id: string,
    patch: { settings?: Record<string, unknown>; enabled?: boolean; schedule?: string | null },
  ): Promise<ConnectorConfig>;
  /** Deletes the connector with its checkpoint, runs, knowledge source and document rows (not index chunks). */
  delete(tenant: TenantId, id: string): Promise<boolean>;
  saveCheckpoint(tenant: TenantId, connectorId: string, checkpoint: Checkpoint): Promise<void>;
  loadCheckpoint(tenant: TenantId, connectorId: string): Promise<Checkpoint | null>;
  /**
   * Starts a run. With a lease, in one transaction: running runs of the connector that `isAbandoned` judges dead
   * are marked failed ("interrupted"); a live one makes this throw `conflict`.
   */
  startRun(
    tenant: TenantId,
    connectorId: string,
    lease?: { owner: string; isAbandoned: (run: SyncRunLease) => boolean },
  ): Promise<SyncRun>;
  /** Marks a running run as alive now. */
  heartbeat(tenant: TenantId, runId: string): Promise<void>;
  finishRun(
    tenant: TenantId,
    runId: string,
    result: Pick<SyncRun, 'status' | 'added' | 'updated' | 'deleted' | 'failures' | 'error'>,
  ): Promise<SyncRun>;
  runs(tenant: TenantId, connectorId: string, limit?: number): Promise<SyncRun[]>;
}

/** An answer an agent approved or wrote, kept with its question's embedding (answer memory). */
export interface RememberedAnswer {
  id: string;
  question: string;
  answer: string;
  /** 'approved': an AI draft an agent sent as is; 'agent_written': written or edited by the agent. */
  origin: 'approved' | 'agent_written';
  conversationId: string | null;
  /** The model the embedding came from; a question is re-embedded when the model changes. */
  embeddingModel: string;
  createdAt: string;
  updatedAt: string;
}

export interface AnswerMatch {
  answer: RememberedAnswer;
  /** Cosine similarity of the questions, -1..1. */
  similarity: number;
}

/**
 * Answer memory: sqlite-vec in the tenant database here, pgvector in the scale-out profile. One entry per
 * conversation (or per question when there is none): a later correction of the same conversation replaces it.
 */
export interface AnswerMemoryStore {
  remember(
    tenant: TenantId,
    input: {
      question: string;
      answer: string;
      origin: RememberedAnswer['origin'];
      conversationId?: string;
      embedding: Float32Array;
      embeddingModel: string;
    },
  ): Promise<RememberedAnswer>;
  /** Closest remembered questions to an embedding of the same model, best first, at most `limit`. */
  similar(
    tenant: TenantId,
    embedding: Float32Array,
    options: { embeddingModel: string; limit: number; minSimilarity?: number },
  ): Promise<AnswerMatch[]>;
  get(tenant: TenantId, id: string): Promise<RememberedAnswer | null>;
  forget(tenant: TenantId, id: string): Promise<boolean>;
  count(tenant: TenantId): Promise<number>;
}

/** A draft sentence the grounding checker found unsupported by the draft's own sources. */
export interface HallucinationDetection {
  id: string;
  at: string;
  conversationId: string | null;
  question: string;
  sentence: string;
  /** Support score 0..1 the checker gave it (below its threshold). */
  score: number;
  /** Facts of the sentence its best source does not state (numbers, names, negations). */
  unmatchedFacts: string[];
  /** The generator that wrote the draft ("extractive", "llama:...", "openai:..."). */
  generator: string;
  /** The documents the draft's context came from. */
  docIds: string[];
}

/** What the quality loop keeps per tenant: today the hallucination detections QA reviews. */
export interface QualityStore {
  recordHallucinations(
    tenant: TenantId,
    detections: Omit<HallucinationDetection, 'id' | 'at'>[],
  ): Promise<HallucinationDetection[]>;
  /** Newest first. */
  hallucinations(
    tenant: TenantId,
    filter?: { conversationId?: string; limit?: number },
  ): Promise<HallucinationDetection[]>;
}

/** A publishable widget key (only a SHA-256 of the key is kept), bound to one tenant and an origin allow-list. */
export interface WidgetKeyRecord {
  id: string;
  tenantId: TenantId;
  /** Normalised origins (`scheme://host[:port]`) the key may be used from. */
  origins: string[];
  createdAt: string;
  revokedAt: string | null;
}

export interface WidgetKeyStore {
  create(input: { tenantId: TenantId; keyHash: string; origins: string[] }): Promise<WidgetKeyRecord>;
  /** The active (not revoked) key with this hash, or null. */
  findByHash(keyHash: string): Promise<WidgetKeyRecord | null>;
  list(filter?: { tenantId?: TenantId }): Promise<WidgetKeyRecord[]>;
  revoke(id: string): Promise<boolean>;
  /** Replaces the allowed origins of a key (revoked or not); null when there is no such key. */
  setOrigins(id: string, origins: string[]): Promise<WidgetKeyRecord | null>;
  /** Every origin some active key allows (CORS preflights carry no key). */
  allowedOrigins(): Promise<string[]>;
}

/** The support desk's per-tenant records: settings, the conversation event log, agent drafts, escalations, CSAT. */
export interface DeskStore {
  settings(tenant: TenantId): Promise<DeskSettings>;
  updateSettings(tenant: TenantId, patch: Partial<DeskSettings>): Promise<DeskSettings>;
  /** Appends events in one transaction; ids increase monotonically. @throws AppError `not_found`. */
  appendEvents(
    tenant: TenantId,
    conversationId: string,
    events: NewConversationEvent[],
  ): Promise<ConversationEvent[]>;
  /** Events of a conversation with an id above `afterId`, oldest first. */
  events(
    tenant: TenantId,
    conversationId: string,
    options?: { afterId?: number; limit?: number },
  ): Promise<ConversationEvent[]>;
  saveDraft(tenant: TenantId, input: Omit<AgentDraft, 'id' | 'status' | 'createdAt'>): Promise<AgentDraft>;
  /** Newest first. */
  drafts(
    tenant: TenantId,
    filter?: { conversationId?: string; status?: AgentDraft['status']; limit?: number },
  ): Promise<AgentDraft[]>;
  setDraftStatus(tenant: TenantId, id: string, status: AgentDraft['status']): Promise<void>;
  recordEscalation(
    tenant: TenantId,
    input: { conversationId: string; priority: Priority; reasons: EscalationReason[] },
  ): Promise<Escalation>;
  /** Newest first. */
  escalations(
    tenant: TenantId,
    filter?: { conversationId?: string; status?: Escalation['status'] },
  ): Promise<Escalation[]>;
  /** Closes the conversation's open or assigned escalations; returns how many. */
  closeEscalations(tenant: TenantId, conversationId: string): Promise<number>;
  /** Moves the conversation's escalations in status `from` to `to` (assigned / back to open); returns them. */
  moveEscalations(
    tenant: TenantId,
    conversationId: string,
    from: 'open' | 'assigned',
    to: 'open' | 'assigned',
  ): Promise<Escalation[]>;
  /** The escalation queue: active ones highest priority first, then oldest first; closed ones latest closed first. */
  escalationQueue(
    tenant: TenantId,
    filter: { statuses: Escalation['status'][]; limit: number },
  ): Promise<Escalation[]>;
  addNote(
    tenant: TenantId,
    input: { conversationId: string; author: string; text: string },
  ): Promise<InternalNote>;
  /** Oldest first. */
  notes(tenant: TenantId, conversationId: string): Promise<InternalNote[]>;
  /** One rating per conversation; a second one replaces the first. */
  saveCsat(
    tenant: TenantId,
    input: { conversationId: string; rating: number; comment: string | null },
  ): Promise<CsatRecord>;
  csat(tenant: TenantId, conversationId: string): Promise<CsatRecord | null>;
  /**
   * Visitor messages the engine never answered (it was busy, or the server stopped): per unresolved
   * conversation, its latest visitor message, sent at `since` (ISO time) or later, with no agent or assistant
   * message after it and no draft for it. Newest first; `conversationId` narrows to one conversation.
   */
  undraftedVisitorMessages(
    tenant: TenantId,
    filter: { since: string; limit: number; conversationId?: string },
  ): Promise<Message[]>;

  // The desk's multi-step actions, each in one transaction: a failure half way leaves nothing behind. The widget
  // events an action announces (its `announce` / `events`) are written in that same transaction and returned, so
  // a stored change always has its event and a failed one has none; the caller tells listeners after commit.

  /**
   * Resolves the conversation: status resolved, its open or assigned escalations closed, its pending drafts
   * discarded; `events` appended to its event log. Returns the stored events. @throws AppError `not_found`.
   */
  resolveConversation(
    tenant: TenantId,
    conversationId: string,
    events?: NewConversationEvent[],
  ): Promise<ConversationEvent[]>;
  /**
   * Calls a person: status pending_human, a new escalation (filed as assigned when the conversation has an
   * assignee), and `notice` as a system message unless the conversation already was pending_human (then
   * `notice` in the result is null); with a notice, `announce`'s events are appended. @throws `not_found`.
   */
  handOff(tenant: TenantId, input: HandOffInput): Promise<HandOffResult>;
  /**
   * An agent's message to the visitor. With `draftId`, claims the draft first (pending → sent, only if still
   * pending); then the message, the conversation's other pending drafts discarded, the conversation read, and
   * `announce`'s events. @throws AppError `not_found` (conversation, draft), `conflict` (no longer pending).
   */
  sendAgentReply(
    tenant: TenantId,
    input: {
      conversationId: string;
      text: string;
      citations: Citation[];
      draftId?: string | undefined;
      announce?: (message: Message) => NewConversationEvent[];
    },
  ): Promise<{ message: Message; events: ConversationEvent[] }>;
  /** Sets (or with null clears) the assignee; active escalations follow (assigned / open). @throws `not_found`. */
  assignConversation(tenant: TenantId, conversationId: string, assignee: string | null): Promise<void>;
  /**
   * Keeps an agent-requested draft for `messageId` if it is still the latest visitor message and no agent or
   * assistant message came after `seenUpTo` (the conversation's last message when the agent asked), then
   * discards the pending drafts of messages up to `messageId` (not of newer ones).
   * @throws AppError `conflict` (the visitor wrote again, or someone answered meanwhile), `not_found`.
   */
  saveRegeneratedDraft(
    tenant: TenantId,
    input: NewDraft,
    seenUpTo: { messageId: string },
  ): Promise<AgentDraft>;
  /**
   * Stores what the engine's answer to a visitor message does, after checking the conversation as it is now:
   * - `stale` when it was resolved, or a visitor, agent or assistant message came after the one answered
   *   meanwhile: the draft is kept as discarded (a record; the catch-up will not answer the message again), no
   *   reply, no handoff;
   * - `replied` when `reply` is given and no person works the conversation (not pending_human, no assignee, no
   *   agent message): the reply is appended as the assistant's message (with `reply.announce`'s events) and no
   *   draft is kept;
   * - `drafted` otherwise: a pending draft and, with `handOff`, a handoff unless already pending_human.
   * @throws AppError `not_found`.
   */
  settleAnswer(
    tenant: TenantId,
    input: {
      draft: NewDraft;
      reply: {
        text: string;
        citations: Citation[];
        announce?: (message: Message) => NewConversationEvent[];
      } | null;
      handOff: Omit<HandOffInput, 'conversationId'> | null;
    },
  ): Promise<SettledAnswer>;
}

/** An AI draft as the desk hands it to the store. */
export type NewDraft = Omit<AgentDraft, 'id' | 'status' | 'createdAt'>;

export interface HandOffInput {
  conversationId: string;
  priority: Priority;
  reasons: EscalationReason[];
  /** The system message telling the visitor a person was called. */
  notice: string;
  /** The widget events of the handoff, written only when the notice is (the visitor hears of it once). */
  announce?: (handOff: { escalation: Escalation; notice: Message }) => NewConversationEvent[];
}

export interface HandOffResult {
  escalation: Escalation;
  notice: Message | null;
  /** The events stored with it (none without a notice). */
  events: ConversationEvent[];
}

/** A conversation event before it is stored (the store gives it its id and time). */
export interface NewConversationEvent {
  type: ConversationEventType;
  data: Record<string, unknown>;
}

export type SettledAnswer =
  | { outcome: 'replied'; reply: Message; events: ConversationEvent[] }
  | { outcome: 'drafted'; draft: AgentDraft; handOff: HandOffResult | null }
  | { outcome: 'stale'; draft: AgentDraft };
