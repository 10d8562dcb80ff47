//! The cursor a CalDAV calendar saves after each sync (opaque to the engine; JSON here).
//!
//! With sync-collection (RFC 6578) it is the server's sync token. Without it (servers that
//! refuse the report) it is the collection's ctag plus the ETag of every resource as last
//! applied: the etag listing is diffed against it to fetch only changed hrefs and delete the
//! ones gone. Keeping the etags in the cursor rather than asking the store keeps the provider
//! free of the database, is saved in the same transaction as the events it describes (so the
//! two never disagree), and also remembers resources that yielded no events (a task, a broken
//! body) so they are not fetched again until they change. It costs about 100 bytes per
//! resource, only for the rare servers without sync-collection.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Cursor {
    /// The sync token of the last sync-collection report.
    SyncToken { token: String },
    /// The ctag + etag fallback: resource id (href path) → ETag.
    Etags {
        ctag: Option<String>,
        etags: BTreeMap<String, String>,
    },
}

impl Cursor {
    /// A saved cursor; one this build cannot read is none (the calendar is listed in full).
    pub fn read(saved: Option<&str>) -> Option<Cursor> {
        serde_json::from_str(saved?).ok()
    }

    pub fn write(&self) -> String {
        // Strings and maps of strings always serialize.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_and_anything_else_is_none() {
        let token = Cursor::SyncToken {
            token: "http://radicale.org/ns/sync/abc".into(),
        };
        assert_eq!(Cursor::read(Some(&token.write())), Some(token));
        let etags = Cursor::Etags {
            ctag: Some("7".into()),
            etags: BTreeMap::from([("/a/b.ics".into(), "\"1\"".into())]),
        };
        assert_eq!(Cursor::read(Some(&etags.write())), Some(etags));
        assert_eq!(Cursor::read(Some("not json")), None);
        assert_eq!(Cursor::read(None), None);
    }
}
