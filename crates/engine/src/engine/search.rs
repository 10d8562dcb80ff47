//! Searching stored events: the FTS5 matches of the store ([`Store::search_event_ids`]) as
//! occurrences on a span of local days, in the shape and order of
//! [`Engine::events_on_days`], so a recurring event shows each matching occurrence.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::{days_span, Engine, Result};
use crate::store::EventView;

impl Engine {
    /// The occurrences, on the local days `from` to `to` (both included), of the stored events
    /// whose title, location, description or people (organizer, attendees) hold every word of
    /// `query` (the last word as a prefix; case and accents folded). The query is text, never
    /// search syntax. Declined events are included, as in [`Engine::events_on_days`]; one
    /// meeting in several calendars is listed once (see `store::merge`).
    pub async fn search(
        &self,
        query: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<EventView>> {
        // The span is checked first, so a bad one is refused whatever the query finds.
        days_span(from, to)?;
        let matches: HashSet<i64> = self
            .store
            .search_event_ids(query)
            .await?
            .into_iter()
            .collect();
        if matches.is_empty() {
            return Ok(Vec::new());
        }
        let events = self.events_on_days(from, to).await?;
        Ok(events
            .into_iter()
            .filter(|e| event_row(e).is_some_and(|id| matches.contains(&id)))
            .collect())
    }
}

/// The stored event row an occurrence comes from: its id before any `@instance` part.
fn event_row(e: &EventView) -> Option<i64> {
    e.id.split('@').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Local, Utc};

    use super::*;
    use crate::EngineConfig;

    #[tokio::test]
    async fn finds_each_occurrence_of_a_recurring_event_in_the_span() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(EngineConfig::in_dir(dir.path()))
            .await
            .unwrap();
        engine.connect_demo(Utc::now()).await.unwrap();
        let today = Local::now().date_naive();
        let two_weeks = today + Duration::days(13);
        let standups = engine.search("stand", today, two_weeks).await.unwrap();
        assert!(standups.len() >= 8, "{}", standups.len());
        assert!(standups.iter().all(|e| e.title == "Daily stand-up"));
        let ids: HashSet<&str> = standups.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), standups.len(), "one per occurrence");
        let offsite = engine.search("OFFSITE", today, two_weeks).await.unwrap();
        assert_eq!(offsite.len(), 1);
        assert!(engine
            .search("nothing like this", today, two_weeks)
            .await
            .unwrap()
            .is_empty());
        assert!(engine.search("stand", two_weeks, today).await.is_err());
    }
}
