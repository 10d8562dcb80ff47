//! The event listing for people: events under day headings in a given time zone, with what is
//! happening now marked. An event that began before the first listed day (still running, or
//! reaching into the span asked for) is shown under that first day, saying when it began.

use calbuddy_engine::store::EventView;
use calbuddy_engine::text::one_line;
use calbuddy_engine::time_format::HourCycle;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// Where and when a listing is read: `now`, the first day listed, the reader's zone, and how
/// clock times are written (the tray's rule: `general.time_format`, else the locale).
pub struct Listing<'a, Tz: TimeZone> {
    pub now: DateTime<Utc>,
    pub first_day: NaiveDate,
    pub zone: &'a Tz,
    pub hours: HourCycle,
}

impl<Tz: TimeZone> Listing<'_, Tz>
where
    Tz::Offset: std::fmt::Display,
{
    /// The listing as text, one line per event (plus one for a location or a meeting link).
    /// Outside text is made safe for a terminal.
    pub fn text(&self, events: &[EventView]) -> String {
        if events.is_empty() {
            return "Nothing coming up.\n".into();
        }
        let today = self.now.with_timezone(self.zone).date_naive();
        // The time column fits a same-day span ("09:00–10:00", "11:50 PM–12:30 AM"); the
        // lines under an event start where its title does.
        let width = match self.hours {
            HourCycle::H24 => 13,
            HourCycle::H12 => 17,
        };
        let indent = " ".repeat(width + 7);
        let mut text = String::new();
        let mut current_day: Option<NaiveDate> = None;
        for e in events {
            let began = self.start_day(e);
            let day = began.map_or(self.first_day, |d| d.max(self.first_day));
            if current_day != Some(day) {
                current_day = Some(day);
                text.push_str(&format!("{}\n", day_heading(day, today)));
            }
            let mark = if self.is_ongoing(e) { "now" } else { "   " };
            let when = self.time_span(e);
            text.push_str(&format!("  {mark} {when:<width$} {}", title(e)));
            let mut extras = vec![calendars(e)];
            if e.my_response.as_deref() == Some("declined") {
                extras.push("declined".into());
            }
            if began.is_some_and(|b| b < day) {
                extras.push(format!("since {}", self.began(e)));
            }
            text.push_str(&format!("  · {}\n", extras.join(" · ")));
            let location = e
                .location
                .as_deref()
                .filter(|l| Some(*l) != e.meeting_url.as_deref())
                .map(one_line)
                .filter(|l| !l.is_empty());
            if let Some(location) = location {
                text.push_str(&format!("{indent}at {location}\n"));
            }
            if let Some(url) = e.meeting_url.as_deref().map(one_line) {
                text.push_str(&format!("{indent}join {url}\n"));
            }
        }
        text
    }

    fn local(&self, t: DateTime<Utc>) -> DateTime<Tz> {
        t.with_timezone(self.zone)
    }

    fn clock(&self, t: &DateTime<Tz>) -> String {
        self.hours.time(t.time())
    }

    /// The local day an event starts on, if its start can be read.
    fn start_day(&self, e: &EventView) -> Option<NaiveDate> {
        if e.all_day {
            return e.start.parse().ok();
        }
        parse_utc(&e.start).map(|t| self.local(t).date_naive())
    }

    /// When an event began, for one that began before the day it is listed under.
    fn began(&self, e: &EventView) -> String {
        match parse_utc(&e.start) {
            Some(t) if !e.all_day => {
                let t = self.local(t);
                format!("{} {}", t.format("%a"), self.clock(&t))
            }
            _ => self
                .start_day(e)
                .map(|d| d.format("%a %d %b").to_string())
                .unwrap_or_default(),
        }
    }

    fn is_ongoing(&self, e: &EventView) -> bool {
        if e.all_day {
            let today = self.local(self.now).date_naive();
            let (start, end) = (e.start.parse::<NaiveDate>(), e.end.parse::<NaiveDate>());
            return matches!((start, end), (Ok(s), Ok(en)) if s <= today && today < en);
        }
        matches!((parse_utc(&e.start), parse_utc(&e.end)),
            (Some(s), Some(en)) if s <= self.now && self.now < en)
    }

    fn time_span(&self, e: &EventView) -> String {
        if e.all_day {
            let days = match (e.start.parse::<NaiveDate>(), e.end.parse::<NaiveDate>()) {
                (Ok(s), Ok(en)) => (en - s).num_days(),
                _ => 1,
            };
            return if days > 1 {
                format!("all day ({days}d)")
            } else {
                "all day".into()
            };
        }
        match (parse_utc(&e.start), parse_utc(&e.end)) {
            (Some(s), Some(en)) => {
                let (s, en) = (self.local(s), self.local(en));
                if s.date_naive() == en.date_naive() {
                    format!("{}–{}", self.clock(&s), self.clock(&en))
                } else {
                    format!("{}–{} {}", self.clock(&s), en.format("%a"), self.clock(&en))
                }
            }
            _ => String::new(),
        }
    }
}

