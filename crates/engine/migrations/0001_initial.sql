-- Calendar Buddy's local store. Append-only: later changes go in new migration files.
-- Secrets (tokens, passwords) are never stored here: they live in the OS keychain.

CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY,
    provider       TEXT    NOT NULL,             -- 'google' | 'demo' | ...
    external_id    TEXT    NOT NULL,             -- the provider's id of the user (Google: e-mail)
    name           TEXT    NOT NULL,             -- display name or e-mail
    needs_reauth   INTEGER NOT NULL DEFAULT 0,   -- 1: the user must sign in again
    last_synced_at TEXT,                         -- RFC 3339 UTC of the last fully successful sync
    last_error     TEXT,                         -- message of the last failed sync, NULL when fine
    created_at     TEXT    NOT NULL,
    UNIQUE (provider, external_id)
);

CREATE TABLE calendars (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    external_id      TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    color            TEXT,                        -- '#rrggbb'
    time_zone        TEXT,
    is_primary       INTEGER NOT NULL DEFAULT 0,
    read_only        INTEGER NOT NULL DEFAULT 0,
    enabled          INTEGER NOT NULL DEFAULT 1,
    sync_cursor      TEXT,                        -- opaque provider cursor (Google nextSyncToken)
    window_start     TEXT,                        -- window of the last full listing (RFC 3339 UTC)
    window_end       TEXT,
    expanded_start   TEXT,                        -- window recurring series were expanded over
    expanded_end     TEXT,
    max_span_secs    INTEGER NOT NULL DEFAULT 0,  -- longest occurrence, bounds range queries
    last_attempt_at  TEXT,
    last_success_at  TEXT,
    last_error       TEXT,
    UNIQUE (account_id, external_id)
);

-- One row per provider item: a single event, a series master or an exception of a series.
CREATE TABLE events (
    id                 INTEGER PRIMARY KEY,
    calendar_id        INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    external_id        TEXT    NOT NULL,
    series_external_id TEXT,                      -- exceptions: the master's external id
    original_start     TEXT,                      -- exceptions: the instance's original start
    title              TEXT    NOT NULL,
    description        TEXT,
    location           TEXT,
    start_at           TEXT    NOT NULL,          -- RFC 3339 UTC, or YYYY-MM-DD when all-day
    end_at             TEXT    NOT NULL,          -- exclusive
    all_day            INTEGER NOT NULL,
    time_zone          TEXT,
    recurrence         TEXT,                      -- JSON array of RRULE/EXDATE/RDATE lines
    status             TEXT    NOT NULL,          -- confirmed | tentative | cancelled
    my_response        TEXT,                      -- needs_action | accepted | tentative | declined
    meeting_url        TEXT,
    etag               TEXT,
    updated_at         TEXT,
    UNIQUE (calendar_id, external_id)
);
CREATE INDEX events_series ON events (calendar_id, series_external_id);

-- Materialised instances: what "events between A and B" and "next N events" read.
-- start_key/end_key are seconds: UTC epoch for timed events; for all-day events the date's
-- midnight read as if it were UTC (floating), compared against local wall-clock bounds.
CREATE TABLE occurrences (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    calendar_id  INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    instance_key TEXT    NOT NULL,               -- '' for single events, else the original start
    start_key    INTEGER NOT NULL,
    end_key      INTEGER NOT NULL,
    all_day      INTEGER NOT NULL,
    start_at     TEXT    NOT NULL,               -- as in events.start_at
    end_at       TEXT    NOT NULL,
    UNIQUE (event_id, instance_key)
);
CREATE INDEX occurrences_start ON occurrences (start_key, end_key);
CREATE INDEX occurrences_calendar ON occurrences (calendar_id);
