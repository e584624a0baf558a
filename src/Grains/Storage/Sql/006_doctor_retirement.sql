-- Retiring a doctor looks up the auctions they bid in by doctor (appointments already have a doctor index).
CREATE INDEX IF NOT EXISTS ix_auction_bids_doctor ON auction_bids (doctor_id);
