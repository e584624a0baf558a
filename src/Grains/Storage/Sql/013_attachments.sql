-- Attachments (issue 12): the bytes once per content (keyed by their SHA-256, after metadata stripping), and
-- one row per upload naming its owner. Two uploads of the same file share the bytes and keep their own ids.
CREATE TABLE IF NOT EXISTS attachment_blobs (
    sha256     char(64)    PRIMARY KEY,
    bytes      bytea       NOT NULL,
    size       integer     NOT NULL CHECK (size > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
-- PNG, JPEG and PDF are already compressed: store out of line without another pass of pglz.
ALTER TABLE attachment_blobs ALTER COLUMN bytes SET STORAGE EXTERNAL;

CREATE TABLE IF NOT EXISTS attachments (
    id           uuid        PRIMARY KEY,
    owner_id     uuid        NOT NULL,
    sha256       char(64)    NOT NULL REFERENCES attachment_blobs (sha256),
    content_type text        NOT NULL,
    size         integer     NOT NULL,
    file_name    text        NOT NULL,
    created_at   timestamptz NOT NULL
);
-- The daily upload cap counts an owner's recent rows; ownership checks look up by id.
CREATE INDEX IF NOT EXISTS ix_attachments_owner ON attachments (owner_id, created_at DESC);
