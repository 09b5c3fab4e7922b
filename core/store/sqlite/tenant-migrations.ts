import type { Migration } from './open-database.js';

/** Schema of each tenant's own database, kept in the tenant's folder beside its vector index. */
export const tenantMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'conversations, knowledge, connectors',
    sql: `
      CREATE TABLE conversations (
        id         TEXT PRIMARY KEY,
        channel    TEXT NOT NULL,
        status     TEXT NOT NULL CHECK (status IN ('open', 'pending_human', 'resolved')),
        visitor    TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX conversations_by_status ON conversations(status, updated_at);

      CREATE TABLE messages (
        id              TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        seq             INTEGER NOT NULL,
        role            TEXT NOT NULL CHECK (role IN ('visitor', 'assistant', 'agent', 'system')),
        text            TEXT NOT NULL,
        citations       TEXT NOT NULL DEFAULT '[]',
        created_at      TEXT NOT NULL,
        UNIQUE (conversation_id, seq)
      ) STRICT;

      CREATE TABLE escalations (
        id              TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        priority        TEXT NOT NULL CHECK (priority IN ('urgent', 'high', 'medium', 'low')),
        reasons         TEXT NOT NULL DEFAULT '[]',
        status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'assigned', 'closed')),
        created_at      TEXT NOT NULL,
        closed_at       TEXT
      ) STRICT;

      CREATE TABLE connector_configs (
        id         TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,
        name       TEXT NOT NULL UNIQUE,
        settings   TEXT NOT NULL DEFAULT '{}',
        enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE knowledge_sources (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE,
        kind         TEXT NOT NULL CHECK (kind IN ('upload', 'connector')),
        connector_id TEXT REFERENCES connector_configs(id) ON DELETE CASCADE,
        created_at   TEXT NOT NULL
      ) STRICT;

      CREATE TABLE documents (
        id           TEXT PRIMARY KEY,
        source_id    TEXT NOT NULL REFERENCES knowledge_sources(id) ON DELETE CASCADE,
        external_id  TEXT NOT NULL,
        title        TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        version      INTEGER NOT NULL DEFAULT 1,
        metadata     TEXT NOT NULL DEFAULT '{}',
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        UNIQUE (source_id, external_id)
      ) STRICT;

      CREATE TABLE connector_checkpoints (
        connector_id TEXT PRIMARY KEY REFERENCES connector_configs(id) ON DELETE CASCADE,
        checkpoint   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      ) STRICT;

      CREATE TABLE sync_runs (
        id           TEXT PRIMARY KEY,
        connector_id TEXT NOT NULL REFERENCES connector_configs(id) ON DELETE CASCADE,
        status       TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
        started_at   TEXT NOT NULL,
        finished_at  TEXT,
        added        INTEGER NOT NULL DEFAULT 0,
        updated      INTEGER NOT NULL DEFAULT 0,
        deleted      INTEGER NOT NULL DEFAULT 0,
        failures     TEXT NOT NULL DEFAULT '[]',
        error        TEXT
      ) STRICT;
      CREATE INDEX sync_runs_by_connector ON sync_runs(connector_id, started_at);
    `,
  },
  {
    version: 2,
    name: 'answer memory',
    // Vectors are float32 BLOBs in a plain table, compared with sqlite-vec's vec_distance_cosine in a scan
    // filtered by model (why not vec0: see answers.ts). One entry per conversation; without a conversation,
    // one per normalised question. A conversation's entry goes with it: its question is the visitor's text.
    sql: `
      CREATE TABLE answer_memory (
        id              TEXT PRIMARY KEY,
        question        TEXT NOT NULL,
        question_key    TEXT NOT NULL,
        answer          TEXT NOT NULL,
        origin          TEXT NOT NULL CHECK (origin IN ('approved', 'agent_written')),
        conversation_id TEXT REFERENCES conversations(id) ON DELETE CASCADE,
        embedding_model TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX answer_memory_one_per_conversation
        ON answer_memory(conversation_id) WHERE conversation_id IS NOT NULL;
      CREATE UNIQUE INDEX answer_memory_one_per_question
        ON answer_memory(question_key) WHERE conversation_id IS NULL;
      CREATE INDEX answer_memory_by_model ON answer_memory(embedding_model);

      CREATE TABLE answer_memory_vectors (
        answer_id TEXT PRIMARY KEY REFERENCES answer_memory(id) ON DELETE CASCADE,
        embedding BLOB NOT NULL CHECK (length(embedding) > 0 AND length(embedding) % 4 = 0)
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'hallucination detections',
    // Kept for QA review and the quality loop; a conversation's detections go with it (they quote its drafts).
    sql: `
      CREATE TABLE hallucination_detections (
        id              TEXT PRIMARY KEY,
        at              TEXT NOT NULL,
        conversation_id TEXT REFERENCES conversations(id) ON DELETE CASCADE,
        question        TEXT NOT NULL,
        sentence        TEXT NOT NULL,
        score           REAL NOT NULL CHECK (score >= 0 AND score <= 1),
        unmatched_facts TEXT NOT NULL DEFAULT '[]',
        generator       TEXT NOT NULL,
        doc_ids         TEXT NOT NULL DEFAULT '[]'
      ) STRICT;
      CREATE INDEX hallucination_detections_by_time ON hallucination_detections(at);
      CREATE INDEX hallucination_detections_by_conversation ON hallucination_detections(conversation_id);
    `,
  },
  {
    version: 4,
    name: 'connector schedules and run leases',
    // A run's owner (host:pid) and heartbeat tell a live run in another process from one whose process died,
    // so a second sync of the same connector is refused while the first is alive and resumes after it died.
    sql: `
      ALTER TABLE connector_configs ADD COLUMN schedule TEXT;
      ALTER TABLE sync_runs ADD COLUMN owner TEXT;
      ALTER TABLE sync_runs ADD COLUMN heartbeat_at TEXT;
    `,
  },
  {
    version: 5,
    name: 'document permissions',
    // The source's permissions (JSON {public, principals}; NULL = none given) and an admin's public choice
    // (NULL = never made, the source's flag applies), kept apart so a re-sync updates one and keeps the other.
    sql: `
      ALTER TABLE documents ADD COLUMN permissions TEXT;
      ALTER TABLE documents ADD COLUMN public_override INTEGER CHECK (public_override IN (0, 1));
    `,
  },
  {
    version: 6,
    name: 'support desk: settings, conversation events, drafts, csat',
    // conversation_events is the widget's SSE log: AUTOINCREMENT ids never go back, even after deletes, so a
    // stream resumes from Last-Event-ID after a disconnect or a restart. Drafts are AI replies held for agents.
    sql: `
      CREATE TABLE desk_settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE conversation_events (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        type            TEXT NOT NULL,
        data            TEXT NOT NULL DEFAULT '{}',
        created_at      TEXT NOT NULL
      ) STRICT;
      CREATE INDEX conversation_events_by_conversation ON conversation_events(conversation_id, id);

      CREATE TABLE agent_drafts (
        id              TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        message_id      TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        text            TEXT NOT NULL,
        citations       TEXT NOT NULL DEFAULT '[]',
        confidence      REAL NOT NULL,
        escalate        INTEGER NOT NULL CHECK (escalate IN (0, 1)),
        priority        TEXT CHECK (priority IN ('urgent', 'high', 'medium', 'low')),
        reasons         TEXT NOT NULL DEFAULT '[]',
        status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'discarded')),
        created_at      TEXT NOT NULL
      ) STRICT;
      CREATE INDEX agent_drafts_by_conversation ON agent_drafts(conversation_id, created_at);
      CREATE INDEX agent_drafts_by_status ON agent_drafts(status, created_at);

      CREATE INDEX escalations_by_conversation ON escalations(conversation_id, created_at);

      CREATE TABLE csat (
        conversation_id TEXT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
        rating          INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment         TEXT,
        created_at      TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 7,
    name: 'agent console: assignment, read marker, internal notes, flagged draft sentences',
    // The inbox sorts by open-escalation priority then updated_at and counts unread visitor messages (those after
    // agent_read_at): the indexes serve those lookups per conversation. Notes are internal, never sent to visitors.
    sql: `
      ALTER TABLE conversations ADD COLUMN assignee TEXT;
      ALTER TABLE conversations ADD COLUMN agent_read_at TEXT;
      CREATE INDEX conversations_by_updated ON conversations(updated_at);
      CREATE INDEX conversations_by_assignee ON conversations(assignee, updated_at);
      CREATE INDEX messages_by_role ON messages(conversation_id, role, created_at);
      CREATE INDEX escalations_by_status ON escalations(status, conversation_id);

      ALTER TABLE agent_drafts ADD COLUMN unsupported TEXT NOT NULL DEFAULT '[]';

      CREATE TABLE internal_notes (
        id              TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        author          TEXT NOT NULL,
        text            TEXT NOT NULL,
        created_at      TEXT NOT NULL
      ) STRICT;
      CREATE INDEX internal_notes_by_conversation ON internal_notes(conversation_id, created_at);
    `,
  },
  {
    version: 8,
    name: 'agent drafts: the reply each sent draft became',
    // An agent's reply sent from a draft answers that draft's visitor message only: the desk must not take it
    // for an answer to a newer message (whose draft and handoff would be dropped). Null for older sent drafts:
    // their replies count as answering everything before them, as they did.
    sql: `
      ALTER TABLE agent_drafts ADD COLUMN sent_message_id TEXT;
      CREATE INDEX agent_drafts_by_sent_message ON agent_drafts(sent_message_id) WHERE sent_message_id IS NOT NULL;
    `,
  },
];
