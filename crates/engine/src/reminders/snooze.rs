//! Snoozed reminders: the user put a reminder off with the notification's Snooze button, and
//! it comes back five minutes later, or when the event starts if that is sooner. Each snooze
//! fires once; one whose event was cancelled, moved or is over is dropped. A pure function of
//! (events, snoozes, now), like the plan; the desktop app keeps the snoozes.

use chrono::{DateTime, Duration, Utc};

use super::{reminder, Reminder, ReminderKey};
use crate::agenda::span;
use crate::store::EventView;

/// How long Snooze puts a reminder off (at most: it comes back at the start if sooner).
pub const SNOOZE: Duration = Duration::minutes(5);

/// A reminder put off until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snooze {
    pub key: ReminderKey,
    pub until: DateTime<Utc>,
}

impl Snooze {
    /// Snoozes the reminder `key` of an occurrence starting at `start`, at `now`: five
    /// minutes, or until the start when that is sooner (a reminder already at the start comes
    /// back five minutes later).
    pub fn new(key: ReminderKey, start: DateTime<Utc>, now: DateTime<Utc>) -> Snooze {
        let later = now + SNOOZE;
        Snooze {
            key,
            until: if start > now { later.min(start) } else { later },
        }
    }
}

/// What to do with the snoozes now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnoozePlan {
    /// Show these now; their snoozes are done.
    pub due: Vec<Reminder>,
    /// Keep these for later.
    pub waiting: Vec<Snooze>,
    /// When the first waiting one falls due.
    pub next_due: Option<DateTime<Utc>>,
}

/// Plans the snoozed reminders against the current `events` (the upcoming occurrences).
pub fn plan_snoozed(events: &[EventView], snoozes: &[Snooze], now: DateTime<Utc>) -> SnoozePlan {
    let mut plan = SnoozePlan::default();
    for snooze in snoozes {
        // The occurrence key holds the start: a moved event no longer matches.
        let found = events.iter().find(|e| {
            e.status != "cancelled"
                && ReminderKey::for_event(e, snooze.key.lead_minutes) == snooze.key
        });
        let Some((event, s)) = found.and_then(|e| Some((e, span(e, &Utc)?))) else {
            continue;
        };
        if now >= s.end {
            continue;
        }
        if snooze.until <= now {
            plan.due
                .push(reminder(event, snooze.key.clone(), s.start, now));
        } else {
            plan.waiting.push(snooze.clone());
            plan.next_due = Some(plan.next_due.map_or(snooze.until, |n| n.min(snooze.until)));
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::tests::event;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn review() -> EventView {
        event(
            "2",
            "Review",
            "2026-11-25T14:00:00Z",
            "2026-11-25T15:00:00Z",
        )
    }

    fn shown_at(lead: u32, now: &str) -> Reminder {
        let e = review();
        reminder(
            &e,
            ReminderKey::for_event(&e, lead),
            t("2026-11-25T14:00:00Z"),
            t(now),
        )
    }

    #[test]
    fn snooze_is_five_minutes_or_until_the_start() {
        let ten = shown_at(10, "2026-11-25T13:50:00Z");
        assert_eq!(
            Snooze::new(ten.key.clone(), ten.start, t("2026-11-25T13:50:00Z")).until,
            t("2026-11-25T13:55:00Z")
        );
        let one = shown_at(1, "2026-11-25T13:59:00Z");
        assert_eq!(
            Snooze::new(one.key.clone(), one.start, t("2026-11-25T13:59:00Z")).until,
            t("2026-11-25T14:00:00Z"),
            "until it starts"
        );
        let at_start = shown_at(0, "2026-11-25T14:00:00Z");
        assert_eq!(
            Snooze::new(
                at_start.key.clone(),
                at_start.start,
                t("2026-11-25T14:00:10Z")
            )
            .until,
            t("2026-11-25T14:05:10Z")
        );
    }

    #[test]
    fn a_snoozed_reminder_comes_back_once() {
        let events = vec![review()];
        let ten = shown_at(10, "2026-11-25T13:50:00Z");
        let snooze = Snooze::new(ten.key, ten.start, t("2026-11-25T13:50:00Z"));
        let early = plan_snoozed(
            &events,
            std::slice::from_ref(&snooze),
            t("2026-11-25T13:52:00Z"),
        );
        assert!(early.due.is_empty());
        assert_eq!(early.waiting, [snooze]);
        assert_eq!(early.next_due, Some(t("2026-11-25T13:55:00Z")));

        let back = plan_snoozed(&events, &early.waiting, t("2026-11-25T13:55:00Z"));
        assert_eq!(back.due.len(), 1);
        assert_eq!(back.due[0].title, "Review");
        assert!(
            back.due[0].body.starts_with("Starts in 5 min"),
            "{}",
            back.due[0].body
        );
        assert!(
            back.waiting.is_empty() && back.next_due.is_none(),
            "fires once"
        );
    }

    #[test]
    fn a_snooze_of_a_moved_cancelled_or_finished_event_is_dropped() {
        let snooze = Snooze {
            key: ReminderKey::for_event(&review(), 10),
            until: t("2026-11-25T13:55:00Z"),
        };
        let moved = event(
            "2",
            "Review",
            "2026-11-25T16:00:00Z",
            "2026-11-25T17:00:00Z",
        );
        let mut cancelled = review();
        cancelled.status = "cancelled".into();
        for events in [vec![moved], vec![cancelled], vec![]] {
            let p = plan_snoozed(
                &events,
                std::slice::from_ref(&snooze),
                t("2026-11-25T13:56:00Z"),
            );
            assert_eq!(p, SnoozePlan::default());
        }
        let over = plan_snoozed(&[review()], &[snooze], t("2026-11-25T15:00:00Z"));
        assert_eq!(over, SnoozePlan::default());
    }
}
