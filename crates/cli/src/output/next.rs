//! `calbuddy next`: what is on now and what comes next, in one line for a status bar (Waybar,
//! Polybar, i3blocks), as JSON, or as Waybar's `{text, tooltip, class, alt}`.
//!
//! All-day events are never "current" or "next": they would be "now" the whole day and hide
//! the meeting that actually starts in five minutes, which is what a status bar is for.
//! Declined events are left out by the query that feeds this (`Engine::upcoming`).

use calbuddy_engine::store::EventView;

use super::listing::title;
use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

/// A meeting starting within this many minutes makes the Waybar class `soon`.
pub const SOON_MINUTES: i64 = 15;
/// How many events the Waybar tooltip lists.
const TOOLTIP_EVENTS: usize = 5;
/// What the one line says when no timed event is on or ahead.
pub const NOTHING: &str = "Nothing in the next 24 hours";

/// The timed events from now on: those under way, and those ahead in start order.
pub struct NextUp<'a> {
    now: DateTime<Utc>,
    current: Vec<Timed<'a>>,
    ahead: Vec<Timed<'a>>,
}

/// An event with its times read, and the minutes to its start and end (rounded up, so a
/// meeting 30 seconds away is "in 1 min", never "in 0 min").
#[derive(Serialize)]
pub struct Timed<'a> {
    #[serde(flatten)]
    event: &'a EventView,
    starts_in_minutes: i64,
    ends_in_minutes: i64,
    #[serde(skip)]
    start: DateTime<Utc>,
    #[serde(skip)]
    end: DateTime<Utc>,
}

/// `calbuddy next --format json`.
#[derive(Serialize)]
struct NextJson<'a, 'b> {
    current: &'b [Timed<'a>],
    next: Option<&'b Timed<'a>>,
}

/// `calbuddy next --format waybar`: a custom module's return-type json.
#[derive(Serialize)]
struct Waybar {
    text: String,
    tooltip: String,
    class: &'static str,
    alt: &'static str,
}

impl<'a> NextUp<'a> {
    /// Sorts `events` (any order) into current and ahead as of `now`; all-day events and
    /// events whose times cannot be read are left out, as are those already over.
    pub fn new(events: &'a [EventView], now: DateTime<Utc>) -> Self {
        let mut timed: Vec<Timed<'a>> = events
            .iter()
            .filter(|e| !e.all_day)
            .filter_map(|e| {
                let (start, end) = (parse_utc(&e.start)?, parse_utc(&e.end)?);
                Some(Timed {
                    event: e,
                    starts_in_minutes: minutes_until(now, start),
                    ends_in_minutes: minutes_until(now, end),
                    start,
                    end,
                })
            })
            .filter(|t| t.end > now)
            .collect();
        timed.sort_by_key(|t| (t.start, t.end));
        let (current, ahead) = timed.into_iter().partition(|t| t.start <= now);
        NextUp {
            now,
            current,
            ahead,
        }
    }

    fn next(&self) -> Option<&Timed<'a>> {
        self.ahead.first()
    }

    /// One line: "Now: Stand-up, 12 min left · Design review in 40 min", "Design review in 40
    /// min", or [`NOTHING`]. Several meetings under way: the one ending first, "+N more".
    pub fn line(&self) -> String {
        let mut parts = Vec::new();
        if let Some(first) = self.current.iter().min_by_key(|t| t.end) {
            let mut now = format!(
                "Now: {}, {} left",
                title(first.event),
                duration(first.ends_in_minutes)
            );
            if self.current.len() > 1 {
                now.push_str(&format!(" (+{} more)", self.current.len() - 1));
            }
            parts.push(now);
        }
        if let Some(next) = self.next() {
            parts.push(format!(
                "{} in {}",
                title(next.event),
                duration(next.starts_in_minutes)
            ));
        }
        if parts.is_empty() {
            NOTHING.to_owned()
        } else {
            parts.join(" · ")
        }
    }

    /// `ongoing` while a meeting runs, `soon` when the next starts within
    /// [`SOON_MINUTES`], else `idle`.
    pub fn class(&self) -> &'static str {
        if !self.current.is_empty() {
            "ongoing"
        } else if self
            .next()
            .is_some_and(|n| n.starts_in_minutes <= SOON_MINUTES)
        {
            "soon"
        } else {
            "idle"
        }
    }

    /// The JSON contract: `{current: [event…], next: event|null}`, each event the fields of
    /// `upcoming --json` plus `starts_in_minutes` and `ends_in_minutes`. Text stays exact.
    pub fn json(&self) -> String {
        let value = NextJson {
            current: &self.current,
            next: self.next(),
        };
        serde_json::to_string_pretty(&value).unwrap_or_else(|_| "null".into())
    }

    /// Waybar's one-line JSON. Waybar reads `text` and `tooltip` as Pango markup, so outside
    /// text is made inert twice: [`calbuddy_engine::text::one_line`] for controls and line breaks, then `&<>` escaped.
    pub fn waybar<Tz: TimeZone>(&self, zone: &Tz) -> String
    where
        Tz::Offset: std::fmt::Display,
    {
        let tooltip = self
            .current
            .iter()
            .chain(&self.ahead)
            .take(TOOLTIP_EVENTS)
            .map(|t| {
                let (s, e) = (t.start.with_timezone(zone), t.end.with_timezone(zone));
                let mark = if t.start <= self.now { "now " } else { "" };
                format!(
                    "{mark}{}–{} {}",
                    s.format("%H:%M"),
                    e.format("%H:%M"),
                    title(t.event)
                )
            })
            .collect::<Vec<_>>();
        let tooltip = if tooltip.is_empty() {
            NOTHING.to_owned()
        } else {
            tooltip.join("\n")
        };
        let class = self.class();
        let value = Waybar {
            text: markup_escape(&self.line()),
            tooltip: markup_escape(&tooltip),
            class,
            alt: class,
        };
        serde_json::to_string(&value).unwrap_or_else(|_| "{}".into())
    }
}

