-- Quick consultations (issue 12): one row per consultation (its grain is the single writer), and its thread in an
-- append-only table numbered per consultation, as chat is.
CREATE TABLE IF NOT EXISTS consultations (
    id             uuid        PRIMARY KEY,
    patient_id     uuid        NOT NULL,
    specialty_id   uuid        NOT NULL,
    question       text        NOT NULL,
    attachment_ids uuid[]      NOT NULL DEFAULT '{}',
    status         varchar(16) NOT NULL CHECK (status IN ('open', 'claimed', 'closed')),
    doctor_id      uuid        NULL,
    red_flags      text[]      NOT NULL DEFAULT '{}',
    guidance       text        NULL,
    created_at     timestamptz NOT NULL,
    claimed_at     timestamptz NULL,
    closed_at      timestamptz NULL,
    CONSTRAINT ck_consultations_claimed CHECK ((status = 'open') = (doctor_id IS NULL))
);
-- Doctors read the open ones of their specialty oldest first; patients read theirs newest first.
CREATE INDEX IF NOT EXISTS ix_consultations_open ON consultations (specialty_id, created_at, id) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS ix_consultations_patient ON consultations (patient_id, created_at DESC, id);

CREATE TABLE IF NOT EXISTS consultation_messages (
    consultation_id uuid        NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    seq             integer     NOT NULL CHECK (seq > 0),
    author_id       uuid        NOT NULL,
    author_role     varchar(16) NOT NULL,
    text            text        NOT NULL,
    attachment_ids  uuid[]      NOT NULL DEFAULT '{}',
    red_flags       text[]      NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (consultation_id, seq)
);
