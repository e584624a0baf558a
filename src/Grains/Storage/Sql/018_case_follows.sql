-- Who follows a clinical case: its author from the start, and any verified doctor who asks. The key makes follow
-- idempotent; the second index serves "the cases I follow", newest follow first.
CREATE TABLE IF NOT EXISTS clinical_case_follows (
    case_id     uuid         NOT NULL REFERENCES clinical_cases (id),
    doctor_id   uuid         NOT NULL,
    created_at  timestamptz  NOT NULL,
    PRIMARY KEY (case_id, doctor_id)
);

CREATE INDEX IF NOT EXISTS clinical_case_follows_by_doctor ON clinical_case_follows (doctor_id, created_at DESC, case_id);

-- Authors of cases posted before follows existed follow their own cases, as new authors do.
INSERT INTO clinical_case_follows (case_id, doctor_id, created_at)
SELECT id, author_id, created_at FROM clinical_cases
ON CONFLICT DO NOTHING;

-- Comments may link their writer's uploads, as cases do.
ALTER TABLE clinical_case_comments ADD COLUMN IF NOT EXISTS attachment_ids uuid[] NOT NULL DEFAULT '{}';

-- An attachment download asks "is this file linked to one of its owner's cases or comments?": answered from these.
CREATE INDEX IF NOT EXISTS clinical_cases_attachments ON clinical_cases USING gin (attachment_ids);
CREATE INDEX IF NOT EXISTS clinical_case_comments_attachments ON clinical_case_comments USING gin (attachment_ids);
