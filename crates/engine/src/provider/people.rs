//! The people, web link and reminder times of an event, cleaned the same way for every
//! provider: names and addresses on one line and capped, at most [`MAX_ATTENDEES`] attendees
//! (the rest counted), only `http`/`https` links, and at most [`MAX_REMINDERS`] reminder lead
//! times of at most four weeks. Providers read their own wire shapes and hand the raw values
//! here.

use crate::model::{Attendee, Person};
use crate::provider::fields::{capped, MAX_URL};
use crate::text::one_line;

/// The most attendees kept per event; an all-hands invitation with thousands says nothing more
/// in a details pane, and every row of them is written on each sync.
pub const MAX_ATTENDEES: usize = 200;
/// The most bytes kept of a person's name.
pub const MAX_NAME: usize = 256;
/// The most bytes of an e-mail address (RFC 5321 §4.5.3.1.3 allows 254); longer is not one.
pub const MAX_EMAIL: usize = 320;
/// The most reminder lead times kept per event.
pub const MAX_REMINDERS: usize = 5;
/// The longest reminder lead time kept: four weeks, in minutes (Google's own limit).
pub const MAX_REMINDER_MINUTES: u32 = 4 * 7 * 24 * 60;

/// A name as shown: one line, capped; `None` when nothing is left.
pub fn name(raw: Option<&str>) -> Option<String> {
    let text = one_line(raw?);
    (!text.is_empty()).then(|| capped(text, MAX_NAME))
}

/// An e-mail address: `mailto:` (any case) taken off, one line, no spaces; `None` when it is
/// empty, too long or not an address (no `@`).
pub fn email(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    let bare = match raw.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => &raw[7..],
        _ => raw,
    };
    let text = one_line(bare);
    let ok = text.len() <= MAX_EMAIL && text.contains('@') && !text.contains(' ');
    ok.then_some(text)
}

/// An iCalendar UID kept exactly (it is compared between calendars, so it is never cut or
/// rewritten): `None` when it is empty, longer than [`MAX_UID`] or holds control characters.
pub fn uid(raw: Option<&str>) -> Option<String> {
    let uid = raw?.trim();
    let ok = !uid.is_empty() && uid.len() <= MAX_UID && !uid.chars().any(char::is_control);
    ok.then(|| uid.to_owned())
}

/// The longest UID kept (RFC 5545 sets none; real ones are well under 300 bytes).
pub const MAX_UID: usize = 1024;

/// A person from a raw name and address; `None` when neither is usable.
pub fn person(raw_name: Option<&str>, raw_email: Option<&str>) -> Option<Person> {
    let (name, email) = (name(raw_name), email(raw_email));
    (name.is_some() || email.is_some()).then_some(Person { name, email })
}

/// Whether `address` is the account's own, compared as e-mail addresses are (case-blind).
pub fn is_own(address: Option<&str>, own: Option<&str>) -> bool {
    matches!((address, own), (Some(a), Some(o)) if a.eq_ignore_ascii_case(o))
}

/// Attendees collected up to [`MAX_ATTENDEES`]; the rest only counted.
#[derive(Debug, Default)]
pub struct Attendees {
    kept: Vec<Attendee>,
    omitted: u32,
}

impl Attendees {
    /// Adds one attendee (its texts cleaned here), or counts it when the list is full. One
    /// with neither a name nor an address is dropped.
    pub fn push(&mut self, mut attendee: Attendee) {
        if self.kept.len() >= MAX_ATTENDEES {
            self.omitted = self.omitted.saturating_add(1);
            return;
        }
        attendee.name = name(attendee.name.as_deref());
        attendee.email = email(attendee.email.as_deref());
        if attendee.name.is_some() || attendee.email.is_some() {
            self.kept.push(attendee);
        }
    }

    /// The kept attendees and how many more there were.
    pub fn finish(self) -> (Vec<Attendee>, u32) {
        (self.kept, self.omitted)
    }
}

/// An `http`/`https` URL short enough to be real, trimmed; anything else (`javascript:`,
/// `file:`, a URL with spaces or control characters in it) is `None`.
pub fn http_url(raw: Option<&str>) -> Option<String> {
    let url = raw?.trim();
    let scheme_ok = ["https://", "http://"].iter().any(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    });
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (scheme_ok && clean && url.len() <= MAX_URL && url.len() > "https://".len())
        .then(|| url.to_owned())
}

/// Reminder lead times as kept: those of at most four weeks, without repeats, largest first,
/// at most [`MAX_REMINDERS`].
pub fn reminder_minutes(raw: impl IntoIterator<Item = i64>) -> Vec<u32> {
    let mut minutes: Vec<u32> = raw
        .into_iter()
        .filter_map(|m| u32::try_from(m).ok())
        .filter(|&m| m <= MAX_REMINDER_MINUTES)
        .collect();
    minutes.sort_unstable_by(|a, b| b.cmp(a));
    minutes.dedup();
    minutes.truncate(MAX_REMINDERS);
    minutes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_addresses_are_one_line_capped_and_real() {
        assert_eq!(
            name(Some(" Ann\u{1b}[31m\nLee\u{202e} ")).as_deref(),
            Some("Ann Lee")
        );
        assert_eq!(name(Some("\u{7}\n")), None);
        assert!(name(Some(&"x".repeat(5000))).unwrap().len() <= MAX_NAME);
        assert_eq!(
            email(Some("MAILTO:ann@example.com")).as_deref(),
            Some("ann@example.com")
        );
        assert_eq!(email(Some("not an address")), None);
        assert_eq!(email(Some(&format!("{}@x", "a".repeat(400)))), None);
        assert_eq!(person(None, Some("urn:uuid:1")), None);
        assert_eq!(
            uid(Some(" abc@google.com ")).as_deref(),
            Some("abc@google.com")
        );
        assert_eq!(uid(Some("a\u{0}b")), None);
        assert_eq!(uid(Some(&"u".repeat(MAX_UID + 1))), None);
        assert!(is_own(Some("Ann@Example.com"), Some("ann@example.com")));
        assert!(!is_own(Some("ann@example.com"), None));
    }

    #[test]
    fn attendees_past_the_cap_are_counted_not_kept() {
        let mut list = Attendees::default();
        for i in 0..1000 {
            list.push(Attendee {
                email: Some(format!("p{i}@example.com")),
                ..Attendee::default()
            });
        }
        list.push(Attendee::default());
        let (kept, omitted) = list.finish();
        assert_eq!(kept.len(), MAX_ATTENDEES);
        assert_eq!(omitted, 801);
    }

    #[test]
    fn only_web_links_are_kept() {
        assert_eq!(
            http_url(Some(" https://calendar.google.com/event?eid=1 ")).as_deref(),
            Some("https://calendar.google.com/event?eid=1")
        );
        assert!(http_url(Some("HTTP://example.com/x")).is_some());
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://",
            "https://a b",
            "https://a\u{7}b",
            "data:text/html,x",
        ] {
            assert_eq!(http_url(Some(bad)), None, "{bad}");
        }
        assert_eq!(
            http_url(Some(&format!("https://{}", "a".repeat(MAX_URL)))),
            None
        );
    }

    #[test]
    fn reminder_times_are_bounded_deduplicated_and_largest_first() {
        assert_eq!(reminder_minutes([10, 0, 10, 30]), [30, 10, 0]);
        assert_eq!(reminder_minutes([-5, 50_000, 40_320]), [40_320]);
        assert_eq!(reminder_minutes(1..=100), [100, 99, 98, 97, 96]);
        assert!(reminder_minutes([]).is_empty());
    }
}
