-- Marketplace. The auction grain keeps the standing bids; every bid and every event is appended here,
-- so a reconnecting watcher can catch up from any sequence number.
CREATE TABLE IF NOT EXISTS auctions (
    id           uuid          PRIMARY KEY,
    patient_id   uuid          NOT NULL,
    specialty_id uuid          NOT NULL,
    status       varchar(16)   NOT NULL,
    closes_at    timestamptz   NOT NULL,
    max_price    numeric(12,2) NULL,
    currency     char(3)       NOT NULL,
    window_from  timestamptz   NOT NULL,
    window_to    timestamptz   NOT NULL,
    bid_count    integer       NOT NULL DEFAULT 0,
    created_at   timestamptz   NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_auctions_patient ON auctions (patient_id, created_at DESC);

CREATE TABLE IF NOT EXISTS auction_bids (
    id          uuid          PRIMARY KEY,
    auction_id  uuid          NOT NULL,
    doctor_id   uuid          NOT NULL,
    price       numeric(12,2) NOT NULL,
    slot_start  timestamptz   NOT NULL,
    slot_end    timestamptz   NOT NULL,
    message     varchar(500)  NULL,
    placed_at   timestamptz   NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_auction_bids_auction ON auction_bids (auction_id, placed_at);

CREATE TABLE IF NOT EXISTS auction_events (
    auction_id uuid        NOT NULL,
    seq        bigint      NOT NULL,
    type       varchar(32) NOT NULL,
    payload    bytea       NOT NULL,
    at         timestamptz NOT NULL,
    PRIMARY KEY (auction_id, seq)
);
