-- An auction's standing bids, one row per doctor, written in the same transaction as the auction's state (which no
-- longer carries them): a commit of a few bids then writes those bids' rows and a small state, not every standing
-- bid again (18.7 KB of state for 100 standing bids before). The grain serializes each row's payload. Auctions
-- stored before this script keep their standing bids inside their state until their next change writes them here.
CREATE TABLE IF NOT EXISTS auction_standing (
    auction_id uuid  NOT NULL,
    doctor_id  uuid  NOT NULL,
    payload    bytea NOT NULL,
    PRIMARY KEY (auction_id, doctor_id)
);
