//! One user's calendars in memory: each calendar's resources (name → iCalendar text and ETag),
//! and the change history that sync tokens (RFC 6578) and ctags are drawn from.
//!
//! Every change gets the next number of one server-wide sequence. A calendar's sync token is
//! `http://fake-caldav.test/sync/N` with N the sequence number when it was handed out; its ctag
//! is the number of its last change. A deleted resource leaves a tombstone so a later
//! sync-collection can report it with 404.

use std::collections::BTreeMap;

/// The prefix of every sync token; RFC 6578 §3.2 wants tokens to be URIs.
pub const TOKEN_PREFIX: &str = "http://fake-caldav.test/sync/";

/// How a calendar is shown, set by the test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarSpec {
    pub display_name: String,
    /// Apple's `calendar-color`, e.g. `#FF2968FF`.
    pub color: Option<String>,
    /// `supported-calendar-component-set`; empty to leave the property out (all components).
    pub components: Vec<String>,
}

impl CalendarSpec {
    /// A calendar for events with this display name.
    pub fn events(display_name: &str) -> CalendarSpec {
        CalendarSpec {
            display_name: display_name.to_owned(),
            color: None,
            components: vec!["VEVENT".to_owned()],
        }
    }
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub ics: String,
    pub etag: String,
    /// The sequence number of its last change.
    pub changed: u64,
}

#[derive(Debug, Clone)]
pub struct Calendar {
    pub spec: CalendarSpec,
    pub resources: BTreeMap<String, Resource>,
    /// Deleted resource names and the sequence number of the deletion.
    pub tombstones: BTreeMap<String, u64>,
    /// The sequence number of the last change (creation included): the ctag.
    pub changed: u64,
    /// Tokens older than this are no longer valid.
    pub oldest_valid_token: u64,
}

/// One member reported by a sync-collection: its name and, unless it was deleted, its ETag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub name: String,
    pub etag: Option<String>,
    pub seq: u64,
}

/// Why a sync token is refused (`DAV:valid-sync-token`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidToken;

#[derive(Debug, Default)]
pub struct Store {
    pub calendars: BTreeMap<String, Calendar>,
    seq: u64,
}

impl Store {
    fn next(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// The sequence number now: the token a complete listing hands out.
    pub fn now(&self) -> u64 {
        self.seq
    }

    /// Adds or replaces the calendar `name` (a path segment).
    pub fn add_calendar(&mut self, name: &str, spec: CalendarSpec) {
        let seq = self.next();
        self.calendars.insert(
            name.to_owned(),
            Calendar {
                spec,
                resources: BTreeMap::new(),
                tombstones: BTreeMap::new(),
                changed: seq,
                oldest_valid_token: 0,
            },
        );
    }

    pub fn remove_calendar(&mut self, name: &str) -> bool {
        self.calendars.remove(name).is_some()
    }

    /// Stores `ics` as `calendar`/`name`; returns the new ETag, or `None` without that calendar.
    pub fn put(&mut self, calendar: &str, name: &str, ics: &str) -> Option<String> {
        if !self.calendars.contains_key(calendar) {
            return None;
        }
        let seq = self.next();
        let etag = format!("\"{seq}\"");
        let cal = self.calendars.get_mut(calendar)?;
        cal.tombstones.remove(name);
        cal.resources.insert(
            name.to_owned(),
            Resource {
                ics: ics.to_owned(),
                etag: etag.clone(),
                changed: seq,
            },
        );
        cal.changed = seq;
        Some(etag)
    }

    /// Deletes `calendar`/`name`; false when there is no such resource.
    pub fn delete(&mut self, calendar: &str, name: &str) -> bool {
        let exists = self
            .calendars
            .get(calendar)
            .is_some_and(|c| c.resources.contains_key(name));
        if !exists {
            return false;
        }
        let seq = self.next();
        if let Some(cal) = self.calendars.get_mut(calendar) {
            cal.resources.remove(name);
            cal.tombstones.insert(name.to_owned(), seq);
            cal.changed = seq;
        }
        true
    }

    /// Makes every token handed out so far invalid, as a server that prunes its history does.
    pub fn expire_tokens(&mut self) {
        let now = self.next();
        for cal in self.calendars.values_mut() {
            cal.oldest_valid_token = now;
        }
    }
}

impl Calendar {
    /// The members changed since `token` (every member for `None`), oldest change first.
    pub fn changes_since(&self, token: Option<u64>) -> Vec<Change> {
        let mut changes: Vec<Change> = self
            .resources
            .iter()
            .filter(|(_, r)| token.is_none_or(|t| r.changed > t))
            .map(|(name, r)| Change {
                name: name.clone(),
                etag: Some(r.etag.clone()),
                seq: r.changed,
            })
            .collect();
        if let Some(t) = token {
            changes.extend(self.tombstones.iter().filter(|(_, seq)| **seq > t).map(
                |(name, seq)| Change {
                    name: name.clone(),
                    etag: None,
                    seq: *seq,
                },
            ));
        }
        changes.sort_by_key(|c| c.seq);
        changes
    }

    /// Reads a token this calendar handed out; `Ok(None)` for the empty token of a first sync.
    pub fn parse_token(&self, text: &str, now: u64) -> Result<Option<u64>, InvalidToken> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let n: u64 = text
            .strip_prefix(TOKEN_PREFIX)
            .and_then(|n| n.parse().ok())
            .ok_or(InvalidToken)?;
        if n < self.oldest_valid_token || n > now {
            return Err(InvalidToken);
        }
        Ok(Some(n))
    }
}

/// The token for sequence number `n`.
pub fn token(n: u64) -> String {
    format!("{TOKEN_PREFIX}{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_since_a_token_include_deletions_in_order() {
        let mut store = Store::default();
        store.add_calendar("home", CalendarSpec::events("Home"));
        store.put("home", "a.ics", "A").unwrap();
        store.put("home", "b.ics", "B").unwrap();
        let t = store.now();
        store.put("home", "a.ics", "A2").unwrap();
        store.delete("home", "b.ics");
        store.put("home", "c.ics", "C").unwrap();
        let cal = &store.calendars["home"];
        let changes = cal.changes_since(Some(t));
        let names: Vec<(&str, bool)> = changes
            .iter()
            .map(|c| (c.name.as_str(), c.etag.is_some()))
            .collect();
        assert_eq!(names, [("a.ics", true), ("b.ics", false), ("c.ics", true)]);
        // A first sync lists only what exists.
        assert_eq!(cal.changes_since(None).len(), 2);

        let now = store.now();
        assert_eq!(cal.parse_token(&token(t), now), Ok(Some(t)));
        assert_eq!(cal.parse_token("", now), Ok(None));
        assert_eq!(cal.parse_token(&token(now + 1), now), Err(InvalidToken));
        assert_eq!(cal.parse_token("garbage", now), Err(InvalidToken));
        store.expire_tokens();
        let now = store.now();
        assert_eq!(
            store.calendars["home"].parse_token(&token(t), now),
            Err(InvalidToken)
        );
    }
}
