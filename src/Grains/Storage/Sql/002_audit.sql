-- Every read of a patient's data by someone other than that patient, and every privileged change,
-- leaves one row here. Append-only: the application never updates or deletes.
CREATE TABLE IF NOT EXISTS audit_events (
    id          bigserial    PRIMARY KEY,
    at          timestamptz  NOT NULL DEFAULT now(),
    actor_id    uuid         NOT NULL,
    actor_role  varchar(16)  NOT NULL,
    action      varchar(64)  NOT NULL,
    subject_id  uuid         NULL,
    detail      varchar(500) NULL
);
CREATE INDEX IF NOT EXISTS ix_audit_events_subject ON audit_events (subject_id, at DESC);
CREATE INDEX IF NOT EXISTS ix_audit_events_actor ON audit_events (actor_id, at DESC);
