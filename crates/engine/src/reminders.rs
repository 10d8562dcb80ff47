//! Reminder planning: which notifications are due, which are stale, and when to look again —
//! a pure function of (events, settings, already fired, now). An occurrence gets at most one
//! reminder per slot (see [`covered`]), so a changed lead time does not remind again. After
//! sleep, a late start or a clock change, reminders for events that have already started are dropped silently (no flood of stale notifications), while any reminder
//! whose event is still ahead fires at once, late rather than never.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use crate::agenda::span;
use crate::settings::NotificationSettings;
use crate::store::EventView;
use crate::text::one_line;
use crate::time_format::HourCycle;

mod snooze;
pub use snooze::{plan_snoozed, Snooze, SnoozePlan, SNOOZE};

/// Identifies one reminder: the occurrence and how long before its start it comes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReminderKey {
    /// `provider:external_id:start`: stable across resyncs, new when the event moves.
    pub occurrence: String,
    pub lead_minutes: u32,
}

impl ReminderKey {
    pub fn for_event(event: &EventView, lead_minutes: u32) -> Self {
        ReminderKey {
            occurrence: format!("{}:{}:{}", event.provider, event.external_id, event.start),
            lead_minutes,
        }
    }
}

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub key: ReminderKey,
    pub event_id: String,
    pub title: String,
    /// "Starts in 10 min · 14:00 · Room 4" / "Starting now · 14:00 · Click to join"; one line.
    pub body: String,
    pub meeting_url: Option<String>,
    pub start: DateTime<Utc>,
}

/// The parts of a reminder's body between which [`Reminder::in_hours`] finds the start time.
const BODY_SEPARATOR: &str = " · ";

impl Reminder {
    /// The reminder with its start time written in `hours` ("2:00 PM" or "14:00"), as the
    /// tray writes times; the plan writes it 24-hour. The time is always the body's second
    /// part, after "Starts in …" or "Starting now" and before any place, whatever the place holds.
    pub fn in_hours(mut self, hours: HourCycle) -> Reminder {
        let mut parts: Vec<&str> = self.body.splitn(3, BODY_SEPARATOR).collect();
        let time = hours.time(self.start.with_timezone(&chrono::Local).time());
        if parts.len() >= 2 {
            parts[1] = &time;
            self.body = parts.join(BODY_SEPARATOR);
        }
        self
    }
}

/// What to do now and when to look again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReminderPlan {
    /// Show these now.
    pub due: Vec<Reminder>,
    /// Their time has passed and their event has started: record them as done, show nothing.
    pub stale: Vec<ReminderKey>,
    /// The next time a reminder falls due, if any.
    pub next_due: Option<DateTime<Utc>>,
}

/// The events whose calendar has reminders on (`muted` holds the calendars whose reminders the
/// user turned off): the step before [`plan`] and [`plan_snoozed`], so a muted calendar
/// neither reminds nor brings back a snooze. A meeting shown once for several calendars
/// (`also_in`) is reminded if any of them has reminders on.
pub fn with_reminders_on(mut events: Vec<EventView>, muted: &HashSet<i64>) -> Vec<EventView> {
    events.retain(|e| {
        std::iter::once(e.calendar_id)
            .chain(e.also_in.iter().map(|a| a.calendar_id))
            .any(|id| !muted.contains(&id))
    });
    events
}