/// The calendar an event is listed from, and the others the same meeting is in:
/// "Home (also in Work, Team)". Names are inert.
fn calendars(e: &EventView) -> String {
    let shown = one_line(&e.calendar_name);
    if e.also_in.is_empty() {
        return shown;
    }
    let others: Vec<String> = e
        .also_in
        .iter()
        .map(|a| one_line(&a.calendar_name))
        .collect();
    format!("{shown} (also in {})", others.join(", "))
}

/// An event's title for people: inert, and "(No title)" when it has none.
pub fn title(e: &EventView) -> String {
    let text = one_line(&e.title);
    if text.trim().is_empty() {
        "(No title)".to_owned()
    } else {
        text
    }
}

fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn day_heading(day: NaiveDate, today: NaiveDate) -> String {
    let label = day.format("%a %d %b").to_string();
    match (day - today).num_days() {
        0 => format!("Today, {label}"),
        1 => format!("Tomorrow, {label}"),
        _ => label,
    }
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;

    use super::*;

    fn event(title: &str, start: &str, end: &str, all_day: bool) -> EventView {
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
            start: start.into(),
            end: end.into(),
            all_day,
            recurring: false,
            status: "confirmed".into(),
            my_response: None,
            meeting_url: None,
            details: Default::default(),
            also_in: Vec::new(),
            sort_key: 0,
        }
    }

    /// Monday 2026-11-30, 10:00 at UTC-5.
    fn listing(zone: &FixedOffset) -> Listing<'_, FixedOffset> {
        Listing {
            now: "2026-11-30T15:00:00Z".parse().unwrap(),
            first_day: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            zone,
            hours: HourCycle::H24,
        }
    }

    #[test]
    fn an_ongoing_event_from_yesterday_is_listed_today_saying_when_it_began() {
        let zone = FixedOffset::west_opt(5 * 3600).unwrap();
        // Sunday 23:00 to Monday 11:00 local.
        let night = event(
            "Night shift",
            "2026-11-30T04:00:00Z",
            "2026-11-30T16:00:00Z",
            false,
        );
        let conference = event("Conference", "2026-11-29", "2026-12-02", true);
        let later = event(
            "Lunch",
            "2026-11-30T17:00:00Z",
            "2026-11-30T18:00:00Z",
            false,
        );
        let text = listing(&zone).text(&[conference, night, later]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Today, Mon 30 Nov", "{text}");
        assert!(lines[1].contains("now all day (3d)"), "{text}");
        assert!(
            lines[1].ends_with("Conference  · Work · since Sun 29 Nov"),
            "{text}"
        );
        assert!(lines[2].contains("now 23:00–Mon 11:00"), "{text}");
        assert!(
            lines[2].ends_with("Night shift  · Work · since Sun 23:00"),
            "{text}"
        );
        assert!(
            lines[3].contains("12:00–13:00") && !lines[3].contains("since"),
            "{text}"
        );
        assert_eq!(lines.len(), 4, "{text}");
    }

    #[test]
    fn a_merged_meeting_names_the_other_calendars_it_is_in() {
        let mut review = event(
            "Review",
            "2026-12-01T15:00:00Z",
            "2026-12-01T16:00:00Z",
            false,
        );
        review.also_in = ["Home", "Team\u{1b}[31m\n"]
            .iter()
            .enumerate()
            .map(|(i, name)| calbuddy_engine::store::AlsoIn {
                calendar_id: i as i64 + 2,
                calendar_name: (*name).into(),
                calendar_color: None,
                account_id: 2,
            })
            .collect();
        let listing = Listing {
            now: "2026-12-01T12:00:00Z".parse().unwrap(),
            first_day: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            zone: &Utc,
            hours: HourCycle::H24,
        };
        let text = listing.text(&[review]);
        assert!(
            text.contains("Review  · Work (also in Home, Team)\n"),
            "{text:?}"
        );
    }

    #[test]
    fn an_untitled_event_is_no_title() {
        let blank = event(" \n", "2026-12-01T15:00:00Z", "2026-12-01T16:00:00Z", false);
        let listing = Listing {
            now: "2026-12-01T12:00:00Z".parse().unwrap(),
            first_day: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            zone: &Utc,
            hours: HourCycle::H24,
        };
        let text = listing.text(&[blank]);
        assert!(text.contains("15:00–16:00   (No title)  · Work"), "{text}");
    }

    #[test]
    fn events_are_grouped_by_local_day_not_utc_day() {
        // 23:30 Monday at UTC-5 is 04:30 Tuesday in UTC.
        let zone = FixedOffset::west_opt(5 * 3600).unwrap();
        let late = event(
            "Late",
            "2026-12-01T04:30:00Z",
            "2026-12-01T05:00:00Z",
            false,
        );
        let next = event(
            "Next",
            "2026-12-01T15:00:00Z",
            "2026-12-01T16:00:00Z",
            false,
        );
        let text = listing(&zone).text(&[late, next]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Today, Mon 30 Nov", "{text}");
        assert!(lines[1].contains("23:30–00:00") || lines[1].contains("23:30–Tue 00:00"));
        assert_eq!(lines[2], "Tomorrow, Tue 01 Dec", "{text}");
    }

    #[test]
    fn a_listing_from_a_later_day_puts_earlier_starts_under_that_day() {
        let zone = FixedOffset::east_opt(0).unwrap();
        let mut listing = listing(&zone);
        listing.first_day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let trip = event("Trip", "2026-12-01", "2026-12-05", true);
        let text = listing.text(&[trip]);
        assert_eq!(text.lines().next(), Some("Thu 03 Dec"), "{text}");
        assert!(text.contains("Trip  · Work · since Tue 01 Dec"), "{text}");
        assert!(!text.contains("now"), "{text}");
    }

    #[test]
    fn times_follow_the_hour_cycle_and_the_columns_stay_aligned() {
        let zone = FixedOffset::west_opt(5 * 3600).unwrap();
        let night = event(
            "Night shift",
            "2026-11-30T04:00:00Z",
            "2026-11-30T16:00:00Z",
            false,
        );
        let mut lunch = event(
            "Lunch",
            "2026-11-30T17:00:00Z",
            "2026-11-30T18:30:00Z",
            false,
        );
        lunch.location = Some("Canteen".into());
        let mut twelve = listing(&zone);
        twelve.hours = HourCycle::H12;
        let text = twelve.text(&[night.clone(), lunch.clone()]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].contains("now 11:00 PM–Mon 11:00 AM"), "{text}");
        assert!(lines[1].ends_with("· since Sun 11:00 PM"), "{text}");
        assert_eq!(lines[2], "      12:00 PM–1:30 PM  Lunch  · Work", "{text}");
        assert_eq!(lines[3], format!("{}at Canteen", " ".repeat(24)), "{text}");

        let text = listing(&zone).text(&[night, lunch]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].contains("now 23:00–Mon 11:00"), "{text}");
        assert_eq!(lines[2], "      12:00–13:30   Lunch  · Work", "{text}");
        assert_eq!(lines[3], format!("{}at Canteen", " ".repeat(20)), "{text}");
        assert!(!text.contains(" AM") && !text.contains(" PM"), "{text}");
    }
}
