-- The VTIMEZONE definitions of a calendar (iCalendar feeds, CalDAV), by TZID, so its series
-- can be expanded again later. Scoped to the calendar: two feeds may define a TZID differently.
CREATE TABLE calendar_zones (
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    tzid        TEXT    NOT NULL,
    rules       TEXT    NOT NULL,                -- JSON of zones::VTimezoneRules
    PRIMARY KEY (calendar_id, tzid)
);

-- The zone of an event's end when it differs from its start's (DTEND in another zone).
ALTER TABLE events ADD COLUMN end_time_zone TEXT;

-- Exceptions written with RECURRENCE-ID;RANGE=THISANDFUTURE also apply to every later instance.
ALTER TABLE events ADD COLUMN this_and_future INTEGER NOT NULL DEFAULT 0;