/// Plans reminders for `events` (the upcoming occurrences, declined ones included).
pub fn plan(
    events: &[EventView],
    settings: &NotificationSettings,
    fired: &HashSet<ReminderKey>,
    now: DateTime<Utc>,
) -> ReminderPlan {
    let mut plan = ReminderPlan::default();
    if !settings.enabled {
        return plan;
    }
    // The leads already fired for each occurrence, whatever the settings were then.
    let mut fired_leads: HashMap<&str, Vec<u32>> = HashMap::new();
    for key in fired {
        fired_leads
            .entry(key.occurrence.as_str())
            .or_default()
            .push(key.lead_minutes);
    }
    for event in events {
        if event.all_day || event.status == "cancelled" {
            continue;
        }
        if settings.skip_declined && event.my_response.as_deref() == Some("declined") {
            continue;
        }
        if settings.only_with_meeting_link && event.meeting_url.is_none() {
            continue;
        }
        let Some(s) = span(event, &Utc) else { continue };
        let leads = settings.leads_for(event.details.reminder_minutes.as_deref());
        let mut due_now = Vec::new();
        for (i, &lead) in leads.iter().enumerate() {
            let key = ReminderKey::for_event(event, lead);
            let already = fired_leads.get(key.occurrence.as_str());
            if covered(already.map_or(&[][..], Vec::as_slice), &leads[..i]) {
                continue;
            }
            let due = s.start - Duration::minutes(i64::from(lead));
            if due > now {
                plan.next_due = Some(plan.next_due.map_or(due, |n| n.min(due)));
            } else if now < s.start || (lead == 0 && now < s.start + Duration::minutes(1)) {
                due_now.push(key);
            } else {
                plan.stale.push(key);
            }
        }
        // Late (after sleep), several lead times of one event can be due at once: show only
        // the nearest to the start, and record the others as done.
        if let Some(nearest) = due_now.pop() {
            plan.stale.append(&mut due_now);
            plan.due.push(reminder(event, nearest, s.start, now));
        }
    }
    plan.due.sort_by_key(|r| r.start);
    plan
}

/// Whether a lead time's slot was already reminded. A slot runs from the next larger lead
/// time (exclusive; `larger` holds them, largest first) down to the start: any reminder fired
/// inside it — at this lead, or at a lead that the settings no longer hold — counts. So
/// changing 10 to 5 minutes after the 10-minute reminder does not remind again, while with
/// 10 and 1 both come.
fn covered(fired_leads: &[u32], larger: &[u32]) -> bool {
    let slot_opens = larger.last().copied();
    fired_leads
        .iter()
        .any(|&fired| slot_opens.is_none_or(|opens| fired < opens))
}

