-- CalDAV and ICS change whole resources (one href or UID: a series master with its overrides,
-- under one ETag). Each event remembers the resource it came in, so replacing a resource can
-- delete the events it no longer holds and deleting one removes them all. NULL for providers
-- that change single events (Google, the demo).
ALTER TABLE events ADD COLUMN resource_id TEXT;
CREATE INDEX events_resource ON events (calendar_id, resource_id);
