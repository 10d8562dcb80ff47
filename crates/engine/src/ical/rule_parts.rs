//! Finds recurrence rules with a part RFC 5545 does not define (`UNTL=` for `UNTIL=`). calcard's
//! lenient parser drops such a part silently, so a misspelt end turns a bounded series into an
//! endless one; the raw lines are checked here instead, and the events they belong to are
//! refused (skipped with a warning) like any other bad RRULE.

use std::collections::HashMap;

/// The parts of RFC 5545 §3.3.10, and RSCALE and SKIP of RFC 7529.
const KNOWN_PARTS: &[&str] = &[
    "FREQ",
    "UNTIL",
    "COUNT",
    "INTERVAL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
    "RSCALE",
    "SKIP",
];

/// UID → the first unknown rule part of an `RRULE` or `EXRULE` in a VEVENT with that UID, in
/// the unfolded text (one content line per line). Events without a UID share the empty UID.
pub(crate) fn unknown_rule_parts(text: &str) -> HashMap<String, String> {
    let mut found = HashMap::new();
    // Within a VEVENT: its UID so far, and the unknown part seen so far (UID may come last).
    let mut event: Option<(String, Option<String>)> = None;
    for line in text.lines() {
        let (head, value) = line.split_once(':').unwrap_or((line, ""));
        let name = head.split(';').next().unwrap_or(head).trim();
        if name.eq_ignore_ascii_case("BEGIN") && value.trim().eq_ignore_ascii_case("VEVENT") {
            event = Some((String::new(), None));
        } else if name.eq_ignore_ascii_case("END") && value.trim().eq_ignore_ascii_case("VEVENT") {
            if let Some((uid, Some(part))) = event.take() {
                found.entry(uid).or_insert(part);
            }
        } else if let Some((uid, unknown)) = event.as_mut() {
            if name.eq_ignore_ascii_case("UID") {
                value.trim().clone_into(uid);
            } else if (name.eq_ignore_ascii_case("RRULE") || name.eq_ignore_ascii_case("EXRULE"))
                && unknown.is_none()
            {
                *unknown = first_unknown_part(value);
            }
        }
    }
    found
}

/// The name of the first part of a rule value that is neither known nor an extension (`X-`).
fn first_unknown_part(value: &str) -> Option<String> {
    value
        .split(';')
        .filter(|part| !part.trim().is_empty())
        .map(|part| part.split('=').next().unwrap_or(part).trim())
        .find(|name| {
            !(KNOWN_PARTS.iter().any(|k| k.eq_ignore_ascii_case(name))
                || name.len() > 2 && name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("X-")))
        })
        .map(super::short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_part_is_found_with_its_event() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nRRULE:FREQ=WEEKLY;UNTL=20200101T000000Z\n\
                    UID:bad\nEND:VEVENT\nBEGIN:VEVENT\nUID:good\n\
                    RRULE:FREQ=DAILY;UNTIL=20200101;BYDAY=MO;X-NAME=1\nEND:VEVENT\n\
                    BEGIN:VEVENT\nUID:ex\nEXRULE;X-P=1:FREQ=DAILY;COUNTT=2\nEND:VEVENT\n\
                    END:VCALENDAR\n";
        let found = unknown_rule_parts(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found["bad"], "UNTL");
        assert_eq!(found["ex"], "COUNTT");
    }

    #[test]
    fn a_part_that_starts_with_a_wide_character_is_unknown_not_a_panic() {
        assert_eq!(
            first_unknown_part("FREQ=DAILY;😀X=1").as_deref(),
            Some("😀X")
        );
        assert_eq!(first_unknown_part("é=1").as_deref(), Some("é"));
    }

    #[test]
    fn rules_outside_events_and_empty_parts_are_not_reported() {
        // A VTIMEZONE's observance rule, a trailing semicolon, lower case.
        let text = "BEGIN:VTIMEZONE\nBEGIN:STANDARD\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\n\
                    END:STANDARD\nEND:VTIMEZONE\nBEGIN:VEVENT\nUID:a\n\
                    rrule:freq=weekly;count=3;\nEND:VEVENT\n";
        assert!(unknown_rule_parts(text).is_empty());
    }
}
