-- Whether a calendar's events get reminders (Settings → Calendars, `calbuddy calendars
-- reminders`); on by default, so existing calendars keep reminding.
ALTER TABLE calendars ADD COLUMN reminders INTEGER NOT NULL DEFAULT 1;

-- Reminders the user snoozed, waiting to come back, so a snooze outlives a restart. A row is
-- deleted once its reminder is shown again, or when its event is gone, moved or over.
CREATE TABLE snoozed_reminders (
    occurrence_key TEXT    NOT NULL,
    lead_minutes   INTEGER NOT NULL,
    until          TEXT    NOT NULL,
    PRIMARY KEY (occurrence_key, lead_minutes)
);
