-- AI chat: every message is appended here (the source of truth); the conversation grain keeps only
-- a window of the latest messages and a rolling summary.
CREATE TABLE IF NOT EXISTS chat_conversations (
    id            uuid         PRIMARY KEY,
    owner_id      uuid         NOT NULL,
    title         varchar(200) NOT NULL,
    created_at    timestamptz  NOT NULL,
    updated_at    timestamptz  NOT NULL,
    message_count integer      NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ix_chat_conversations_owner ON chat_conversations (owner_id, updated_at DESC, id);

CREATE TABLE IF NOT EXISTS chat_messages (
    id              uuid        PRIMARY KEY,
    conversation_id uuid        NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
    owner_id        uuid        NOT NULL,
    seq             integer     NOT NULL,
    role            varchar(16) NOT NULL CHECK (role IN ('user', 'assistant')),
    content         text        NOT NULL,
    source          varchar(16) NULL,
    degraded        boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL,
    -- English and Spanish stemming both, so "dolores" finds "dolor" and "headaches" finds "headache".
    search          tsvector    GENERATED ALWAYS AS (to_tsvector('english', content) || to_tsvector('spanish', content)) STORED,
    CONSTRAINT ux_chat_messages_seq UNIQUE (conversation_id, seq)
);
CREATE INDEX IF NOT EXISTS ix_chat_messages_search ON chat_messages USING gin (search);
CREATE INDEX IF NOT EXISTS ix_chat_messages_owner ON chat_messages (owner_id);
