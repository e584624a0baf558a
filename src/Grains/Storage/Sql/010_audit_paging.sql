-- Keyset paging of the audit trail, newest first on (at, id): the patient's access log filters by subject,
-- the admin's search may not. The id breaks ties between events of the same microsecond.
CREATE INDEX IF NOT EXISTS ix_audit_events_subject_page ON audit_events (subject_id, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS ix_audit_events_page ON audit_events (at DESC, id DESC);
-- The new subject index serves everything the old one did.
DROP INDEX IF EXISTS ix_audit_events_subject;
