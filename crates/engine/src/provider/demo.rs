//! The demo calendar built into the app, so a newcomer sees everything work before setting up
//! a Google client: a meeting with a Meet link a few minutes after connecting, a recurring
//! stand-up, a one-to-one with a Teams link, a declined meeting, and all-day events. Times are
//! placed relative to when the demo was connected, in the local time zone.

use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

use super::{
    Capabilities, ChangeSet, ChangeSetKind, FetchRequest, Progress, Provider, ProviderError, Scope,
};
use crate::model::{
    Attendee, EventDetails, EventStatus, EventTime, Person, RemoteCalendar, RemoteChange,
    RemoteEvent, Response,
};

/// The demo account's id and its one calendar's id.
pub const ACCOUNT_ID: &str = "demo";
pub const CALENDAR_ID: &str = "demo-calendar";
/// The demo never changes after it is made, so one cursor says "nothing new".
const CURSOR: &str = "demo-v1";

pub struct DemoProvider {
    /// When the demo was connected: events are placed relative to it.
    anchor: DateTime<Utc>,
    zone: Tz,
}

impl DemoProvider {
    pub fn new(anchor: DateTime<Utc>, zone: Tz) -> Self {
        DemoProvider { anchor, zone }
    }

    /// A local wall-clock time `days` after the anchor's date, as a timed value.
    fn local(&self, days: i64, hour: u32, minute: u32) -> EventTime {
        let date = self.anchor.with_timezone(&self.zone).date_naive() + Duration::days(days);
        let naive =
            date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN));
        self.at(crate::local_time::resolve(naive, &self.zone))
    }

    fn at(&self, utc: DateTime<Utc>) -> EventTime {
        EventTime::DateTime {
            utc,
            tz: Some(self.zone.name().to_owned()),
        }
    }

    fn day(&self, days: i64) -> EventTime {
        EventTime::Date(self.anchor.with_timezone(&self.zone).date_naive() + Duration::days(days))
    }

    pub fn events(&self) -> Vec<RemoteEvent> {
        // The first meeting starts on the next 5-minute mark at least 5 minutes from now.
        let soon = self.anchor + Duration::minutes(5);
        let soon = soon + Duration::minutes(i64::from((5 - soon.minute() % 5) % 5))
            - Duration::seconds(i64::from(soon.second()));
        let event = |id: &str, title: &str, start: EventTime, end: EventTime| RemoteEvent {
            external_id: id.to_owned(),
            title: title.to_owned(),
            description: None,
            location: None,
            start,
            end,
            recurrence: vec![],
            series: None,
            status: EventStatus::Confirmed,
            my_response: None,
            meeting_url: None,
            etag: Some(CURSOR.to_owned()),
            updated: Some(self.anchor),
            details: EventDetails {
                // Stable and made up: `.invalid` is reserved (RFC 2606), so no real
                // invitation can share it.
                ical_uid: Some(format!("{id}@demo.calbuddy.invalid")),
                ..EventDetails::default()
            },
        };
        let person = |name: &str, email: &str| (Some(name.to_owned()), Some(email.to_owned()));
        let attendee =
            |(name, email): (Option<String>, Option<String>), response: Response| Attendee {
                name,
                email,
                response: Some(response.as_str().to_owned()),
                is_self: false,
                optional: false,
            };
        let product_sync = event(
            "demo-product-sync",
            "Product sync",
            self.at(soon),
            self.at(soon + Duration::minutes(30)),
        );
        vec![
            RemoteEvent {
                description: Some(
                    "Walk through this week's launch checklist.\nAgenda: status, risks, next steps."
                        .into(),
                ),
                meeting_url: Some("https://meet.google.com/abc-mnop-xyz".into()),
                details: EventDetails {
                    organizer: Some(Person {
                        name: Some("Alex Kim".into()),
                        email: Some("alex@example.com".into()),
                    }),
                    attendees: vec![
                        attendee(person("Alex Kim", "alex@example.com"), Response::Accepted),
                        Attendee {
                            is_self: true,
                            ..attendee(person("You", "you@example.com"), Response::Accepted)
                        },
                        Attendee {
                            optional: true,
                            ..attendee(person("Sam Lee", "sam@example.com"), Response::Tentative)
                        },
                    ],
                    reminder_minutes: Some(vec![10]),
                    ..product_sync.details.clone()
                },
                ..product_sync
            },
            RemoteEvent {
                location: Some("https://zoom.us/j/5550100123".into()),
                meeting_url: Some("https://zoom.us/j/5550100123".into()),
                recurrence: vec!["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR".into()],
                ..event("demo-standup", "Daily stand-up", self.local(0, 9, 30), self.local(0, 9, 45))
            },
            RemoteEvent {
                location: Some("Room 4.2".into()),
                ..event("demo-focus", "Focus time: write the design doc", self.local(1, 10, 0), self.local(1, 12, 0))
            },
            RemoteEvent {
                meeting_url: Some(
                    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_demo%40thread.v2/0".into(),
                ),
                ..event("demo-one-on-one", "1:1 with Alex", self.local(1, 14, 0), self.local(1, 14, 30))
            },
            RemoteEvent {
                my_response: Some(Response::Declined),
                ..event("demo-declined", "Quarterly planning (declined)", self.local(2, 11, 0), self.local(2, 12, 0))
            },
            RemoteEvent {
                location: Some("Lakeside lodge".into()),
                ..event("demo-offsite", "Team offsite", self.day(3), self.day(5))
            },
            event("demo-holiday", "Company holiday", self.day(7), self.day(8)),
        ]
    }
}

