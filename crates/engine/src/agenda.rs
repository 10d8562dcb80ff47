//! What is next, in words: the tray title ("Stand-up in 12 min", "Now: Design review, 20 min
//! left · Stand-up in 3 min"), the meetings to join (one item each, named), and the tray menu's
//! grouping into Today / Tomorrow with a day's all-day events on one line. Pure functions of
//! (events, now, time format), so the tray and tests agree on every minute. Titles come from
//! strangers: every text made here is one line with no escape sequences or bidi overrides.

use chrono::{DateTime, Duration, Local, NaiveDate, TimeZone, Utc};

use crate::local_time;
use crate::store::EventView;
use crate::text::one_line;
use crate::time_format::{day_heading, HourCycle};

/// How soon a meeting must start for its "Join" item to be offered.
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

/// Meetings named in a headline as under way, at most.
const HEADLINE_ONGOING: usize = 2;
/// Join items at the top of the tray menu, at most.
pub const MAX_JOINS: usize = 3;

/// The tray's title or tooltip: the events under way (the one ending first leads), then the
/// next timed event; while something runs, the next is named only when it starts within
/// [`JOIN_WITHIN`] ("Now: A, 20 min left · B in 3 min"), else within 24 hours. `None` when
/// nothing timed is under way or coming.
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
    let mut ongoing: Vec<&(&EventView, Span)> = timed
        .iter()
        .filter(|(_, s)| s.start <= now && now < s.end)
        .collect();
    ongoing.sort_by_key(|(_, s)| s.end);
    let horizon = if ongoing.is_empty() {
        Duration::hours(24)
    } else {
        JOIN_WITHIN
    };
    let next = timed
        .iter()
        .filter(|(_, s)| s.start > now && s.start - now <= horizon)
        .min_by_key(|(_, s)| s.start);
    let mut parts: Vec<String> = ongoing
        .iter()
        .take(HEADLINE_ONGOING)
        .enumerate()
        .map(|(i, (event, s))| {
            let now_mark = if i == 0 { "Now: " } else { "" };
            format!(
                "{now_mark}{}, {} left",
                shown_title(&event.title),
                duration_words(s.end - now)
            )
        })
        .collect();
    if let Some((event, s)) = next {
        parts.push(format!(
            "{} in {}",
            shown_title(&event.title),
            duration_words(s.start - now)
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// The most characters of a title the tray shows: menus and panel labels do not wrap, and a
/// title of thousands of characters (an invitation is anybody's text) would widen the menu
/// past the screen.
const TITLE_CHARS: usize = 60;

/// A title as the tray shows it: one inert line, cut at [`TITLE_CHARS`] with "…".
fn shown_title(title: &str) -> String {
    let line = one_line(title);
    match line.char_indices().nth(TITLE_CHARS) {
        Some((cut, _)) => format!("{}…", line[..cut].trim_end()),
        None => line,
    }
}

/// A "Join" item: a meeting under way or starting within [`JOIN_WITHIN`], with a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Join {
    pub event_id: String,
    /// "Join: Design review (20 min left)", "Join: Stand-up (in 3 min)": it names the meeting
    /// it opens, so overlapping meetings cannot be confused.
    pub label: String,
    pub meeting_url: String,
}

/// Every meeting that can be joined now (under way, or starting within 15 minutes, with a
/// link), the soonest start first, at most [`MAX_JOINS`].
pub fn joins<Tz: TimeZone>(events: &[EventView], now: DateTime<Utc>, tz: &Tz) -> Vec<Join> {
    let mut open: Vec<(&EventView, &String, Span)> = events
        .iter()
        .filter(|e| !e.all_day)
        .filter_map(|e| Some((e, e.meeting_url.as_ref()?, span(e, tz)?)))
        .filter(|(_, _, s)| s.end > now && s.start - now <= JOIN_WITHIN)
        .collect();
    open.sort_by_key(|(_, _, s)| (s.start, s.end));
    open.into_iter()
        .take(MAX_JOINS)
        .map(|(event, url, s)| {
            let when = if s.start <= now {
                format!("{} left", duration_words(s.end - now))
            } else {
                format!("in {}", duration_words(s.start - now))
            };
            Join {
                event_id: event.id.clone(),
                label: format!("Join: {} ({when})", shown_title(&event.title)),
                meeting_url: url.clone(),
            }
        })
        .collect()
}

/// How the tray menu is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MenuOptions {
    pub hours: HourCycle,
    /// List all-day events (one line per day); `false` hides them.
    pub all_day: bool,
}

/// A group of the tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuGroup {
    /// "Today", "Tomorrow" or a weekday and date.
    pub label: String,
    pub items: Vec<MenuItem>,
}

