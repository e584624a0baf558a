-- A patient's health records, append-only: an edit or a delete adds a row with the next version (a delete
-- carries deleted = true); no row is ever updated or removed. The live record is its highest version, unless
-- that version is a deletion.
CREATE TABLE IF NOT EXISTS health_records (
    record_id   uuid        NOT NULL,
    version     integer     NOT NULL,
    patient_id  uuid        NOT NULL,
    kind        varchar(20) NOT NULL,
    type        varchar(100),
    recorded_at timestamptz NOT NULL,
    payload     jsonb       NOT NULL,
    note        text,
    deleted     boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (record_id, version)
);

-- A patient's records of one kind, newest first: range queries, keyset paging and the duplicate check.
CREATE INDEX IF NOT EXISTS health_records_patient_kind_time
    ON health_records (patient_id, kind, recorded_at DESC, record_id DESC);
