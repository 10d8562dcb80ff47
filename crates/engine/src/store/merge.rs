//! The last step of every listing (`upcoming`, `events`, search, the reminder plan): each
//! occurrence gets its event's people, web link and reminders, and one meeting that sits in
//! several calendars or accounts (the same iCalendar UID starting at the same instant, or on
//! the same date when all-day) is shown once, naming the other calendars in `also_in`. The
//! copies stay in each calendar's data: disconnecting one account leaves the other's shown.

use std::collections::HashMap;

use sqlx::SqlitePool;

use super::apply::to_json;
use super::events::{AlsoIn, EventView};
use super::Result;
use crate::model::{Attendee, EventDetails, Person};

/// What the merge needs to know of one event row besides its view.
#[derive(Debug, Clone, Default)]
pub(super) struct Facts {
    pub details: EventDetails,
    /// The row's calendar is its account's primary one.
    pub primary: bool,
    /// The account's own address (its id with the provider: Google and Microsoft e-mail, the
    /// CalDAV user name).
    pub account_address: String,
}

/// The event row a view comes from: its id before any `@instance` part.
pub(super) fn event_row(view: &EventView) -> Option<i64> {
    view.id.split('@').next()?.parse().ok()
}

/// The facts of the rows `views` come from. An exception without a value of its own (NULL)
/// takes its series master's.
pub(super) async fn load_facts(
    pool: &SqlitePool,
    views: &[EventView],
) -> Result<HashMap<i64, Facts>> {
    let mut ids: Vec<i64> = views.iter().filter_map(event_row).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids = to_json(&ids)?;
    let rows = sqlx::query!(
        r#"SELECT e.id AS "id!: i64",
                  COALESCE(e.ical_uid, m.ical_uid) AS "ical_uid: String",
                  COALESCE(e.organizer, m.organizer) AS "organizer: String",
                  COALESCE(e.attendees, m.attendees) AS "attendees: String",
                  (CASE WHEN e.attendees IS NULL THEN COALESCE(m.attendees_omitted, 0)
                        ELSE e.attendees_omitted END) AS "attendees_omitted!: i64",
                  COALESCE(e.web_link, m.web_link) AS "web_link: String",
                  COALESCE(e.reminder_minutes, m.reminder_minutes) AS "reminder_minutes: String",
                  c.is_primary AS "primary!: bool", a.external_id AS account_address
           FROM json_each(?1) AS j
           CROSS JOIN events AS e ON e.id = j.value
           LEFT JOIN events AS m
                  ON m.calendar_id = e.calendar_id AND m.external_id = e.series_external_id
           JOIN calendars AS c ON c.id = e.calendar_id
           JOIN accounts AS a ON a.id = c.account_id"#,
        ids
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            // A value this version cannot read is left out, never fails the listing.
            let details = EventDetails {
                ical_uid: r.ical_uid,
                organizer: r
                    .organizer
                    .and_then(|o| serde_json::from_str::<Person>(&o).ok()),
                attendees: r
                    .attendees
                    .and_then(|a| serde_json::from_str::<Vec<Attendee>>(&a).ok())
                    .unwrap_or_default(),
                attendees_omitted: u32::try_from(r.attendees_omitted).unwrap_or(0),
                web_link: r.web_link,
                reminder_minutes: r
                    .reminder_minutes
                    .and_then(|m| serde_json::from_str(&m).ok()),
            };
            let facts = Facts {
                details,
                primary: r.primary,
                account_address: r.account_address,
            };
            (r.id, facts)
        })
        .collect())
}

