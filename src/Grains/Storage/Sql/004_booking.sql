-- Booking. The doctor grain is the single writer of its calendar; this table is the second line of
-- defence: PostgreSQL itself refuses two live appointments of one doctor whose times overlap.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE IF NOT EXISTS appointments (
    id          uuid        PRIMARY KEY,
    doctor_id   uuid        NOT NULL,
    patient_id  uuid        NOT NULL,
    during      tstzrange   NOT NULL,
    status      varchar(16) NOT NULL CHECK (status IN ('booked', 'completed', 'noshow', 'cancelled')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ex_appointments_doctor_overlap
        EXCLUDE USING gist (doctor_id WITH =, during WITH &&) WHERE (status <> 'cancelled')
);
CREATE INDEX IF NOT EXISTS ix_appointments_patient ON appointments (patient_id, lower(during) DESC);
CREATE INDEX IF NOT EXISTS ix_appointments_doctor ON appointments (doctor_id, lower(during) DESC);

-- Every payment event, append-only. Card data here is brand and last four only, by construction.
CREATE TABLE IF NOT EXISTS payment_ledger (
    id             bigserial     PRIMARY KEY,
    payment_id     uuid          NOT NULL,
    appointment_id uuid          NULL,
    payer_id       uuid          NOT NULL,
    event          varchar(16)   NOT NULL CHECK (event IN ('captured', 'declined', 'failed', 'refunded')),
    amount         numeric(12,2) NOT NULL,
    currency       char(3)       NOT NULL,
    brand          varchar(16)   NOT NULL,
    last4          char(4)       NOT NULL,
    transaction_id varchar(64)   NULL,
    detail         varchar(200)  NULL,
    at             timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ix_payment_ledger_payment ON payment_ledger (payment_id, id);