fn reminder(
    event: &EventView,
    key: ReminderKey,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Reminder {
    let mut parts = vec![if start <= now {
        "Starting now".to_owned()
    } else {
        format!("Starts in {}", crate::agenda::duration_words(start - now))
    }];
    parts.push(
        start
            .with_timezone(&chrono::Local)
            .format("%H:%M")
            .to_string(),
    );
    match (&event.meeting_url, &event.location) {
        (Some(_), _) => parts.push("Click to join".to_owned()),
        (None, Some(location)) => parts.push(one_line(location)),
        (None, None) => {}
    }
    // Titles and locations are written by whoever sent the invitation: no escape sequences,
    // bidi overrides or extra lines in the notification.
    Reminder {
        key,
        event_id: event.id.clone(),
        title: one_line(&event.title),
        body: parts.join(BODY_SEPARATOR),
        meeting_url: event.meeting_url.clone(),
        start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::tests::event;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// The start time as the body shows it (the machine's local time).
    fn local_hm(s: &str) -> String {
        t(s).with_timezone(&chrono::Local)
            .format("%H:%M")
            .to_string()
    }

    fn settings() -> NotificationSettings {
        NotificationSettings::default()
    }

    fn keys(plan: &[Reminder]) -> Vec<(String, u32)> {
        plan.iter()
            .map(|r| (r.title.clone(), r.key.lead_minutes))
            .collect()
    }

    fn day() -> Vec<EventView> {
        vec![
            event(
                "1",
                "Stand-up",
                "2026-11-25T09:30:00Z",
                "2026-11-25T09:45:00Z",
            ),
            event(
                "2",
                "Review",
                "2026-11-25T14:00:00Z",
                "2026-11-25T15:00:00Z",
            ),
            event("3", "Holiday", "2026-11-25", "2026-11-26"),
        ]
    }

    #[test]
    fn sleeps_until_the_first_lead_time_then_fires_once() {
        let events = day();
        let mut fired = HashSet::new();
        let plan1 = plan(&events, &settings(), &fired, t("2026-11-25T08:00:00Z"));
        assert!(plan1.due.is_empty() && plan1.stale.is_empty());
        assert_eq!(plan1.next_due, Some(t("2026-11-25T09:20:00Z")));

        let at_due = plan(&events, &settings(), &fired, t("2026-11-25T09:20:00Z"));
        assert_eq!(keys(&at_due.due), [("Stand-up".to_owned(), 10)]);
        assert_eq!(
            at_due.due[0].body,
            format!("Starts in 10 min · {}", local_hm("2026-11-25T09:30:00Z"))
        );
        assert_eq!(at_due.next_due, Some(t("2026-11-25T13:50:00Z")));

        fired.insert(at_due.due[0].key.clone());
        let again = plan(&events, &settings(), &fired, t("2026-11-25T09:21:00Z"));
        assert!(again.due.is_empty(), "a reminder fires once");
    }

    #[test]
    fn after_sleep_stale_reminders_are_dropped_and_ahead_ones_fire_late() {
        let events = day();
        // Woke at 13:55: the stand-up is long over, the review is 5 minutes away.
        let woke = plan(
            &events,
            &settings(),
            &HashSet::new(),
            t("2026-11-25T13:55:00Z"),
        );
        assert_eq!(keys(&woke.due), [("Review".to_owned(), 10)]);
        assert_eq!(
            woke.due[0].body,
            format!("Starts in 5 min · {}", local_hm("2026-11-25T14:00:00Z"))
        );
        assert_eq!(woke.stale, vec![ReminderKey::for_event(&events[0], 10)]);
        assert_eq!(woke.next_due, None);
    }

    #[test]
    fn a_clock_jumping_back_fires_nothing_twice() {
        let events = day();
        let fired: HashSet<_> = [ReminderKey::for_event(&events[0], 10)].into();
        let back = plan(&events, &settings(), &fired, t("2026-11-25T09:00:00Z"));
        assert!(back.due.is_empty());
        assert_eq!(back.next_due, Some(t("2026-11-25T13:50:00Z")));
    }

    #[test]
    fn at_start_reminders_and_filters() {
        let mut events = day();
        events[0].meeting_url = Some("https://zoom.us/j/1".into());
        events[1].my_response = Some("declined".into());
        let s = NotificationSettings {
            at_start: true,
            ..settings()
        };
        let at_start = plan(&events, &s, &HashSet::new(), t("2026-11-25T09:30:20Z"));
        assert_eq!(keys(&at_start.due), [("Stand-up".to_owned(), 0)]);
        assert_eq!(
            at_start.due[0].body,
            format!(
                "Starting now · {} · Click to join",
                local_hm("2026-11-25T09:30:00Z")
            )
        );
        assert_eq!(at_start.stale.len(), 1, "the 10-minute one was missed");
        assert_eq!(at_start.next_due, None, "declined events are skipped");

        let only_links = NotificationSettings {
            only_with_meeting_link: true,
            skip_declined: false,
            ..settings()
        };
        let p = plan(
            &events,
            &only_links,
            &HashSet::new(),
            t("2026-11-25T08:00:00Z"),
        );
        assert_eq!(p.next_due, Some(t("2026-11-25T09:20:00Z")));
        let p = plan(
            &events,
            &only_links,
            &HashSet::new(),
            t("2026-11-25T10:00:00Z"),
        );
        assert_eq!(p.next_due, None, "the review has no link");

        let off = NotificationSettings {
            enabled: false,
            ..settings()
        };
        assert_eq!(
            plan(&events, &off, &HashSet::new(), t("2026-11-25T09:20:00Z")),
            ReminderPlan::default()
        );
    }

    fn leads(lead_minutes: u32, lead_times: &[u32], at_start: bool) -> NotificationSettings {
        NotificationSettings {
            lead_minutes,
            lead_times: lead_times.to_vec(),
            at_start,
            ..settings()
        }
    }

    #[test]
    fn several_lead_times_and_at_start_each_fire_once() {
        let review = vec![day().remove(1)];
        let s = leads(10, &[1], true);
        let mut fired = HashSet::new();
        let mut shown = Vec::new();
        let mut now = t("2026-11-25T13:00:00Z");
        // Follow the plan as the desktop app does: sleep to next_due, show, record.
        for _ in 0..10 {
            let p = plan(&review, &s, &fired, now);
            for r in &p.due {
                shown.push((r.key.lead_minutes, now));
                fired.insert(r.key.clone());
            }
            let Some(next) = p.next_due else { break };
            now = next;
        }
        assert_eq!(
            shown,
            [
                (10, t("2026-11-25T13:50:00Z")),
                (1, t("2026-11-25T13:59:00Z")),
                (0, t("2026-11-25T14:00:00Z")),
            ]
        );
    }

    #[test]
    fn changing_the_lead_time_from_10_to_5_does_not_fire_again() {
        let review = vec![day().remove(1)];
        let fired: HashSet<_> = [ReminderKey::for_event(&review[0], 10)].into();
        let p = plan(
            &review,
            &leads(5, &[], false),
            &fired,
            t("2026-11-25T13:55:00Z"),
        );
        assert!(p.due.is_empty() && p.next_due.is_none(), "{p:?}");
        // A larger one (10 to 15) does not fire late either.
        let p = plan(
            &review,
            &leads(15, &[], false),
            &fired,
            t("2026-11-25T13:52:00Z"),
        );
        assert!(p.due.is_empty(), "{p:?}");
        // Adding a second, nearer lead time still gives its own reminder.
        let p = plan(
            &review,
            &leads(10, &[5], false),
            &fired,
            t("2026-11-25T13:55:00Z"),
        );
        assert_eq!(keys(&p.due), [("Review".to_owned(), 5)]);
        // At start is a slot of its own.
        let p = plan(
            &review,
            &leads(5, &[], true),
            &fired,
            t("2026-11-25T14:00:00Z"),
        );
        assert_eq!(keys(&p.due), [("Review".to_owned(), 0)]);
    }

    #[test]
    fn each_events_own_reminder_times_replace_the_apps_when_asked() {
        let mut events = day();
        events[0].details.reminder_minutes = Some(vec![30, 2]);
        events[1].details.reminder_minutes = Some(vec![]);
        let own = NotificationSettings {
            use_event_reminders: true,
            ..settings()
        };
        // The stand-up at 09:00 (30 min before), the review never, the holiday is all-day.
        let p = plan(&events, &own, &HashSet::new(), t("2026-11-25T08:00:00Z"));
        assert_eq!(p.next_due, Some(t("2026-11-25T09:00:00Z")));
        let p = plan(&events, &own, &HashSet::new(), t("2026-11-25T09:00:00Z"));
        assert_eq!(keys(&p.due), [("Stand-up".to_owned(), 30)]);
        assert_eq!(p.next_due, Some(t("2026-11-25T09:28:00Z")));
        let p = plan(&events, &own, &HashSet::new(), t("2026-11-25T13:50:00Z"));
        assert!(p.due.is_empty() && p.next_due.is_none(), "{p:?}");
        // "At start" still applies to an event without reminders of its own.
        let at_start = NotificationSettings {
            at_start: true,
            ..own.clone()
        };
        let p = plan(
            &events,
            &at_start,
            &HashSet::new(),
            t("2026-11-25T14:00:00Z"),
        );
        assert_eq!(keys(&p.due), [("Review".to_owned(), 0)]);
        // Off, the app's 10 minutes for all.
        let p = plan(
            &events,
            &settings(),
            &HashSet::new(),
            t("2026-11-25T09:20:00Z"),
        );
        assert_eq!(keys(&p.due), [("Stand-up".to_owned(), 10)]);
        // The app's 10-minute reminder already shown: switching to the event's own 5 minutes
        // does not remind again.
        let fired: HashSet<_> = [ReminderKey::for_event(&events[0], 10)].into();
        events[0].details.reminder_minutes = Some(vec![5]);
        let p = plan(&events[..1], &own, &fired, t("2026-11-25T09:25:00Z"));
        assert!(p.due.is_empty() && p.next_due.is_none(), "{p:?}");
    }

    #[test]
    fn late_with_several_lead_times_due_only_the_nearest_is_shown() {
        let review = vec![day().remove(1)];
        // Woke 30 seconds before the start: the 10- and 1-minute reminders are both due.
        let p = plan(
            &review,
            &leads(10, &[1], false),
            &HashSet::new(),
            t("2026-11-25T13:59:30Z"),
        );
        assert_eq!(keys(&p.due), [("Review".to_owned(), 1)]);
        assert_eq!(p.stale, vec![ReminderKey::for_event(&review[0], 10)]);
    }

    #[test]
    fn a_calendar_with_reminders_off_reminds_of_nothing() {
        let mut events = day();
        events[1].calendar_id = 2;
        let events = with_reminders_on(events, &[2].into());
        let p = plan(
            &events,
            &settings(),
            &HashSet::new(),
            t("2026-11-25T10:00:00Z"),
        );
        assert_eq!(p.next_due, None, "the review's calendar is muted");
        let p = plan(
            &events,
            &settings(),
            &HashSet::new(),
            t("2026-11-25T09:20:00Z"),
        );
        assert_eq!(keys(&p.due), [("Stand-up".to_owned(), 10)]);
    }

    #[test]
    fn a_meeting_in_two_calendars_is_reminded_while_either_has_reminders_on() {
        let mut review = day().remove(1);
        review.calendar_id = 2;
        review.also_in = vec![crate::store::AlsoIn {
            calendar_id: 3,
            calendar_name: "Team".into(),
            calendar_color: None,
            account_id: 2,
        }];
        assert_eq!(
            with_reminders_on(vec![review.clone()], &[2].into()).len(),
            1
        );
        assert_eq!(
            with_reminders_on(vec![review.clone()], &[3].into()).len(),
            1
        );
        assert!(with_reminders_on(vec![review], &[2, 3].into()).is_empty());
    }

    #[test]
    fn the_body_writes_the_start_time_in_the_chosen_hour_cycle() {
        let mut review = day().remove(1);
        review.location = Some("Room · 4".into());
        let p = plan(
            &[review],
            &settings(),
            &HashSet::new(),
            t("2026-11-25T13:50:00Z"),
        );
        let local = t("2026-11-25T14:00:00Z")
            .with_timezone(&chrono::Local)
            .time();
        let twelve = p.due[0].clone().in_hours(HourCycle::H12);
        assert_eq!(
            twelve.body,
            format!(
                "Starts in 10 min · {} · Room · 4",
                HourCycle::H12.time(local)
            )
        );
        assert!(twelve.body.contains(" PM ·") || twelve.body.contains(" AM ·"));
        let back = twelve.in_hours(HourCycle::H24);
        assert_eq!(back.body, p.due[0].body, "24-hour is what the plan writes");
    }

    #[test]
    fn a_moved_event_gets_a_new_reminder() {
        let before = event(
            "1",
            "Review",
            "2026-11-25T14:00:00Z",
            "2026-11-25T15:00:00Z",
        );
        let moved = event(
            "1",
            "Review",
            "2026-11-25T16:00:00Z",
            "2026-11-25T17:00:00Z",
        );
        assert_ne!(
            ReminderKey::for_event(&before, 10),
            ReminderKey::for_event(&moved, 10)
        );
    }

    #[test]
    fn the_body_names_the_place_on_one_line() {
        let mut review = day().remove(1);
        review.location = Some("Room 4,\n  2nd floor".into());
        let p = plan(
            &[review],
            &settings(),
            &HashSet::new(),
            t("2026-11-25T13:50:00Z"),
        );
        assert_eq!(
            p.due[0].body,
            format!(
                "Starts in 10 min · {} · Room 4, 2nd floor",
                local_hm("2026-11-25T14:00:00Z")
            )
        );
    }

    #[test]
    fn hostile_titles_and_places_reach_the_notification_as_plain_text() {
        let mut review = day().remove(1);
        review.title = "A\u{1b}]0;pwned\u{7}B\nfake line\u{202E}".into();
        review.location = Some("\u{1b}]52;c;cm0gLXJmIH4=\u{7}Room\r\n4\u{202E}\u{1b}[2K".into());
        let p = plan(
            &[review],
            &settings(),
            &HashSet::new(),
            t("2026-11-25T13:50:00Z"),
        );
        let reminder = &p.due[0];
        assert_eq!(reminder.title, "AB fake line");
        assert_eq!(
            reminder.body,
            format!(
                "Starts in 10 min · {} · Room 4",
                local_hm("2026-11-25T14:00:00Z")
            )
        );
    }
}
