-- Ratings after a consultation, and the expiry of unclaimed ones (issue 12).

-- An unclaimed consultation expires: a fourth status, with no doctor (closed_at records when it expired).
ALTER TABLE consultations DROP CONSTRAINT IF EXISTS consultations_status_check;
ALTER TABLE consultations DROP CONSTRAINT IF EXISTS ck_consultations_status;
ALTER TABLE consultations ADD CONSTRAINT ck_consultations_status CHECK (status IN ('open', 'claimed', 'closed', 'expired'));
ALTER TABLE consultations DROP CONSTRAINT IF EXISTS ck_consultations_claimed;
ALTER TABLE consultations ADD CONSTRAINT ck_consultations_claimed CHECK ((status IN ('open', 'expired')) = (doctor_id IS NULL));

-- One rating per consultation: the primary key is the last guard behind the consultation grain's own check.
-- The patient is kept for the record but never leaves through the public listing.
CREATE TABLE IF NOT EXISTS consultation_ratings (
    consultation_id uuid        PRIMARY KEY REFERENCES consultations (id) ON DELETE CASCADE,
    doctor_id       uuid        NOT NULL,
    patient_id      uuid        NOT NULL,
    rating          smallint    NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment         text        NULL CHECK (comment IS NULL OR char_length(comment) <= 1000),
    created_at      timestamptz NOT NULL
);
-- The doctor's page lists newest first, and the doctor grain sums a doctor's ratings on activation.
CREATE INDEX IF NOT EXISTS ix_consultation_ratings_doctor ON consultation_ratings (doctor_id, created_at DESC, consultation_id) INCLUDE (rating);
