-- The wipe guard: a complete listing that would empty an account of its calendars, or a
-- calendar of its events, is held back once; set while one is held, cleared when the next
-- listing is applied (which confirms the wipe or shows it was a fluke).
ALTER TABLE accounts ADD COLUMN wipe_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calendars ADD COLUMN wipe_pending INTEGER NOT NULL DEFAULT 0;
