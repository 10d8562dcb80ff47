//! What is next, in words: the tray title ("Stand-up in 12 min", "Now: Design review, 20 min
//! left"), the tray menu's grouping into Today / Tomorrow, and the meeting to join. Pure
//! functions of (events, now), so the tray and tests agree on every minute. Titles come from
//! strangers: every text made here is one line with no escape sequences or bidi overrides.

use chrono::{DateTime, Duration, Local, NaiveDate, TimeZone, Utc};

use crate::local_time;
use crate::store::EventView;
use crate::text::one_line;

/// How soon a meeting must start for "Join next meeting" to be offered.
pub const JOIN_WITHIN: Duration = Duration::minutes(15);
/// Events listed in the tray menu.
pub const MENU_EVENTS: usize = 8;

/// An event's span as instants (all-day events span their local days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Resolves an event's start and end; `None` if the stored values cannot be read.
pub fn span<Tz: TimeZone>(event: &EventView, tz: &Tz) -> Option<Span> {
    if event.all_day {
        let day = |s: &str| {
            let date: NaiveDate = s.parse().ok()?;
            Some(local_time::resolve(
                date.and_time(chrono::NaiveTime::MIN),
                tz,
            ))
        };
        return Some(Span {
            start: day(&event.start)?,
            end: day(&event.end)?,
        });
    }
    let parse = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    };
    Some(Span {
        start: parse(&event.start)?,
        end: parse(&event.end)?,
    })
}

/// "12 min", "1 h 5 min", "3 h", "2 days".
pub fn duration_words(d: Duration) -> String {
    let minutes = (d.num_seconds() + 59) / 60; // round up: "in 1 min" until it starts
    match minutes {
        i64::MIN..=0 => "0 min".into(),
        1..=59 => format!("{minutes} min"),
        60..=1439 => match minutes % 60 {
            0 => format!("{} h", minutes / 60),
            m => format!("{} h {m} min", minutes / 60),
        },
        _ => match minutes / 1440 {
            1 => "1 day".into(),
            days => format!("{days} days"),
        },
    }
}

/// The tray's title or tooltip: the event under way (the one ending first), else the next
/// timed event today or tomorrow, else `None`.
pub fn headline(events: &[EventView], now: DateTime<Utc>) -> Option<String> {
    headline_in(events, now, &Local)
}

pub fn headline_in<Tz: TimeZone>(
    events: &[EventView],
    now: DateTime<Utc>,
    tz: &Tz,
) -> Option<String> {
    let timed: Vec<(&EventView, Span)> = events
        .iter()
        .filter(|e| !e.all_day)
        .filter_map(|e| span(e, tz).map(|s| (e, s)))
        .collect();
    if let Some((event, s)) = timed
        .iter()
        .filter(|(_, s)| s.start <= now && now < s.end)
        .min_by_key(|(_, s)| s.end)
    {
        return Some(format!(
            "Now: {}, {} left",
            one_line(&event.title),
            duration_words(s.end - now)
        ));
    }
    let (event, s) = timed
        .iter()
        .filter(|(_, s)| s.start > now && s.start - now < Duration::hours(24))
        .min_by_key(|(_, s)| s.start)?;
    Some(format!(
        "{} in {}",
        one_line(&event.title),
        duration_words(s.start - now)
    ))
}

/// The meeting to offer under "Join next meeting": under way or starting within 15 minutes,
/// with a link; the soonest first.
pub fn join_next(events: &[EventView], now: DateTime<Utc>) -> Option<&EventView> {
    events
        .iter()
        .filter(|e| !e.all_day && e.meeting_url.is_some())
        .filter_map(|e| span(e, &Local).map(|s| (e, s)))
        .filter(|(_, s)| s.end > now && s.start - now <= JOIN_WITHIN)
        .min_by_key(|(_, s)| s.start)
        .map(|(e, _)| e)
}

/// A group of the tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuGroup {
    /// "Today", "Tomorrow" or a weekday and date.
    pub label: String,
    pub items: Vec<MenuItem>,
}

/// One event in the tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    pub event_id: String,
    /// "09:30  Stand-up", "All day  Offsite", "▶ 09:30  Review (now)".
    pub label: String,
    pub meeting_url: Option<String>,
    pub ongoing: bool,
}

