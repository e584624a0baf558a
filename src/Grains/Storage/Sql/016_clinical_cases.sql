-- Clinical cases discussed by verified doctors. The text is de-identified before it gets here (CaseRules).
-- search weighs the title above the body so a title match ranks first; English and Spanish stems both match.
CREATE TABLE IF NOT EXISTS clinical_cases (
    id                   uuid          PRIMARY KEY,
    author_id            uuid          NOT NULL,
    title                varchar(200)  NOT NULL,
    age_band             varchar(6)    NOT NULL,
    sex                  varchar(8)    NOT NULL,
    presenting_complaint text          NOT NULL,
    history              text,
    findings             text,
    question             text          NOT NULL,
    tags                 text[]        NOT NULL DEFAULT '{}',
    specialty_id         uuid,
    attachment_ids       uuid[]        NOT NULL DEFAULT '{}',
    status               varchar(6)    NOT NULL CHECK (status IN ('open', 'closed')),
    accepted_comment_id  uuid,
    comment_count        int           NOT NULL DEFAULT 0,
    created_at           timestamptz   NOT NULL,
    search               tsvector      GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('spanish', title), 'A') ||
        setweight(to_tsvector('english', presenting_complaint || ' ' || coalesce(history, '') || ' ' || coalesce(findings, '') || ' ' || question), 'B') ||
        setweight(to_tsvector('spanish', presenting_complaint || ' ' || coalesce(history, '') || ' ' || coalesce(findings, '') || ' ' || question), 'B')
    ) STORED
);

CREATE INDEX IF NOT EXISTS clinical_cases_search ON clinical_cases USING gin (search);
CREATE INDEX IF NOT EXISTS clinical_cases_tags ON clinical_cases USING gin (tags);
CREATE INDEX IF NOT EXISTS clinical_cases_newest ON clinical_cases (created_at DESC, id);

-- The thread: seq numbers a case's comments from 1; the key makes a seq impossible to hand out twice.
CREATE TABLE IF NOT EXISTS clinical_case_comments (
    case_id     uuid          NOT NULL REFERENCES clinical_cases (id),
    seq         bigint        NOT NULL,
    id          uuid          NOT NULL UNIQUE,
    author_id   uuid          NOT NULL,
    parent_id   uuid,
    text        varchar(4000) NOT NULL,
    upvotes     int           NOT NULL DEFAULT 0,
    created_at  timestamptz   NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- One upvote per doctor per comment: the key is what makes a repeated upvote a no-op.
CREATE TABLE IF NOT EXISTS clinical_case_upvotes (
    comment_id  uuid         NOT NULL REFERENCES clinical_case_comments (id),
    doctor_id   uuid         NOT NULL,
    created_at  timestamptz  NOT NULL,
    PRIMARY KEY (comment_id, doctor_id)
);