#[async_trait::async_trait]
impl Provider for DemoProvider {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            scope: Scope::WholeCollection,
            writable: false,
        }
    }

    async fn list_calendars(&self) -> Result<Vec<RemoteCalendar>, ProviderError> {
        Ok(vec![RemoteCalendar {
            external_id: CALENDAR_ID.to_owned(),
            name: "Demo calendar".to_owned(),
            color: Some("#7c5cff".to_owned()),
            time_zone: Some(self.zone.name().to_owned()),
            primary: true,
            read_only: true,
        }])
    }

    async fn fetch_changes(
        &self,
        request: FetchRequest<'_>,
        progress: Progress<'_>,
    ) -> Result<ChangeSet, ProviderError> {
        if request.cursor == Some(CURSOR) {
            return Ok(ChangeSet {
                kind: ChangeSetKind::Delta,
                changes: vec![],
                cursor: Some(CURSOR.to_owned()),
                zones: None,
            });
        }
        let changes: Vec<RemoteChange> = self
            .events()
            .into_iter()
            .map(RemoteChange::Upsert)
            .collect();
        progress(changes.len());
        Ok(ChangeSet {
            kind: ChangeSetKind::Full,
            changes,
            cursor: Some(CURSOR.to_owned()),
            zones: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_meeting_is_a_few_minutes_away_on_a_round_time() {
        let anchor: DateTime<Utc> = "2026-11-25T10:02:13Z".parse().unwrap();
        let demo = DemoProvider::new(anchor, chrono_tz::Europe::Berlin);
        let events = demo.events();
        assert_eq!(events[0].start.to_wire(), "2026-11-25T10:10:00Z");
        assert!(events[0].meeting_url.is_some());
        // The stand-up is at 09:30 Berlin time (08:30 UTC in winter).
        assert_eq!(events[1].start.to_wire(), "2026-11-25T08:30:00Z");
        assert!(!events[1].recurrence.is_empty());
        assert!(events.iter().any(|e| e.start.is_all_day()));
        assert!(events
            .iter()
            .any(|e| e.my_response == Some(Response::Declined)));
        // Every event has its own stable UID; the first meeting has people.
        let uids: std::collections::HashSet<_> = events
            .iter()
            .filter_map(|e| e.details.ical_uid.clone())
            .collect();
        assert_eq!(uids.len(), events.len());
        assert_eq!(
            events[0].details.ical_uid.as_deref(),
            Some("demo-product-sync@demo.calbuddy.invalid")
        );
        assert!(events[0].details.attendees.iter().any(|a| a.is_self));
    }
}
