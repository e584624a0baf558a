-- The auction grain's own state moves into its summary row, so that one statement writes the state, the bid and
-- its events together (one commit per bid instead of five). state_etag is the token of the last write: a commit
-- that does not present it (a second activation after a crash) changes nothing. Auctions stored before this
-- script keep their state in OrleansStorage until their next change moves it here.
ALTER TABLE auctions ADD COLUMN IF NOT EXISTS state bytea NULL;
ALTER TABLE auctions ADD COLUMN IF NOT EXISTS state_etag uuid NULL;
