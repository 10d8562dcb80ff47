//! Planning: turning a provider's change set into what the store must do, as a pure function
//! of (change set, what the store holds). Applying the plan is the store's job, in one
//! transaction together with the new cursor.

use std::collections::{HashMap, HashSet};

use crate::model::{EventStatus, RemoteChange, RemoteEvent};
use crate::provider::{ChangeSet, ChangeSetKind};

/// What the store holds for one event, as far as planning is concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventState {
    pub etag: Option<String>,
    /// The resource the event came in (CalDAV href, ICS UID); `None` for single-event
    /// providers.
    pub resource_id: Option<String>,
}

/// What to do to one calendar's events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Events to insert or replace, at most one per external id.
    pub upserts: Vec<RemoteEvent>,
    /// External ids of stored events to delete.
    pub deletes: Vec<String>,
    /// (external id, resource id) of upserted events that came in a resource.
    pub resources: Vec<(String, String)>,
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

/// One event-level step of a change set, once resources are spelled out as events.
// Nearly every step is an upsert (as with `RemoteChange`): boxing would cost an allocation per
// event for nothing.
#[allow(clippy::large_enum_variant)]
enum Step {
    /// Upsert the event, which came in the resource if one is given.
    Upsert(RemoteEvent, Option<String>),
    Delete(String),
}

impl Step {
    fn external_id(&self) -> &str {
        match self {
            Step::Upsert(e, _) => &e.external_id,
            Step::Delete(id) => id,
        }
    }
}

/// Spells resources out as event-level steps against what the store holds (vdirsyncer's
/// model: a resource is the unit of change, its items the unit of storage). Replacing a
/// resource deletes its stored events that are not in the new copy; deleting it deletes them
/// all; keeping it leaves them alone, and they are returned so a full listing spares them.
fn steps(
    changes: Vec<RemoteChange>,
    stored: &HashMap<String, EventState>,
) -> (Vec<Step>, HashSet<String>) {
    let mut by_resource: HashMap<&str, Vec<&str>> = HashMap::new();
    for (id, state) in stored {
        if let Some(resource) = &state.resource_id {
            by_resource.entry(resource).or_default().push(id);
        }
    }
    let held = |resource: &str| {
        let mut ids = by_resource.get(resource).cloned().unwrap_or_default();
        ids.sort_unstable();
        ids
    };
    let mut steps = Vec::with_capacity(changes.len());
    let mut kept = HashSet::new();
    for change in changes {
        match change {
            RemoteChange::Upsert(event) => steps.push(Step::Upsert(event, None)),
            RemoteChange::Delete { external_id } => steps.push(Step::Delete(external_id)),
            RemoteChange::ReplaceResource {
                resource_id,
                events,
            } => {
                let kept: HashSet<&str> = events.iter().map(|e| e.external_id.as_str()).collect();
                for id in held(&resource_id) {
                    if !kept.contains(id) {
                        steps.push(Step::Delete(id.to_owned()));
                    }
                }
                for event in events {
                    steps.push(Step::Upsert(event, Some(resource_id.clone())));
                }
            }
            RemoteChange::DeleteResource { resource_id } => {
                for id in held(&resource_id) {
                    steps.push(Step::Delete(id.to_owned()));
                }
            }
            RemoteChange::KeepResource { resource_id } => {
                kept.extend(held(&resource_id).into_iter().map(str::to_owned));
            }
        }
    }
    (steps, kept)
}

