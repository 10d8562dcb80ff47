//! Expansion in every kind of zone a calendar can name: Windows names, VTIMEZONE-defined
//! zones, and a DTEND in another zone than DTSTART.

use super::*;
use crate::zones::tests::custom_definitions;

fn timed(s: &str, tz: &str) -> EventTime {
    EventTime::DateTime {
        utc: s.parse().unwrap(),
        tz: Some(tz.into()),
    }
}

fn window(start: &str, end: &str) -> SyncWindow {
    SyncWindow {
        start: start.parse().unwrap(),
        end: end.parse().unwrap(),
    }
}

fn expand_with(
    start: &EventTime,
    end: &EventTime,
    rules: &[&str],
    zones: &ZoneDefinitions,
    w: SyncWindow,
) -> Result<Vec<Instance>, RecurrenceError> {
    let recurrence: Vec<String> = rules.iter().map(|s| s.to_string()).collect();
    expand(
        &Series {
            start,
            end,
            recurrence: &recurrence,
            zones,
        },
        w,
    )
}

fn starts(instances: &[Instance]) -> Vec<String> {
    instances.iter().map(|i| i.start.to_wire()).collect()
}

fn ends(instances: &[Instance]) -> Vec<String> {
    instances.iter().map(|i| i.end.to_wire()).collect()
}

/// Monday 09:00-10:00 Berlin time from 2026-03-16, across the spring change on 2026-03-29.
const BERLIN_WEEKLY: [&str; 4] = [
    "2026-03-16T08:00:00Z",
    "2026-03-23T08:00:00Z",
    "2026-03-30T07:00:00Z",
    "2026-04-06T07:00:00Z",
];

