-- The appointment as booked (AppointmentView, Orleans' binary serializer), written with the row by the one INSERT
-- that books it: the appointment grain's state until that grain first writes a state of its own (a cancellation, a
-- completion, a reminder sent). Null for rows booked before this column, whose grains wrote their state at booking.
ALTER TABLE appointments ADD COLUMN IF NOT EXISTS booked_view bytea NULL;
