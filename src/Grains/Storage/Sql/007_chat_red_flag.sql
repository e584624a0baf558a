-- The red-flag category behind an emergency answer (a RedFlagCategories id, or 'model'), so the archive
-- says which category fired and not only that the source was an emergency.
ALTER TABLE chat_messages ADD COLUMN IF NOT EXISTS red_flag varchar(32) NULL;