/// The next events (at most [`MENU_EVENTS`], still running or to come), grouped by local day.
pub fn menu<Tz: TimeZone>(events: &[EventView], now: DateTime<Utc>, tz: &Tz) -> Vec<MenuGroup>
where
    Tz::Offset: std::fmt::Display,
{
    let today = now.with_timezone(tz).date_naive();
    let mut groups: Vec<MenuGroup> = Vec::new();
    let mut entries: Vec<(&EventView, Span)> = events
        .iter()
        .filter_map(|e| span(e, tz).map(|s| (e, s)))
        .filter(|(_, s)| s.end > now)
        .collect();
    // All-day events first within their day, then by start.
    entries.sort_by_key(|(e, s)| {
        (
            s.start.with_timezone(tz).date_naive().max(today),
            !e.all_day,
            s.start,
        )
    });
    for (event, s) in entries.into_iter().take(MENU_EVENTS) {
        let day = s.start.with_timezone(tz).date_naive().max(today);
        let label = match (day - today).num_days() {
            0 => "Today".to_owned(),
            1 => "Tomorrow".to_owned(),
            _ => day.format("%A %-d %B").to_string(),
        };
        let ongoing = s.start <= now;
        let when = if event.all_day {
            "All day".to_owned()
        } else {
            s.start.with_timezone(tz).format("%H:%M").to_string()
        };
        let mut text = format!("{when}  {}", one_line(&event.title));
        if ongoing && !event.all_day {
            text = format!("▶ {text} (now)");
        }
        let item = MenuItem {
            event_id: event.id.clone(),
            label: text,
            meeting_url: event.meeting_url.clone(),
            ongoing,
        };
        match groups.last_mut() {
            Some(g) if g.label == label => g.items.push(item),
            _ => groups.push(MenuGroup {
                label,
                items: vec![item],
            }),
        }
    }
    groups
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn event(id: &str, title: &str, start: &str, end: &str) -> EventView {
        EventView {
            id: id.into(),
            account_id: 1,
            calendar_id: 1,
            calendar_name: "Work".into(),
            calendar_color: None,
            provider: "google".into(),
            external_id: id.into(),
            title: title.into(),
            description: None,
            location: None,
            start: start.into(),
            end: end.into(),
            all_day: start.len() == 10,
            recurring: false,
            status: "confirmed".into(),
            my_response: None,
            meeting_url: None,
            sort_key: 0,
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn duration_words_round_up_to_the_minute() {
        assert_eq!(duration_words(Duration::seconds(30)), "1 min");
        assert_eq!(duration_words(Duration::minutes(12)), "12 min");
        assert_eq!(duration_words(Duration::minutes(60)), "1 h");
        assert_eq!(duration_words(Duration::minutes(65)), "1 h 5 min");
        assert_eq!(duration_words(Duration::days(2)), "2 days");
        assert_eq!(duration_words(Duration::zero()), "0 min");
    }

    #[test]
    fn headline_prefers_what_is_under_way() {
        let events = [
            event(
                "1",
                "Design review",
                "2026-11-25T10:00:00Z",
                "2026-11-25T11:00:00Z",
            ),
            event(
                "2",
                "Stand-up",
                "2026-11-25T10:50:00Z",
                "2026-11-25T11:05:00Z",
            ),
            event("3", "Holiday", "2026-11-25", "2026-11-26"),
        ];
        let at = |s| headline_in(&events, t(s), &Utc);
        assert_eq!(
            at("2026-11-25T09:48:00Z").as_deref(),
            Some("Design review in 12 min")
        );
        assert_eq!(
            at("2026-11-25T10:40:00Z").as_deref(),
            Some("Now: Design review, 20 min left")
        );
        assert_eq!(
            at("2026-11-25T11:01:00Z").as_deref(),
            Some("Now: Stand-up, 4 min left")
        );
        assert_eq!(
            at("2026-11-25T11:10:00Z"),
            None,
            "all-day events make no headline"
        );
    }

    #[test]
    fn headline_ignores_events_more_than_a_day_away() {
        let events = [event(
            "1",
            "Far",
            "2026-11-30T10:00:00Z",
            "2026-11-30T11:00:00Z",
        )];
        assert_eq!(headline_in(&events, t("2026-11-25T10:00:00Z"), &Utc), None);
    }

    #[test]
    fn hostile_titles_reach_the_tray_as_one_plain_line() {
        let hostile = "A\u{1b}]0;pwned\u{7}B\nfake line\u{202E}";
        let events = [
            event("1", hostile, "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z"),
            event("2", hostile, "2026-11-25T12:00:00Z", "2026-11-25T13:00:00Z"),
        ];
        let now = t("2026-11-25T10:40:00Z");
        assert_eq!(
            headline_in(&events, now, &Utc).as_deref(),
            Some("Now: AB fake line, 20 min left")
        );
        assert_eq!(
            headline_in(&events[1..], now, &Utc).as_deref(),
            Some("AB fake line in 1 h 20 min")
        );
        let groups = menu(&events, now, &Utc);
        let labels: Vec<_> = groups[0].items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(
            labels,
            ["▶ 10:00  AB fake line (now)", "12:00  AB fake line"]
        );
    }

    #[test]
    fn menu_groups_by_day_with_all_day_first_and_marks_ongoing() {
        let events = vec![
            event(
                "1",
                "Review",
                "2026-11-25T10:00:00Z",
                "2026-11-25T11:00:00Z",
            ),
            event("2", "Lunch", "2026-11-25T12:00:00Z", "2026-11-25T13:00:00Z"),
            event("3", "Offsite", "2026-11-26", "2026-11-27"),
            event("4", "1:1", "2026-11-26T09:00:00Z", "2026-11-26T09:30:00Z"),
            event(
                "5",
                "Planning",
                "2026-11-27T09:00:00Z",
                "2026-11-27T09:30:00Z",
            ),
            event("0", "Ended", "2026-11-25T08:00:00Z", "2026-11-25T09:00:00Z"),
        ];
        let groups = menu(&events, t("2026-11-25T10:30:00Z"), &Utc);
        let labels: Vec<_> = groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["Today", "Tomorrow", "Friday 27 November"]);
        assert_eq!(groups[0].items[0].label, "▶ 10:00  Review (now)");
        assert!(groups[0].items[0].ongoing);
        assert_eq!(groups[1].items[0].label, "All day  Offsite");
        assert_eq!(groups[1].items[1].label, "09:00  1:1");
        assert_eq!(
            groups.iter().map(|g| g.items.len()).sum::<usize>(),
            5,
            "ended events are gone"
        );
    }

    #[test]
    fn an_all_day_event_on_a_day_without_midnight_is_listed() {
        // Havana springs forward at midnight: 2026-03-08 00:00 does not exist there.
        let havana = chrono_tz::America::Havana;
        let events = [event("1", "Festival", "2026-03-08", "2026-03-09")];
        let s = span(&events[0], &havana).expect("a span");
        assert_eq!(s.start, t("2026-03-08T05:00:00Z")); // 01:00 CDT, when the day begins
        assert_eq!(s.end, t("2026-03-09T04:00:00Z"));
        let groups = menu(&events, t("2026-03-07T12:00:00Z"), &havana);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].label, "Tomorrow");
        assert_eq!(groups[0].items[0].label, "All day  Festival");
        // And on the day itself, it is today's.
        let groups = menu(&events, t("2026-03-08T15:00:00Z"), &havana);
        assert_eq!(groups[0].label, "Today");
    }

    #[test]
    fn menu_lists_at_most_eight() {
        let events: Vec<_> = (0..20)
            .map(|i| {
                let start = t("2026-11-25T10:00:00Z") + Duration::hours(i);
                let end = start + Duration::minutes(30);
                event(&i.to_string(), "E", &start.to_rfc3339(), &end.to_rfc3339())
            })
            .collect();
        let groups = menu(&events, t("2026-11-25T09:00:00Z"), &Utc);
        assert_eq!(
            groups.iter().map(|g| g.items.len()).sum::<usize>(),
            MENU_EVENTS
        );
    }

    #[test]
    fn join_next_is_offered_within_fifteen_minutes_or_while_running() {
        let mut soon = event("1", "Sync", "2026-11-25T10:10:00Z", "2026-11-25T10:40:00Z");
        soon.meeting_url = Some("https://meet.google.com/abc-defg-hij".into());
        let events = [soon];
        assert!(join_next(&events, t("2026-11-25T09:50:00Z")).is_none());
        assert!(join_next(&events, t("2026-11-25T09:55:00Z")).is_some());
        assert!(join_next(&events, t("2026-11-25T10:30:00Z")).is_some());
        assert!(join_next(&events, t("2026-11-25T10:40:00Z")).is_none());
    }
}