/// Plans a change set against `stored` (external id → what the store holds of each event).
///
/// - Resources are spelled out as their events (see [`RemoteChange::ReplaceResource`]).
/// - The same id may come several times (pages overlap, replays): the last copy wins.
/// - A cancelled event that is not an instance of a series is a deletion; a cancelled
///   instance is kept, as it hides that instance of its series.
/// - Deleting an id the store does not have is a no-op.
/// - An event whose etag (and resource) matches the stored one is skipped.
/// - A full listing deletes every stored event it does not mention, except those of resources
///   it keeps (counted as unchanged).
pub fn plan(changes: ChangeSet, stored: &HashMap<String, EventState>) -> Plan {
    let (steps, kept) = steps(changes.changes, stored);
    let mut last: HashMap<String, usize> = HashMap::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        last.insert(step.external_id().to_owned(), i);
    }

    let mut plan = Plan {
        cursor: changes.cursor,
        full: changes.kind == ChangeSetKind::Full,
        ..Plan::default()
    };
    for (i, step) in steps.into_iter().enumerate() {
        if last.get(step.external_id()) != Some(&i) {
            continue;
        }
        match step {
            Step::Upsert(event, _)
                if event.status == EventStatus::Cancelled && event.series.is_none() =>
            {
                if stored.contains_key(&event.external_id) {
                    plan.deletes.push(event.external_id);
                }
            }
            Step::Upsert(event, resource) => match stored.get(&event.external_id) {
                Some(state)
                    if state.etag.is_some()
                        && state.etag == event.etag
                        && state.resource_id == resource =>
                {
                    plan.unchanged += 1
                }
                _ => {
                    if let Some(resource) = resource {
                        plan.resources.push((event.external_id.clone(), resource));
                    }
                    plan.upserts.push(event)
                }
            },
            Step::Delete(external_id) => {
                if stored.contains_key(&external_id) {
                    plan.deletes.push(external_id);
                }
            }
        }
    }
    plan.unchanged += kept.iter().filter(|id| !last.contains_key(*id)).count();
    if plan.full {
        let mut gone: Vec<String> = stored
            .keys()
            .filter(|id| !last.contains_key(*id) && !kept.contains(*id))
            .cloned()
            .collect();
        gone.sort();
        plan.deletes.extend(gone);
    }
    plan
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
            details: Default::default(),
        }
    }

    fn set(kind: ChangeSetKind, changes: Vec<RemoteChange>) -> ChangeSet {
        ChangeSet {
            kind,
            changes,
            cursor: Some("next".into()),
            zones: None,
        }
    }

    fn stored(ids: &[(&str, &str)]) -> HashMap<String, EventState> {
        ids.iter()
            .map(|(id, etag)| {
                let state = EventState {
                    etag: Some(etag.to_string()),
                    resource_id: None,
                };
                (id.to_string(), state)
            })
            .collect()
    }

    /// Stored events of resources: (external id, resource id), all with etag "1".
    fn in_resources(ids: &[(&str, &str)]) -> HashMap<String, EventState> {
        ids.iter()
            .map(|(id, resource)| {
                let state = EventState {
                    etag: Some("1".into()),
                    resource_id: Some(resource.to_string()),
                };
                (id.to_string(), state)
            })
            .collect()
    }

    fn replace(resource: &str, events: Vec<RemoteEvent>) -> RemoteChange {
        RemoteChange::ReplaceResource {
            resource_id: resource.into(),
            events,
        }
    }

    #[test]
    fn replacing_a_resource_drops_the_events_it_no_longer_holds() {
        let held = in_resources(&[
            ("standup", "standup.ics"),
            ("standup@0105", "standup.ics"),
            ("standup@0106", "standup.ics"),
            ("lunch", "lunch.ics"),
        ]);
        let changes = set(
            ChangeSetKind::Delta,
            vec![replace(
                "standup.ics",
                vec![event("standup", "2"), event("standup@0106", "1")],
            )],
        );
        let p = plan(changes, &held);
        // The override of 01-05 was dropped from the series; the other resource is untouched.
        assert_eq!(p.deletes, ["standup@0105"]);
        assert_eq!(p.upserts, vec![event("standup", "2")]);
        assert_eq!(p.unchanged, 1);
        assert_eq!(
            p.resources,
            [("standup".to_string(), "standup.ics".to_string())]
        );
    }

    #[test]
    fn deleting_a_resource_deletes_its_master_and_every_override() {
        let held = in_resources(&[
            ("standup", "standup.ics"),
            ("standup@0105", "standup.ics"),
            ("lunch", "lunch.ics"),
        ]);
        let changes = set(
            ChangeSetKind::Delta,
            vec![
                RemoteChange::DeleteResource {
                    resource_id: "standup.ics".into(),
                },
                RemoteChange::DeleteResource {
                    resource_id: "never-seen.ics".into(),
                },
            ],
        );
        let p = plan(changes, &held);
        assert_eq!(p.deletes, ["standup", "standup@0105"]);
        assert!(p.upserts.is_empty());
    }

    #[test]
    fn a_full_listing_of_resources_deletes_unlisted_resources_and_an_empty_one_is_a_wipe() {
        let held = in_resources(&[("a", "a.ics"), ("a@1", "a.ics"), ("b", "b.ics")]);
        let p = plan(
            set(
                ChangeSetKind::Full,
                vec![replace("a.ics", vec![event("a", "1"), event("a@1", "1")])],
            ),
            &held,
        );
        assert_eq!(p.deletes, ["b"]);
        assert_eq!(p.unchanged, 2);
        assert!(!p.is_wipe());

        let empty = plan(set(ChangeSetKind::Full, vec![]), &held);
        assert!(empty.is_wipe());
    }

    #[test]
    fn a_resource_kept_unread_survives_a_full_listing() {
        let held = in_resources(&[
            ("a", "a.ics"),
            ("a@1", "a.ics"),
            ("b", "b.ics"),
            ("c", "c.ics"),
        ]);
        let p = plan(
            set(
                ChangeSetKind::Full,
                vec![
                    replace("b.ics", vec![event("b", "1")]),
                    RemoteChange::KeepResource {
                        resource_id: "a.ics".into(),
                    },
                ],
            ),
            &held,
        );
        // "a" could not be read: its master and override stay; "c" was not listed: it goes.
        assert_eq!(p.deletes, ["c"]);
        assert!(p.upserts.is_empty());
        assert_eq!(p.unchanged, 3);

        // A listing that keeps everything it cannot read is not a wipe.
        let unreadable = plan(
            set(
                ChangeSetKind::Full,
                vec![RemoteChange::KeepResource {
                    resource_id: "a.ics".into(),
                }],
            ),
            &held,
        );
        assert_eq!(unreadable.deletes, ["b", "c"]);
        assert!(!unreadable.is_wipe());
    }

    #[test]
    fn an_event_with_the_same_etag_in_another_resource_is_written_again() {
        // Stored by a single-event listing, now part of a resource: its resource must be saved.
        let p = plan(
            set(
                ChangeSetKind::Delta,
                vec![replace("a.ics", vec![event("a", "1")])],
            ),
            &stored(&[("a", "1")]),
        );
        assert_eq!(p.upserts, vec![event("a", "1")]);
        assert_eq!(p.resources, [("a".to_string(), "a.ics".to_string())]);
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
