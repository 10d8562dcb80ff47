//! Planning: turning a provider's change set into what the store must do, as a pure function
//! of (change set, what the store holds). Applying the plan is the store's job, in one
//! transaction together with the new cursor.

use std::collections::HashMap;

use crate::model::{EventStatus, RemoteChange, RemoteEvent};
use crate::provider::{ChangeSet, ChangeSetKind};

/// What to do to one calendar's events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Events to insert or replace, at most one per external id.
    pub upserts: Vec<RemoteEvent>,
    /// External ids of stored events to delete.
    pub deletes: Vec<String>,
    /// Cursor to save with the changes.
    pub cursor: Option<String>,
    /// The change set was a full listing (its window becomes the calendar's window).
    pub full: bool,
    /// Changes left out because the store already has them (same etag).
    pub unchanged: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.upserts.is_empty() && self.deletes.is_empty()
    }

    /// A full listing that keeps none of the stored events and brings none: it would empty
    /// the calendar. A server answering wrongly looks just like this, so the sync holds such a
    /// plan back until the next listing confirms it (vdirsyncer refuses such wipes too). A
    /// delta that deletes events one by one is not a wipe.
    pub fn is_wipe(&self) -> bool {
        self.full && self.upserts.is_empty() && self.unchanged == 0 && !self.deletes.is_empty()
    }
}

/// A complete calendar listing with no calendars for an account that has some: held back
/// like a wiping [`Plan`].
pub fn is_calendar_wipe(stored: usize, listed: usize) -> bool {
    listed == 0 && stored > 0
}

/// Plans a change set against `stored` (external id → etag of each stored event).
///
/// - The same id may come several times (pages overlap, replays): the last copy wins.
/// - A cancelled event that is not an instance of a series is a deletion; a cancelled
///   instance is kept, as it hides that instance of its series.
/// - Deleting an id the store does not have is a no-op.
/// - An event whose etag matches the stored one is skipped.
/// - A full listing deletes every stored event it does not mention.
pub fn plan(changes: ChangeSet, stored: &HashMap<String, Option<String>>) -> Plan {
    let mut last: HashMap<String, usize> = HashMap::with_capacity(changes.changes.len());
    for (i, change) in changes.changes.iter().enumerate() {
        last.insert(external_id(change).to_owned(), i);
    }

    let mut plan = Plan {
        cursor: changes.cursor,
        full: changes.kind == ChangeSetKind::Full,
        ..Plan::default()
    };
    for (i, change) in changes.changes.into_iter().enumerate() {
        if last.get(external_id(&change)) != Some(&i) {
            continue;
        }
        match change {
            RemoteChange::Upsert(event)
                if event.status == EventStatus::Cancelled && event.series.is_none() =>
            {
                if stored.contains_key(&event.external_id) {
                    plan.deletes.push(event.external_id);
                }
            }
            RemoteChange::Upsert(event) => match stored.get(&event.external_id) {
                Some(Some(etag)) if event.etag.as_ref() == Some(etag) => plan.unchanged += 1,
                _ => plan.upserts.push(event),
            },
            RemoteChange::Delete { external_id } => {
                if stored.contains_key(&external_id) {
                    plan.deletes.push(external_id);
                }
            }
        }
    }
    if plan.full {
        let mut gone: Vec<String> = stored
            .keys()
            .filter(|id| !last.contains_key(*id))
            .cloned()
            .collect();
        gone.sort();
        plan.deletes.extend(gone);
    }
    plan
}