/// Gives each view its row's details and folds the copies of one meeting into one view, in
/// one pass with a hash map (O(n)). The order of `views` is kept: a merged meeting stands
/// where its first copy stood.
pub(super) fn merge(views: Vec<EventView>, facts: HashMap<i64, Facts>) -> Vec<EventView> {
    let mut out: Vec<EventView> = Vec::with_capacity(views.len());
    // (UID, start as shown) → position in `out` and the rank of the copy there.
    let mut seen: HashMap<(String, String), (usize, Rank)> = HashMap::new();
    for mut view in views {
        let Some(fact) = event_row(&view).and_then(|id| facts.get(&id)) else {
            out.push(view);
            continue;
        };
        view.details = fact.details.clone();
        // Events without a UID are never merged: nothing says two of them are one meeting.
        let Some(uid) = view.details.ical_uid.clone() else {
            out.push(view);
            continue;
        };
        let rank = Rank::of(&view, fact);
        // `start` is RFC 3339 UTC for a timed occurrence and the date for an all-day one: the
        // same instant, or the same date, is the same text.
        match seen.entry((uid, view.start.clone())) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert((out.len(), rank));
                out.push(view);
            }
            std::collections::hash_map::Entry::Occupied(mut slot) => {
                let (at, shown_rank) = slot.get_mut();
                let shown = &mut out[*at];
                if shown.calendar_id == view.calendar_id {
                    // Two occurrences of one calendar (a bad feed): not two calendars' copies.
                    out.push(view);
                    continue;
                }
                if rank < *shown_rank {
                    *shown_rank = rank;
                    let mut also_in = std::mem::take(&mut shown.also_in);
                    also_in.push(also_in_of(shown));
                    view.also_in = also_in;
                    *shown = view;
                } else {
                    shown.also_in.push(also_in_of(&view));
                }
            }
        }
    }
    for view in &mut out {
        view.also_in.sort_by_key(|a| a.calendar_id);
    }
    out
}

fn also_in_of(view: &EventView) -> AlsoIn {
    AlsoIn {
        calendar_id: view.calendar_id,
        calendar_name: view.calendar_name.clone(),
        calendar_color: view.calendar_color.clone(),
        account_id: view.account_id,
    }
}

/// Which copy of a meeting is shown, the least first: the one the user organises (its data
/// is the meeting's own, and edits are made there), else one the user has not declined (a
/// declined copy in one calendar must not hide an accepted one in another: the user goes),
/// else the primary calendar's (the user's main account), else the lowest calendar id (so
/// the choice is stable between listings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    not_organizer: bool,
    declined: bool,
    not_primary: bool,
    calendar_id: i64,
}