/// One line of the tray menu: a timed event, or a day's all-day events together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    /// The event's id (for the all-day line, the first event's).
    pub event_id: String,
    /// "09:30  Stand-up", "▶ 09:30  Review (now)", "All day: Offsite, Holiday +1".
    pub label: String,
    pub meeting_url: Option<String>,
    pub ongoing: bool,
}

/// All-day titles named on a day's line; the rest are counted ("+1").
const ALL_DAY_NAMED: usize = 2;

/// The next timed events (at most [`MENU_EVENTS`], still running or to come), grouped by local
/// day, each day led by one line for its all-day events (they take no event slot, so a day of
/// holidays and offsites does not push the meetings out of the menu).
pub fn menu<Tz: TimeZone>(
    events: &[EventView],
    now: DateTime<Utc>,
    tz: &Tz,
    options: MenuOptions,
) -> Vec<MenuGroup>
where
    Tz::Offset: std::fmt::Display,
{
    let today = now.with_timezone(tz).date_naive();
    let day_of = |s: &Span| s.start.with_timezone(tz).date_naive().max(today);
    let mut entries: Vec<(&EventView, Span)> = events
        .iter()
        .filter_map(|e| span(e, tz).map(|s| (e, s)))
        .filter(|(_, s)| s.end > now)
        .collect();
    entries.sort_by_key(|(_, s)| s.start);
    let total_timed = entries.iter().filter(|(e, _)| !e.all_day).count();
    let timed: Vec<&(&EventView, Span)> = entries
        .iter()
        .filter(|(e, _)| !e.all_day)
        .take(MENU_EVENTS)
        .collect();
    // When timed events were cut off, days after the last one listed are left out entirely.
    let last_day = (total_timed > MENU_EVENTS)
        .then(|| timed.last().map(|(_, s)| day_of(s)))
        .flatten();
    let mut days: Vec<NaiveDate> = timed.iter().map(|(_, s)| day_of(s)).collect();
    let all_day: Vec<&(&EventView, Span)> = if options.all_day {
        entries
            .iter()
            .filter(|(e, s)| e.all_day && last_day.is_none_or(|last| day_of(s) <= last))
            .collect()
    } else {
        Vec::new()
    };
    days.extend(all_day.iter().map(|(_, s)| day_of(s)));
    days.sort();
    days.dedup();

    days.into_iter()
        .map(|day| {
            let mut items = Vec::new();
            let whole: Vec<&EventView> = all_day
                .iter()
                .filter(|(_, s)| day_of(s) == day)
                .map(|(e, _)| *e)
                .collect();
            if let Some(first) = whole.first() {
                let names: Vec<String> = whole
                    .iter()
                    .take(ALL_DAY_NAMED)
                    .map(|e| shown_title(&e.title))
                    .collect();
                let mut label = format!("All day: {}", names.join(", "));
                if whole.len() > ALL_DAY_NAMED {
                    label.push_str(&format!(" +{}", whole.len() - ALL_DAY_NAMED));
                }
                items.push(MenuItem {
                    event_id: first.id.clone(),
                    label,
                    meeting_url: None,
                    ongoing: false,
                });
            }
            for (event, s) in timed.iter().filter(|(_, s)| day_of(s) == day) {
                let ongoing = s.start <= now;
                let when = options.hours.time(s.start.with_timezone(tz).time());
                let mut label = format!("{when}  {}", shown_title(&event.title));
                if ongoing {
                    label = format!("▶ {label} (now)");
                }
                items.push(MenuItem {
                    event_id: event.id.clone(),
                    label,
                    meeting_url: event.meeting_url.clone(),
                    ongoing,
                });
            }
            let label = match (day - today).num_days() {
                0 => "Today".to_owned(),
                1 => "Tomorrow".to_owned(),
                _ => day_heading(day),
            };
            MenuGroup { label, items }
        })
        .collect()
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
            details: Default::default(),
            also_in: Vec::new(),
            sort_key: 0,
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    const H24: MenuOptions = MenuOptions {
        hours: HourCycle::H24,
        all_day: true,
    };

    fn meeting(id: &str, title: &str, start: &str, end: &str) -> EventView {
        let mut e = event(id, title, start, end);
        e.meeting_url = Some(format!("https://meet.example.com/{id}"));
        e
    }

    fn labels(groups: &[MenuGroup]) -> Vec<Vec<&str>> {
        groups
            .iter()
            .map(|g| {
                std::iter::once(g.label.as_str())
                    .chain(g.items.iter().map(|i| i.label.as_str()))
                    .collect()
            })
            .collect()
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
            Some("Now: Design review, 20 min left · Stand-up in 10 min")
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
        let groups = menu(&events, now, &Utc, H24);
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
        let groups = menu(&events, t("2026-11-25T10:30:00Z"), &Utc, H24);
        let labels: Vec<_> = groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["Today", "Tomorrow", "Friday 27 November"]);
        assert_eq!(groups[0].items[0].label, "▶ 10:00  Review (now)");
        assert!(groups[0].items[0].ongoing);
        assert_eq!(groups[1].items[0].label, "All day: Offsite");
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
        let groups = menu(&events, t("2026-03-07T12:00:00Z"), &havana, H24);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].label, "Tomorrow");
        assert_eq!(groups[0].items[0].label, "All day: Festival");
        // And on the day itself, it is today's.
        let groups = menu(&events, t("2026-03-08T15:00:00Z"), &havana, H24);
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
        let groups = menu(&events, t("2026-11-25T09:00:00Z"), &Utc, H24);
        assert_eq!(
            groups.iter().map(|g| g.items.len()).sum::<usize>(),
            MENU_EVENTS
        );
    }

    #[test]
    fn a_join_item_is_offered_within_fifteen_minutes_or_while_running() {
        let events = [meeting(
            "1",
            "Sync",
            "2026-11-25T10:10:00Z",
            "2026-11-25T10:40:00Z",
        )];
        let at = |s| joins(&events, t(s), &Utc);
        assert!(at("2026-11-25T09:50:00Z").is_empty());
        assert_eq!(
            at("2026-11-25T09:55:00Z")[0].label,
            "Join: Sync (in 15 min)"
        );
        assert_eq!(
            at("2026-11-25T10:30:00Z")[0].label,
            "Join: Sync (10 min left)"
        );
        assert!(at("2026-11-25T10:40:00Z").is_empty());
        let mut no_link = events[0].clone();
        no_link.meeting_url = None;
        assert!(joins(&[no_link], t("2026-11-25T10:30:00Z"), &Utc).is_empty());
    }

    #[test]
    fn overlapping_meetings_each_get_a_join_item_naming_the_meeting_it_opens() {
        let events = [
            meeting(
                "b",
                "Budget",
                "2026-11-25T10:30:00Z",
                "2026-11-25T11:30:00Z",
            ),
            meeting(
                "a",
                "Architecture",
                "2026-11-25T10:00:00Z",
                "2026-11-25T11:00:00Z",
            ),
            meeting("c", "Later", "2026-11-25T12:00:00Z", "2026-11-25T13:00:00Z"),
        ];
        let now = t("2026-11-25T10:40:00Z");
        let join = joins(&events, now, &Utc);
        let items: Vec<_> = join
            .iter()
            .map(|j| (j.label.as_str(), j.meeting_url.as_str()))
            .collect();
        assert_eq!(
            items,
            [
                (
                    "Join: Architecture (20 min left)",
                    "https://meet.example.com/a"
                ),
                ("Join: Budget (50 min left)", "https://meet.example.com/b"),
            ]
        );
        // The title names both, the one ending first leading.
        assert_eq!(
            headline_in(&events, now, &Utc).as_deref(),
            Some("Now: Architecture, 20 min left · Budget, 50 min left")
        );
    }

    #[test]
    fn joins_are_bounded() {
        let events: Vec<_> = (0..10)
            .map(|i| {
                meeting(
                    &i.to_string(),
                    "M",
                    "2026-11-25T10:00:00Z",
                    "2026-11-25T11:00:00Z",
                )
            })
            .collect();
        assert_eq!(
            joins(&events, t("2026-11-25T10:30:00Z"), &Utc).len(),
            MAX_JOINS
        );
    }

    #[test]
    fn a_running_meeting_and_the_next_starting_soon_are_both_in_the_title() {
        let events = [
            event("1", "A", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z"),
            event("2", "B", "2026-11-25T10:43:00Z", "2026-11-25T11:30:00Z"),
        ];
        assert_eq!(
            headline_in(&events, t("2026-11-25T10:40:00Z"), &Utc).as_deref(),
            Some("Now: A, 20 min left · B in 3 min")
        );
        // While A runs, a next meeting more than 15 minutes away is not named.
        assert_eq!(
            headline_in(&events, t("2026-11-25T10:20:00Z"), &Utc).as_deref(),
            Some("Now: A, 40 min left")
        );
    }

    #[test]
    fn nothing_today_gives_no_title_no_join_and_an_empty_menu() {
        let now = t("2026-11-25T10:00:00Z");
        assert_eq!(headline_in(&[], now, &Utc), None);
        assert!(joins(&[], now, &Utc).is_empty());
        assert!(menu(&[], now, &Utc, H24).is_empty());
        // Only past events: the same.
        let past = [meeting(
            "1",
            "Done",
            "2026-11-25T08:00:00Z",
            "2026-11-25T09:00:00Z",
        )];
        assert_eq!(headline_in(&past, now, &Utc), None);
        assert!(joins(&past, now, &Utc).is_empty());
        assert!(menu(&past, now, &Utc, H24).is_empty());
    }

    #[test]
    fn a_long_title_is_cut_in_the_menu_and_the_title_without_splitting_a_character() {
        assert_eq!(shown_title("Stand-up"), "Stand-up");
        let long = format!("{}é{}", "a".repeat(58), "ü".repeat(2000));
        let shown = shown_title(&long);
        assert_eq!(shown.chars().count(), 61, "{shown}");
        assert!(shown.ends_with("éü…"), "{shown}");
        assert_eq!(shown_title(&"x".repeat(60)), "x".repeat(60));
    }

    #[test]
    fn all_day_events_take_one_line_per_day_and_no_event_slot() {
        let mut events = vec![
            event("h1", "Offsite", "2026-11-25", "2026-11-26"),
            event("h2", "Holiday", "2026-11-25", "2026-11-26"),
            event("h3", "Birthday", "2026-11-25", "2026-11-26"),
            event("h4", "Conference", "2026-11-24", "2026-11-27"),
        ];
        for i in 0..9 {
            let start = t("2026-11-25T09:00:00Z") + Duration::hours(i);
            let end = start + Duration::minutes(30);
            events.push(event(
                &format!("m{i}"),
                &format!("M{i}"),
                &start.to_rfc3339(),
                &end.to_rfc3339(),
            ));
        }
        events.push(event("h5", "Far away", "2026-11-27", "2026-11-28"));
        let now = t("2026-11-25T08:00:00Z");
        let groups = menu(&events, now, &Utc, H24);
        assert_eq!(groups.len(), 1, "the day after the cut is left out");
        assert_eq!(groups[0].items.len(), 1 + MENU_EVENTS);
        assert_eq!(
            groups[0].items[0].label, "All day: Conference, Offsite +2",
            "begun yesterday, it is today's too"
        );
        assert_eq!(groups[0].items[0].meeting_url, None);
        assert_eq!(groups[0].items[8].label, "16:00  M7");

        let hidden = menu(
            &events,
            now,
            &Utc,
            MenuOptions {
                all_day: false,
                ..H24
            },
        );
        assert_eq!(hidden[0].items.len(), MENU_EVENTS);
        assert!(hidden[0]
            .items
            .iter()
            .all(|i| !i.label.starts_with("All day")));
    }

    #[test]
    fn menu_times_follow_the_hour_cycle() {
        let events = [
            event("1", "Late", "2026-11-25T23:50:00Z", "2026-11-26T00:20:00Z"),
            event("2", "Early", "2026-11-26T09:05:00Z", "2026-11-26T09:30:00Z"),
            event("3", "Soon", "2026-11-28T12:00:00Z", "2026-11-28T12:30:00Z"),
        ];
        let now = t("2026-11-25T20:00:00Z");
        let twelve = MenuOptions {
            hours: HourCycle::H12,
            all_day: true,
        };
        assert_eq!(
            labels(&menu(&events, now, &Utc, twelve)),
            [
                vec!["Today", "11:50 PM  Late"],
                vec!["Tomorrow", "9:05 AM  Early"],
                vec!["Saturday 28 November", "12:00 PM  Soon"],
            ]
        );
        assert_eq!(
            labels(&menu(&events, now, &Utc, H24)),
            [
                vec!["Today", "23:50  Late"],
                vec!["Tomorrow", "09:05  Early"],
                vec!["Saturday 28 November", "12:00  Soon"],
            ]
        );
    }
}