fn external_id(change: &RemoteChange) -> &str {
    match change {
        RemoteChange::Upsert(e) => &e.external_id,
        RemoteChange::Delete { external_id } => external_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventTime, SeriesRef};

    fn event(id: &str, etag: &str) -> RemoteEvent {
        RemoteEvent {
            external_id: id.into(),
            title: id.into(),
            description: None,
            location: None,
            start: EventTime::Date("2026-01-01".parse().unwrap()),
            end: EventTime::Date("2026-01-02".parse().unwrap()),
            recurrence: vec![],
            series: None,
            status: EventStatus::Confirmed,
            my_response: None,
            meeting_url: None,
            etag: Some(etag.into()),
            updated: None,
        }
    }

    fn set(kind: ChangeSetKind, changes: Vec<RemoteChange>) -> ChangeSet {
        ChangeSet {
            kind,
            changes,
            cursor: Some("next".into()),
        }
    }

    fn stored(ids: &[(&str, &str)]) -> HashMap<String, Option<String>> {
        ids.iter()
            .map(|(id, etag)| (id.to_string(), Some(etag.to_string())))
            .collect()
    }

    #[test]
    fn last_copy_wins_and_unknown_deletes_are_dropped() {
        let changes = set(
            ChangeSetKind::Delta,
            vec![
                RemoteChange::Upsert(event("a", "1")),
                RemoteChange::Delete {
                    external_id: "ghost".into(),
                },
                RemoteChange::Upsert(event("a", "2")),
                RemoteChange::Upsert(event("b", "1")),
                RemoteChange::Delete {
                    external_id: "b".into(),
                },
            ],
        );
        let p = plan(changes, &stored(&[("b", "0")]));
        assert_eq!(p.upserts, vec![event("a", "2")]);
        assert_eq!(p.deletes, vec!["b".to_string()]);
        assert_eq!(p.cursor.as_deref(), Some("next"));
        assert!(!p.full);
    }

    #[test]
    fn cancelled_single_is_a_delete_but_cancelled_instance_is_kept() {
        let mut gone = event("single", "2");
        gone.status = EventStatus::Cancelled;
        let mut instance = event("series_20260105", "3");
        instance.status = EventStatus::Cancelled;
        instance.series = Some(SeriesRef {
            master_external_id: "series".into(),
            original_start: EventTime::Date("2026-01-05".parse().unwrap()),
            this_and_future: false,
        });
        let p = plan(
            set(
                ChangeSetKind::Delta,
                vec![
                    RemoteChange::Upsert(gone),
                    RemoteChange::Upsert(instance.clone()),
                ],
            ),
            &stored(&[("single", "1")]),
        );
        assert_eq!(p.deletes, vec!["single".to_string()]);
        assert_eq!(p.upserts, vec![instance]);
    }

    #[test]
    fn full_listing_deletes_what_it_does_not_mention_and_skips_same_etag() {
        let p = plan(
            set(
                ChangeSetKind::Full,
                vec![
                    RemoteChange::Upsert(event("keep", "1")),
                    RemoteChange::Upsert(event("changed", "2")),
                ],
            ),
            &stored(&[
                ("keep", "1"),
                ("changed", "1"),
                ("old", "1"),
                ("older", "1"),
            ]),
        );
        assert_eq!(p.unchanged, 1);
        assert_eq!(p.upserts, vec![event("changed", "2")]);
        assert_eq!(p.deletes, vec!["old".to_string(), "older".to_string()]);
        assert!(p.full);
    }

    #[test]
    fn only_a_full_listing_that_empties_the_calendar_is_a_wipe() {
        let held = stored(&[("a", "1"), ("b", "1")]);
        let empty_full = plan(set(ChangeSetKind::Full, vec![]), &held);
        assert_eq!(empty_full.deletes, ["a", "b"]);
        assert!(empty_full.is_wipe());

        let mut cancelled = event("a", "2");
        cancelled.status = EventStatus::Cancelled;
        let only_tombstones = plan(
            set(ChangeSetKind::Full, vec![RemoteChange::Upsert(cancelled)]),
            &held,
        );
        assert!(only_tombstones.is_wipe());

        let one_kept = plan(
            set(
                ChangeSetKind::Full,
                vec![RemoteChange::Upsert(event("a", "1"))],
            ),
            &held,
        );
        assert_eq!(one_kept.deletes, ["b"]);
        assert!(!one_kept.is_wipe());

        let one_new = plan(
            set(
                ChangeSetKind::Full,
                vec![RemoteChange::Upsert(event("c", "1"))],
            ),
            &held,
        );
        assert!(!one_new.is_wipe());

        let deletes_one_by_one = plan(
            set(
                ChangeSetKind::Delta,
                vec![
                    RemoteChange::Delete {
                        external_id: "a".into(),
                    },
                    RemoteChange::Delete {
                        external_id: "b".into(),
                    },
                ],
            ),
            &held,
        );
        assert_eq!(deletes_one_by_one.deletes.len(), 2);
        assert!(!deletes_one_by_one.is_wipe());

        let nothing_stored = plan(set(ChangeSetKind::Full, vec![]), &HashMap::new());
        assert!(!nothing_stored.is_wipe());
    }

    #[test]
    fn an_empty_listing_of_an_account_with_calendars_is_a_wipe() {
        assert!(is_calendar_wipe(2, 0));
        assert!(!is_calendar_wipe(2, 1));
        assert!(!is_calendar_wipe(0, 0));
    }
}
