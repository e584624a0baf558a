-- One text-search vector per message instead of an English and a Spanish one: the message's own language
-- ('en' or 'es', guessed from its text when it is appended) picks the stemmer, which halves the tsvector
-- work of every insert (a CPU profile of a chat turn put to_tsvector and the GIN insert at about a tenth of
-- PostgreSQL's time). Search still asks in both languages (websearch_to_tsquery english || spanish), so a
-- word finds a message whichever stemmer indexed it. Rows without a language (written before this script,
-- or by a build that does not set it) keep both vectors, as 003 computed them.
-- Plain text, not regconfig: pg_upgrade refuses user tables with reg* columns.
ALTER TABLE chat_messages ADD COLUMN IF NOT EXISTS search_language varchar(2) NULL
    CONSTRAINT ck_chat_messages_search_language CHECK (search_language IN ('en', 'es'));
DROP INDEX IF EXISTS ix_chat_messages_search;
ALTER TABLE chat_messages DROP COLUMN IF EXISTS search;
ALTER TABLE chat_messages ADD COLUMN search tsvector GENERATED ALWAYS AS (
    CASE search_language
        WHEN 'en' THEN to_tsvector('english', content)
        WHEN 'es' THEN to_tsvector('spanish', content)
        ELSE to_tsvector('english', content) || to_tsvector('spanish', content)
    END) STORED;
CREATE INDEX IF NOT EXISTS ix_chat_messages_search ON chat_messages USING gin (search);
