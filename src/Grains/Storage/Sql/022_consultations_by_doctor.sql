-- A doctor's own consultations (issue 13: "Questions I took" read from the Api, not the browser): the claimed and
-- closed ones of one doctor, most recently claimed first. Open and expired rows have no doctor and stay out of it.
CREATE INDEX IF NOT EXISTS ix_consultations_doctor ON consultations (doctor_id, claimed_at DESC, id) WHERE doctor_id IS NOT NULL;