#[test]
fn a_windows_named_series_keeps_its_wall_clock_time_across_dst() {
    let zone = "W. Europe Standard Time";
    let got = expand_with(
        &timed("2026-03-16T08:00:00Z", zone),
        &timed("2026-03-16T09:00:00Z", zone),
        &[
            "RRULE:FREQ=WEEKLY;BYDAY=MO",
            "EXDATE;TZID=W. Europe Standard Time:20260413T090000",
        ],
        &ZoneDefinitions::default(),
        window("2026-03-01T00:00:00Z", "2026-04-14T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(starts(&got), BERLIN_WEEKLY);
    assert_eq!(ends(&got)[2], "2026-03-30T08:00:00Z");
    assert!(got
        .iter()
        .all(|i| matches!(&i.start, EventTime::DateTime { tz: Some(z), .. } if z == zone)));
}

#[test]
fn a_vtimezone_defined_series_follows_its_rules() {
    let zone = "Custom/Berlin";
    let start = timed("2026-03-16T08:00:00Z", zone);
    let end = timed("2026-03-16T09:00:00Z", zone);
    let w = window("2026-03-01T00:00:00Z", "2026-04-10T00:00:00Z");
    let rules = ["RRULE:FREQ=WEEKLY;BYDAY=MO"];
    let got = expand_with(&start, &end, &rules, &custom_definitions(), w).unwrap();
    assert_eq!(starts(&got), BERLIN_WEEKLY);

    // The same series over a year equals the one in Europe/Berlin, both DST changes included.
    let year = window("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
    let custom = expand_with(&start, &end, &rules, &custom_definitions(), year).unwrap();
    let iana = expand_with(
        &timed("2026-03-16T08:00:00Z", "Europe/Berlin"),
        &timed("2026-03-16T09:00:00Z", "Europe/Berlin"),
        &rules,
        &ZoneDefinitions::default(),
        year,
    )
    .unwrap();
    assert_eq!(starts(&custom), starts(&iana));
    assert_eq!(ends(&custom), ends(&iana));

    // Without the calendar's definition the zone is unknown.
    assert_eq!(
        expand_with(&start, &end, &rules, &ZoneDefinitions::default(), w),
        Err(RecurrenceError::UnknownTimeZone(zone.into()))
    );
}

#[test]
fn exdates_and_rdates_in_a_defined_zone() {
    let start = timed("2026-03-16T08:00:00Z", "Europe/Berlin");
    let end = timed("2026-03-16T09:00:00Z", "Europe/Berlin");
    let got = expand_with(
        &start,
        &end,
        &[
            "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4",
            // 09:00 in the calendar's own Berlin: the first summer-time Monday.
            "EXDATE;TZID=Custom/Berlin:20260330T090000",
            "RDATE;TZID=Custom/Berlin:20260401T120000",
        ],
        &custom_definitions(),
        window("2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        [
            "2026-03-16T08:00:00Z",
            "2026-03-23T08:00:00Z",
            "2026-04-01T10:00:00Z",
            "2026-04-06T07:00:00Z"
        ]
    );
}

#[test]
fn a_dtend_in_another_zone_keeps_its_zone_and_the_exact_duration() {
    // Daily 01:00 New York to 00:00 Los Angeles (03:00 New York): two hours. On 2026-03-08
    // New York springs forward at 02:00, so the wall clock shows 01:00 EST to 04:00 EDT; an
    // end kept at the New York wall-clock duration would be an hour short.
    let got = expand_with(
        &timed("2026-03-07T06:00:00Z", "America/New_York"),
        &timed("2026-03-07T08:00:00Z", "America/Los_Angeles"),
        &["RRULE:FREQ=DAILY;COUNT=3"],
        &ZoneDefinitions::default(),
        window("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        [
            "2026-03-07T06:00:00Z",
            "2026-03-08T06:00:00Z",
            "2026-03-09T05:00:00Z"
        ]
    );
    assert_eq!(
        ends(&got),
        [
            "2026-03-07T08:00:00Z",
            "2026-03-08T08:00:00Z",
            "2026-03-09T07:00:00Z"
        ]
    );
    for instance in &got {
        assert!(
            matches!(&instance.start, EventTime::DateTime { tz: Some(z), .. } if z == "America/New_York")
        );
        assert!(
            matches!(&instance.end, EventTime::DateTime { tz: Some(z), .. } if z == "America/Los_Angeles")
        );
    }
}

#[test]
fn a_dtend_in_the_series_zone_keeps_the_wall_clock_duration() {
    // The same series with both ends in New York ends at 03:00 local every day (as Google
    // shows it), so the night of the change is an hour shorter.
    let got = expand_with(
        &timed("2026-03-07T06:00:00Z", "America/New_York"),
        &timed("2026-03-07T08:00:00Z", "America/New_York"),
        &["RRULE:FREQ=DAILY;COUNT=2"],
        &ZoneDefinitions::default(),
        window("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(ends(&got), ["2026-03-07T08:00:00Z", "2026-03-08T07:00:00Z"]);
}

#[test]
fn a_floating_series_keeps_its_wall_clock_time_and_stays_floating() {
    let wall = |s: &str| {
        EventTime::Floating(chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap())
    };
    let got = expand_with(
        &wall("2026-03-16T09:00"),
        &wall("2026-03-16T10:00"),
        &["RRULE:FREQ=WEEKLY;BYDAY=MO", "EXDATE:20260323T090000"],
        &ZoneDefinitions::default(),
        window("2026-03-01T00:00:00Z", "2026-04-07T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        [
            "2026-03-16T09:00:00",
            "2026-03-30T09:00:00",
            "2026-04-06T09:00:00"
        ]
    );
    assert_eq!(ends(&got)[1], "2026-03-30T10:00:00");
    assert!(got.iter().all(|i| i.original_start == i.start));

    // A floating start with a zoned end is not a series.
    assert!(matches!(
        expand_with(
            &wall("2026-03-16T09:00"),
            &timed("2026-03-16T09:00:00Z", "Europe/Berlin"),
            &["RRULE:FREQ=WEEKLY"],
            &ZoneDefinitions::default(),
            window("2026-03-01T00:00:00Z", "2026-04-07T00:00:00Z"),
        ),
        Err(RecurrenceError::InvalidSeries(_))
    ));
}
