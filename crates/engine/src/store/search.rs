//! Full-text search over stored events (`calbuddy search`): the FTS5 index `events_fts`
//! (migrations 0007, 0008) over titles, locations, descriptions and the names of the
//! organizer and attendees with their addresses' part before the `@`. The user's words are never FTS5
//! syntax: each is quoted as a phrase, so `"`, `*`, `AND`, `NEAR(` are plain text, and the last
//! word matches as a prefix ("desi" finds "Design"), as a search box does while typing.

use super::{Result, Store};

/// At most this many words of a query are used; more add nothing a person would type.
const MAX_WORDS: usize = 16;
/// At most this many matching events (rows, each with its occurrences) are returned.
pub const MAX_MATCHES: i64 = 5000;

impl Store {
    /// The ids of the event rows whose title, location or description hold every word of
    /// `query` (case and accents folded; the last word as a prefix), best match first. No
    /// words: no matches.
    pub async fn search_event_ids(&self, query: &str) -> Result<Vec<i64>> {
        let Some(expression) = match_expression(query) else {
            return Ok(Vec::new());
        };
        let ids = sqlx::query_scalar!(
            r#"SELECT rowid AS "id!: i64" FROM events_fts WHERE events_fts MATCH ?1
               ORDER BY rank LIMIT ?2"#,
            expression,
            MAX_MATCHES
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(ids)
    }
}

/// The FTS5 expression for what a person typed: every word a quoted phrase (quotes doubled),
/// all of them required, the last one a prefix. `None` when no word has a letter or digit,
/// since a phrase with no token in it would match nothing anyway.
fn match_expression(query: &str) -> Option<String> {
    let words: Vec<&str> = query
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(MAX_WORDS)
        .collect();
    let last = words.len().checked_sub(1)?;
    let phrases: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let quoted = format!("\"{}\"", w.replace('"', "\"\""));
            if i == last {
                quoted + "*"
            } else {
                quoted
            }
        })
        .collect();
    Some(phrases.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RemoteEvent, SyncWindow};
    use crate::store::fixtures::{event, store_with_calendar, timed, utc};
    use crate::sync::plan::Plan;

    const NOW: &str = "2026-12-01T08:00:00Z";

    fn titled(
        id: &str,
        title: &str,
        location: Option<&str>,
        description: Option<&str>,
    ) -> RemoteEvent {
        RemoteEvent {
            title: title.into(),
            location: location.map(Into::into),
            description: description.map(Into::into),
            ..event(
                id,
                timed("2026-12-02T10:00:00Z"),
                timed("2026-12-02T11:00:00Z"),
            )
        }
    }

    async fn apply(store: &Store, calendar: i64, upserts: Vec<RemoteEvent>, deletes: Vec<String>) {
        let plan = Plan {
            upserts,
            deletes,
            resources: vec![],
            cursor: None,
            full: false,
            unchanged: 0,
        };
        store
            .apply_plan(
                calendar,
                &plan,
                SyncWindow::around(utc(NOW), 30, 90),
                utc(NOW),
            )
            .await
            .unwrap();
    }

    /// The external ids of what `query` finds, sorted.
    async fn found(store: &Store, query: &str) -> Vec<String> {
        let ids = store.search_event_ids(query).await.unwrap();
        let mut found = Vec::new();
        for id in ids {
            let external: String =
                sqlx::query_scalar("SELECT external_id FROM events WHERE id = ?")
                    .bind(id)
                    .fetch_one(&store.pool)
                    .await
                    .unwrap();
            found.push(external);
        }
        found.sort();
        found
    }

    async fn sample() -> Store {
        let (store, calendar) = store_with_calendar("demo", NOW).await;
        apply(
            &store,
            calendar,
            vec![
                titled("review", "Design review", Some("Room Ångström"), None),
                titled(
                    "cafe",
                    "Coffee",
                    Some("Café Central"),
                    Some("Bring the \"AND\" slides"),
                ),
                titled("standup", "Stand-up", None, Some("Daily NEAR(sync) notes")),
            ],
            vec![],
        )
        .await;
        store
    }

    #[tokio::test]
    async fn words_match_titles_locations_and_descriptions_folding_case_and_accents() {
        let store = sample().await;
        assert_eq!(found(&store, "design").await, ["review"]);
        assert_eq!(found(&store, "DESIGN REVIEW").await, ["review"]);
        assert_eq!(found(&store, "angstrom").await, ["review"]);
        assert_eq!(found(&store, "cafe").await, ["cafe"]);
        assert_eq!(found(&store, "slides").await, ["cafe"]);
        assert_eq!(found(&store, "review coffee").await, Vec::<String>::new());
    }

    #[tokio::test]
    async fn the_last_word_is_a_prefix_the_others_whole() {
        let store = sample().await;
        assert_eq!(found(&store, "desi").await, ["review"]);
        assert_eq!(found(&store, "design rev").await, ["review"]);
        assert_eq!(found(&store, "desi review").await, Vec::<String>::new());
    }

    #[tokio::test]
    async fn hostile_queries_are_plain_text_never_errors() {
        let store = sample().await;
        for query in [
            "\"",
            "*",
            "NEAR(",
            "a OR",
            "AND",
            "\"AND\"",
            "-",
            "^",
            "col:x",
            "title:design",
            "(",
            ")",
            "' OR 1=1 --",
            "",
            "   ",
            "\u{0}",
            "NOT design",
        ] {
            store.search_event_ids(query).await.unwrap();
        }
        assert_eq!(found(&store, "\"and\"").await, ["cafe"]);
        assert_eq!(found(&store, "NEAR(sync)").await, ["standup"]);
        assert_eq!(found(&store, "*").await, Vec::<String>::new());
        assert_eq!(match_expression("a \"b"), Some("\"a\" \"\"\"b\"*".into()));
    }

    #[tokio::test]
    async fn attendees_and_organizers_are_found_by_name_and_address() {
        use crate::model::{Attendee, Person};
        let (store, calendar) = store_with_calendar("demo", NOW).await;
        let mut planning = titled("planning", "Planning", None, None);
        planning.details.organizer = Some(Person {
            name: Some("Zoë Quinn".into()),
            email: Some("zoe@example.org".into()),
        });
        planning.details.attendees = vec![Attendee {
            name: Some("Bartholomew Jones".into()),
            email: Some("bjones77@corp.example".into()),
            ..Attendee::default()
        }];
        apply(
            &store,
            calendar,
            vec![planning, titled("other", "Other", None, None)],
            vec![],
        )
        .await;
        assert_eq!(found(&store, "bartholomew").await, ["planning"]);
        assert_eq!(found(&store, "zoe quinn").await, ["planning"]);
        assert_eq!(found(&store, "bjones77").await, ["planning"]);
        assert_eq!(found(&store, "zoe@").await, ["planning"]);
        // Domains are not indexed (nearly every invitation has the company's), nor are the
        // JSON's keys.
        assert_eq!(found(&store, "corp").await, Vec::<String>::new());
        assert_eq!(found(&store, "email").await, Vec::<String>::new());
        // A new list replaces the old in the index.
        let mut changed = titled("planning", "Planning", None, None);
        changed.details.attendees = vec![Attendee {
            name: Some("Carla".into()),
            ..Attendee::default()
        }];
        apply(&store, calendar, vec![changed], vec![]).await;
        assert_eq!(found(&store, "bartholomew").await, Vec::<String>::new());
        assert_eq!(found(&store, "carla").await, ["planning"]);
    }

    #[tokio::test]
    async fn the_index_follows_updates_and_deletes() {
        let (store, calendar) = store_with_calendar("demo", NOW).await;
        apply(
            &store,
            calendar,
            vec![titled("e", "Budget", None, None)],
            vec![],
        )
        .await;
        assert_eq!(found(&store, "budget").await, ["e"]);
        apply(
            &store,
            calendar,
            vec![titled("e", "Roadmap", None, None)],
            vec![],
        )
        .await;
        assert_eq!(found(&store, "budget").await, Vec::<String>::new());
        assert_eq!(found(&store, "roadmap").await, ["e"]);
        apply(&store, calendar, vec![], vec!["e".into()]).await;
        assert_eq!(found(&store, "roadmap").await, Vec::<String>::new());
    }
}
