-- Doctors' credential submissions and their review. A submission is decided once: the decision is an UPDATE
-- guarded by status = 'pending', so two admins deciding at the same moment cannot both win.
CREATE TABLE IF NOT EXISTS doctor_credentials (
    id                uuid          PRIMARY KEY,
    doctor_id         uuid          NOT NULL,
    license_number    varchar(32)   NOT NULL,
    issuing_authority varchar(200)  NOT NULL,
    institution       varchar(200)  NOT NULL,
    degree            varchar(100)  NOT NULL,
    graduation_year   int           NOT NULL,
    attachment_ids    uuid[]        NOT NULL DEFAULT '{}',
    status            varchar(10)   NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    submitted_at      timestamptz   NOT NULL,
    decided_at        timestamptz,
    decided_by        uuid,
    reason            varchar(1000)
);

-- One pending submission per doctor, even if the doctor's grain were ever active twice.
CREATE UNIQUE INDEX IF NOT EXISTS doctor_credentials_one_pending
    ON doctor_credentials (doctor_id) WHERE status = 'pending';

CREATE INDEX IF NOT EXISTS doctor_credentials_by_doctor ON doctor_credentials (doctor_id, submitted_at DESC);

-- The review queue: one status, oldest first.
CREATE INDEX IF NOT EXISTS doctor_credentials_by_status ON doctor_credentials (status, submitted_at, id);
