-- Full-text search over events (`calbuddy search`): an FTS5 index of each event row's title,
-- location and description, with the text kept once, in `events` (external content). Triggers
-- keep it in step with every insert, update and delete (cascades from a removed calendar or
-- account included), so it is never rebuilt on a sync. unicode61 with remove_diacritics 2
-- folds case and accents: "cafe" finds "Café".
CREATE VIRTUAL TABLE events_fts USING fts5(
    title, location, description,
    content = 'events', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO events_fts (events_fts) VALUES ('rebuild');

CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_fts (rowid, title, location, description)
    VALUES (new.id, new.title, new.location, new.description);
END;

CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, title, location, description)
    VALUES ('delete', old.id, old.title, old.location, old.description);
END;

CREATE TRIGGER events_fts_update AFTER UPDATE OF title, location, description ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, title, location, description)
    VALUES ('delete', old.id, old.title, old.location, old.description);
    INSERT INTO events_fts (rowid, title, location, description)
    VALUES (new.id, new.title, new.location, new.description);
END;
