-- Reminders already shown (or skipped as stale), so each (occurrence, lead time) fires once,
-- across restarts and resyncs. occurrence_key = provider:external_id:start, so an event that is
-- moved gets a new reminder at its new time.
CREATE TABLE fired_reminders (
    occurrence_key TEXT    NOT NULL,
    lead_minutes   INTEGER NOT NULL,
    fired_at       TEXT    NOT NULL,
    PRIMARY KEY (occurrence_key, lead_minutes)
);
CREATE INDEX fired_reminders_age ON fired_reminders (fired_at);

-- The user's own colour for a calendar, kept across syncs (which rewrite `color`).
ALTER TABLE calendars ADD COLUMN color_override TEXT;
