-- A patient's alarms: the doses of medication schedules and custom alarms. A dose row is written when its moment
-- has come; the unique (schedule_id, due_at) makes that write happen once however often a reminder tick repeats.
-- A custom alarm row is written when it is made and rung when due. rung_at is set once the inbox has it.
CREATE TABLE IF NOT EXISTS medication_alarms (
    alarm_id      uuid         PRIMARY KEY,
    patient_id    uuid         NOT NULL,
    schedule_id   uuid,
    medication_id uuid,
    title         varchar(300) NOT NULL,
    due_at        timestamptz  NOT NULL,
    status        varchar(10)  NOT NULL CHECK (status IN ('open', 'taken', 'skipped', 'missed')),
    late          boolean      NOT NULL DEFAULT false,
    rung_at       timestamptz,
    answered_at   timestamptz,
    created_at    timestamptz  NOT NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS medication_alarms_once_per_dose
    ON medication_alarms (schedule_id, due_at) WHERE schedule_id IS NOT NULL;

-- A patient's alarms by due time: range queries, keyset paging and adherence counts.
CREATE INDEX IF NOT EXISTS medication_alarms_patient_due
    ON medication_alarms (patient_id, due_at, alarm_id);

-- What a tick still has to ring: small, since rows leave it once rung or answered.
CREATE INDEX IF NOT EXISTS medication_alarms_to_ring
    ON medication_alarms (patient_id, due_at) WHERE rung_at IS NULL AND status = 'open';