impl Rank {
    fn of(view: &EventView, fact: &Facts) -> Self {
        let organizer = fact
            .details
            .organizer
            .as_ref()
            .and_then(|o| o.email.as_deref());
        let own = |address: &str| {
            address.eq_ignore_ascii_case(&fact.account_address)
                || fact.details.attendees.iter().any(|a| {
                    a.is_self
                        && a.email
                            .as_deref()
                            .is_some_and(|e| e.eq_ignore_ascii_case(address))
                })
        };
        Rank {
            not_organizer: !organizer.is_some_and(own),
            declined: view.my_response.as_deref() == Some("declined"),
            not_primary: !fact.primary,
            calendar_id: view.calendar_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::tests::event;

    const AT: &str = "2026-12-02T10:00:00Z";
    const END: &str = "2026-12-02T11:00:00Z";

    /// A view of row `row` in calendar `calendar` (account `calendar` too, named "Cal{n}").
    fn copy(row: i64, calendar: i64, start: &str) -> EventView {
        let mut view = event(&row.to_string(), "Design review", start, END);
        view.calendar_id = calendar;
        view.account_id = calendar;
        view.calendar_name = format!("Cal{calendar}");
        view
    }

    fn facts(uid: Option<&str>, primary: bool) -> Facts {
        Facts {
            details: EventDetails {
                ical_uid: uid.map(str::to_owned),
                ..EventDetails::default()
            },
            primary,
            account_address: String::new(),
        }
    }

    fn shown(views: &[EventView]) -> Vec<(i64, Vec<i64>)> {
        views
            .iter()
            .map(|v| {
                (
                    v.calendar_id,
                    v.also_in.iter().map(|a| a.calendar_id).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn one_meeting_in_three_calendars_is_shown_once_naming_the_others() {
        let views = vec![copy(1, 3, AT), copy(2, 1, AT), copy(3, 2, AT)];
        let facts = HashMap::from([
            (1, facts(Some("m@x"), false)),
            (2, facts(Some("m@x"), false)),
            (3, facts(Some("m@x"), false)),
        ]);
        let merged = merge(views, facts);
        // The lowest calendar id when nothing else tells them apart.
        assert_eq!(shown(&merged), [(1, vec![2, 3])]);
        assert_eq!(merged[0].details.ical_uid.as_deref(), Some("m@x"));
        assert_eq!(merged[0].also_in[0].calendar_name, "Cal2");
    }

    #[test]
    fn another_start_another_uid_or_no_uid_stay_apart() {
        let views = vec![
            copy(1, 1, AT),
            copy(2, 2, "2026-12-02T10:30:00Z"),
            copy(3, 3, AT),
            copy(4, 4, AT),
            copy(5, 5, AT),
        ];
        let facts = HashMap::from([
            (1, facts(Some("m@x"), false)),
            (2, facts(Some("m@x"), false)),
            (3, facts(Some("other@x"), false)),
            (4, facts(None, false)),
            (5, facts(None, false)),
        ]);
        assert_eq!(merge(views, facts).len(), 5);
    }

    #[test]
    fn organizer_then_not_declined_then_primary_decides_the_copy_shown() {
        let mut declined = copy(1, 1, AT);
        declined.my_response = Some("declined".into());
        let accepted = copy(2, 2, AT);
        let primary = copy(3, 3, AT);
        let primary_facts = facts(Some("m@x"), true);
        let by_rank = |views: Vec<EventView>, facts: HashMap<i64, Facts>| {
            merge(views, facts)
                .into_iter()
                .map(|v| v.calendar_id)
                .collect::<Vec<_>>()
        };
        let base = HashMap::from([
            (1, facts(Some("m@x"), false)),
            (2, facts(Some("m@x"), false)),
            (3, primary_facts),
        ]);
        // Calendar 1 has the lowest id but is declined; 3 is primary: 3 wins over 2.
        assert_eq!(
            by_rank(
                vec![declined.clone(), accepted.clone(), primary.clone()],
                base.clone()
            ),
            [3]
        );
        // Without a primary, the accepted copy beats the declined one with the lower id.
        let mut no_primary = base.clone();
        no_primary.get_mut(&3).unwrap().primary = false;
        assert_eq!(
            by_rank(vec![declined.clone(), accepted.clone()], no_primary.clone()),
            [2]
        );
        // The copy in the account that organises it beats all, declined or not.
        let mut organised = no_primary;
        let organizer = organised.get_mut(&1).unwrap();
        organizer.account_address = "ME@example.com".into();
        organizer.details.organizer = Some(Person {
            name: None,
            email: Some("me@example.com".into()),
        });
        assert_eq!(by_rank(vec![accepted, primary, declined], organised), [1]);
    }

    #[test]
    fn all_day_copies_merge_by_date_and_instances_by_row() {
        let mut a = copy(1, 1, "2026-12-02");
        a.all_day = true;
        let mut b = copy(2, 2, "2026-12-02");
        b.all_day = true;
        // An instance of a series (row 3, an `@` id) and a single event (row 4).
        let mut c = copy(3, 1, AT);
        c.id = format!("3@{AT}");
        let d = copy(4, 2, AT);
        let facts = HashMap::from([
            (1, facts(Some("day@x"), false)),
            (2, facts(Some("day@x"), false)),
            (3, facts(Some("series@x"), false)),
            (4, facts(Some("series@x"), false)),
        ]);
        assert_eq!(
            shown(&merge(vec![a, b, c, d], facts)),
            [(1, vec![2]), (1, vec![2])]
        );
    }
}
