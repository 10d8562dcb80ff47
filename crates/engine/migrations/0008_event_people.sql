-- Who is in an event, its web page and its own reminders (issue 10). NULL means the provider
-- said nothing (an override with NULL shows its master's). organizer and attendees are JSON
-- (model::Person, [model::Attendee]); reminder_minutes is a JSON array of lead times ('[]':
-- explicitly none). `people` is the organizer's and attendees' names and the part of their
-- addresses before the @ as plain text, written with the row, only so that the search index
-- can cover them.
ALTER TABLE events ADD COLUMN ical_uid TEXT;
ALTER TABLE events ADD COLUMN organizer TEXT;
ALTER TABLE events ADD COLUMN attendees TEXT;
ALTER TABLE events ADD COLUMN attendees_omitted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN web_link TEXT;
ALTER TABLE events ADD COLUMN reminder_minutes TEXT;
ALTER TABLE events ADD COLUMN people TEXT;
-- One meeting in several calendars is found by its UID.
CREATE INDEX events_ical_uid ON events (ical_uid) WHERE ical_uid IS NOT NULL;

-- The search index (0007) now covers the people too: dropped and made again with the new
-- column, its triggers with it, and filled from the rows.
DROP TRIGGER events_fts_insert;
DROP TRIGGER events_fts_delete;
DROP TRIGGER events_fts_update;
DROP TABLE events_fts;

CREATE VIRTUAL TABLE events_fts USING fts5(
    title, location, description, people,
    content = 'events', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO events_fts (events_fts) VALUES ('rebuild');

CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_fts (rowid, title, location, description, people)
    VALUES (new.id, new.title, new.location, new.description, new.people);
END;

CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, title, location, description, people)
    VALUES ('delete', old.id, old.title, old.location, old.description, old.people);
END;

CREATE TRIGGER events_fts_update AFTER UPDATE OF title, location, description, people ON events
BEGIN
    INSERT INTO events_fts (events_fts, rowid, title, location, description, people)
    VALUES ('delete', old.id, old.title, old.location, old.description, old.people);
    INSERT INTO events_fts (rowid, title, location, description, people)
    VALUES (new.id, new.title, new.location, new.description, new.people);
END;

-- Events stored before this version lack the new fields, and an incremental sync only sends
-- what changed: the next sync of every calendar lists it in full (no cursor) and writes every
-- event again (no stored etag for the planner to skip it by).
UPDATE calendars SET sync_cursor = NULL;
UPDATE events SET etag = NULL;