/// "12 min", "1 h", "2 h 5 min".
fn duration(minutes: i64) -> String {
    let minutes = minutes.max(0);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Whole minutes from `now` to `t`, rounded up (negative when `t` is past).
fn minutes_until(now: DateTime<Utc>, t: DateTime<Utc>) -> i64 {
    let seconds = (t - now).num_seconds();
    seconds.div_euclid(60) + i64::from(seconds.rem_euclid(60) > 0)
}

fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Pango markup's special characters as entities, so event text is shown, not interpreted.
fn markup_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-12-01T12:00:00Z".parse().unwrap()
    }

    fn at(minutes: i64) -> String {
        (now() + Duration::minutes(minutes)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    fn event(title: &str, from: i64, to: i64) -> EventView {
        EventView {
            id: title.into(),
            account_id: 1,
            calendar_id: 1,
            calendar_name: "Work".into(),
            calendar_color: None,
            provider: "demo".into(),
            external_id: title.into(),
            title: title.into(),
            description: None,
            location: None,
            start: at(from),
            end: at(to),
            all_day: false,
            recurring: false,
            status: "confirmed".into(),
            my_response: None,
            meeting_url: None,
            details: Default::default(),
            also_in: Vec::new(),
            sort_key: 0,
        }
    }

    fn all_day(title: &str) -> EventView {
        EventView {
            start: "2026-12-01".into(),
            end: "2026-12-02".into(),
            all_day: true,
            ..event(title, 0, 0)
        }
    }

    #[test]
    fn a_meeting_under_way_and_the_next_one_share_the_line() {
        let events = [
            event("Design review", 40, 100),
            all_day("Holiday"),
            event("Stand-up", -3, 12),
        ];
        let next = NextUp::new(&events, now());
        assert_eq!(
            next.line(),
            "Now: Stand-up, 12 min left · Design review in 40 min"
        );
        assert_eq!(next.class(), "ongoing");
    }

    #[test]
    fn only_ahead_only_now_or_nothing() {
        let ahead = [event("Design review", 40, 100)];
        let next = NextUp::new(&ahead, now());
        assert_eq!(next.line(), "Design review in 40 min");
        assert_eq!(next.class(), "idle");
        let soon = [event("1:1", 15, 45)];
        assert_eq!(NextUp::new(&soon, now()).class(), "soon");
        let later = [event("1:1", 16, 45)];
        assert_eq!(NextUp::new(&later, now()).class(), "idle");
        let long = [event("Offsite", -10, 125)];
        assert_eq!(
            NextUp::new(&long, now()).line(),
            "Now: Offsite, 2 h 5 min left"
        );
        let over = [event("Earlier", -60, 0), all_day("Holiday")];
        let next = NextUp::new(&over, now());
        assert_eq!(next.line(), NOTHING);
        assert_eq!(next.class(), "idle");
    }

    #[test]
    fn overlapping_meetings_name_the_one_ending_first() {
        let events = [event("Long", -30, 90), event("Short", -5, 10)];
        assert_eq!(
            NextUp::new(&events, now()).line(),
            "Now: Short, 10 min left (+1 more)"
        );
    }

    #[test]
    fn minutes_round_up() {
        let t = now() + Duration::seconds(30);
        assert_eq!(minutes_until(now(), t), 1);
        assert_eq!(minutes_until(now(), now()), 0);
        assert_eq!(minutes_until(now(), now() - Duration::seconds(90)), -1);
    }

    #[test]
    fn json_has_current_next_and_minutes_with_exact_text() {
        let events = [event("Stand-up", -3, 12), event("<b>Review</b>\n", 40, 100)];
        let value: serde_json::Value =
            serde_json::from_str(&NextUp::new(&events, now()).json()).unwrap();
        assert_eq!(value["current"][0]["title"], "Stand-up");
        assert_eq!(value["current"][0]["starts_in_minutes"], -3);
        assert_eq!(value["current"][0]["ends_in_minutes"], 12);
        assert_eq!(value["next"]["title"], "<b>Review</b>\n");
        assert_eq!(value["next"]["starts_in_minutes"], 40);
        assert!(value["next"].get("calendar_name").is_some());
        let none: serde_json::Value =
            serde_json::from_str(&NextUp::new(&[], now()).json()).unwrap();
        assert_eq!(none, serde_json::json!({"current": [], "next": null}));
    }

    #[test]
    fn waybar_text_is_inert_markup_and_the_tooltip_lists_what_is_ahead() {
        let events = [
            event("<span>A & B</span>\x1b[31m", 5, 30),
            event("", 60, 90),
        ];
        let value: serde_json::Value =
            serde_json::from_str(&NextUp::new(&events, now()).waybar(&Utc)).unwrap();
        let text = value["text"].as_str().unwrap();
        assert!(!text.contains('<') && !text.contains('\x1b'), "{text}");
        assert!(text.starts_with("&lt;span&gt;A &amp; B"), "{text}");
        assert_eq!(value["class"], "soon");
        assert_eq!(value["alt"], "soon");
        let tooltip = value["tooltip"].as_str().unwrap();
        assert_eq!(tooltip.lines().count(), 2, "{tooltip}");
        assert!(tooltip.ends_with("13:00–13:30 (No title)"), "{tooltip}");
    }
}
