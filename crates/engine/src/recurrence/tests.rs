//! Tests of recurrence expansion: RFC 5545 semantics, time zones, leniency and caps.

use chrono::TimeDelta;

use super::lines::{parse_duration, IcalTime};
use super::*;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .with_timezone(&Utc)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn timed(s: &str, tz: Option<&str>) -> EventTime {
    EventTime::DateTime {
        utc: utc(s),
        tz: tz.map(str::to_string),
    }
}

fn window(start: &str, end: &str) -> SyncWindow {
    SyncWindow {
        start: utc(start),
        end: utc(end),
    }
}

fn lines(rules: &[&str]) -> Vec<String> {
    rules.iter().map(|s| s.to_string()).collect()
}

fn run(
    start: &EventTime,
    end: &EventTime,
    rules: &[&str],
    w: SyncWindow,
) -> Result<Vec<Instance>, RecurrenceError> {
    let recurrence = lines(rules);
    expand(
        &Series {
            start,
            end,
            recurrence: &recurrence,
            zones: &ZoneDefinitions::default(),
        },
        w,
    )
}

/// Starts of the instances, as RFC 3339 UTC / dates.
fn starts(instances: &[Instance]) -> Vec<String> {
    instances.iter().map(|i| i.start.to_wire()).collect()
}

fn ends(instances: &[Instance]) -> Vec<String> {
    instances.iter().map(|i| i.end.to_wire()).collect()
}

const BERLIN: Option<&str> = Some("Europe/Berlin");
const NEW_YORK: Option<&str> = Some("America/New_York");

#[test]
fn weekly_berlin_keeps_local_time_across_both_dst_changes() {
    // Monday 09:00-10:00 Berlin. DST starts 2024-03-31 and ends 2024-10-27.
    let start = timed("2024-03-18T08:00:00Z", BERLIN);
    let end = timed("2024-03-18T09:00:00Z", BERLIN);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=WEEKLY;BYDAY=MO"],
        window("2024-03-18T00:00:00Z", "2024-04-09T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        [
            "2024-03-18T08:00:00Z",
            "2024-03-25T08:00:00Z",
            "2024-04-01T07:00:00Z",
            "2024-04-08T07:00:00Z"
        ]
    );
    assert_eq!(ends(&got)[2], "2024-04-01T08:00:00Z");
    for i in &got {
        assert_eq!(i.original_start, i.start);
        assert!(
            matches!(&i.start, EventTime::DateTime { tz: Some(z), .. } if z == "Europe/Berlin")
        );
    }

    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=WEEKLY;BYDAY=MO"],
        window("2024-10-21T00:00:00Z", "2024-11-05T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        [
            "2024-10-21T07:00:00Z",
            "2024-10-28T08:00:00Z",
            "2024-11-04T08:00:00Z"
        ]
    );
}

#[test]
fn weekly_new_york_across_dst_changes() {
    // Tuesday and Thursday 18:30-19:15 New York; DST 2024-03-10 .. 2024-11-03.
    let start = timed("2024-03-05T23:30:00Z", NEW_YORK);
    let end = timed("2024-03-06T00:15:00Z", NEW_YORK);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20241108T000000Z"],
        window("2024-03-05T00:00:00Z", "2024-03-13T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        [
            "2024-03-05T23:30:00Z",
            "2024-03-07T23:30:00Z",
            "2024-03-12T22:30:00Z"
        ]
    );
    assert_eq!(ends(&got)[2], "2024-03-12T23:15:00Z");
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20241108T000000Z"],
        window("2024-10-29T00:00:00Z", "2024-12-01T00:00:00Z"),
    )
    .unwrap();
    // Thursday 2024-11-07 18:30 EST is 23:30Z, before UNTIL (Nov 8 00:00Z).
    assert_eq!(
        starts(&got),
        [
            "2024-10-29T22:30:00Z",
            "2024-10-31T22:30:00Z",
            "2024-11-05T23:30:00Z",
            "2024-11-07T23:30:00Z"
        ]
    );
}

#[test]
fn far_window_is_reached_cheaply_and_correctly() {
    // Every other week since 2000; the window is 30 years on.
    let start = timed("2000-01-03T08:00:00Z", BERLIN); // Monday 09:00 CET
    let end = timed("2000-01-03T08:30:00Z", BERLIN);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=WEEKLY;INTERVAL=2"],
        window("2030-01-01T00:00:00Z", "2030-02-01T00:00:00Z"),
    )
    .unwrap();
    // 2030-01-07 is 1566 weeks after 2000-01-03: an even number, so it is an instance.
    assert_eq!(
        starts(&got),
        ["2030-01-07T08:00:00Z", "2030-01-21T08:00:00Z"]
    );
}

#[test]
fn all_day_daily_and_yearly() {
    let start = EventTime::Date(date("2024-01-01"));
    let end = EventTime::Date(date("2024-01-02"));
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=DAILY;COUNT=3"],
        window("2023-12-01T00:00:00Z", "2024-02-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(starts(&got), ["2024-01-01", "2024-01-02", "2024-01-03"]);
    assert_eq!(ends(&got), ["2024-01-02", "2024-01-03", "2024-01-04"]);
    assert_eq!(got[1].original_start, EventTime::Date(date("2024-01-02")));

    // A birthday on Feb 29 (two-day event), yearly: only leap years have it.
    let start = EventTime::Date(date("2024-02-29"));
    let end = EventTime::Date(date("2024-03-02"));
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=YEARLY"],
        window("2025-01-01T00:00:00Z", "2029-01-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(starts(&got), ["2028-02-29"]);
    assert_eq!(ends(&got), ["2028-03-02"]);
}

#[test]
fn all_day_window_has_a_day_of_slack() {
    let start = EventTime::Date(date("2024-01-01"));
    let end = EventTime::Date(date("2024-01-02"));
    // A window of one UTC day (2024-01-10): the 9th, 10th and 11th are kept (the 9th
    // still runs on the 10th in UTC-12, the 11th already in UTC+14), the 8th and 12th not.
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=DAILY"],
        window("2024-01-10T00:00:00Z", "2024-01-11T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(starts(&got), ["2024-01-09", "2024-01-10", "2024-01-11"]);
}

#[test]
fn exdate_in_every_form() {
    // Daily 09:00-09:30 Berlin (08:00Z in winter) from Monday 2024-01-08.
    let start = timed("2024-01-08T08:00:00Z", BERLIN);
    let end = timed("2024-01-08T08:30:00Z", BERLIN);
    let got = run(
        &start,
        &end,
        &[
            "RRULE:FREQ=DAILY;COUNT=8",
            "EXDATE;TZID=Europe/Berlin:20240109T090000",
            "EXDATE:20240110T080000Z",
            "EXDATE:20240111T090000", // floating: series zone
            "exdate;tzid=America/New_York:20240112T030000", // another zone, lower case
            "EXDATE;TZID=/mozilla.org/20070129_1/Europe/Berlin:20240113T090000,20240114T090000",
            "EXDATE;TZID=Europe/Berlin:20240115T100000", // matches nothing
        ],
        window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        ["2024-01-08T08:00:00Z", "2024-01-15T08:00:00Z"]
    );
}

#[test]
fn exdate_can_remove_dtstart() {
    let start = timed("2024-01-08T08:00:00Z", BERLIN);
    let end = timed("2024-01-08T08:30:00Z", BERLIN);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=DAILY;COUNT=2", "EXDATE:20240108T080000Z"],
        window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(starts(&got), ["2024-01-09T08:00:00Z"]);
}

#[test]
fn date_only_exdate_on_timed_series_removes_that_local_date() {
    // 23:30 Berlin is 22:30Z: the local date differs from the UTC one in summer... and
    // the instance on local 2024-01-09 is 2024-01-09T22:30Z.
    let start = timed("2024-01-08T22:30:00Z", BERLIN);
    let end = timed("2024-01-08T23:00:00Z", BERLIN);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=DAILY;COUNT=3", "EXDATE;VALUE=DATE:20240109"],
        window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        ["2024-01-08T22:30:00Z", "2024-01-10T22:30:00Z"]
    );

    // 00:30 Berlin on local 2024-01-10 is 2024-01-09T23:30Z: removed by the 10th.
    let start = timed("2024-01-08T23:30:00Z", BERLIN);
    let end = timed("2024-01-09T00:00:00Z", BERLIN);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=DAILY;COUNT=3", "EXDATE;VALUE=DATE:20240110"],
        window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        ["2024-01-08T23:30:00Z", "2024-01-10T23:30:00Z"]
    );
}

#[test]
fn all_day_exdate_date_and_datetime() {
    let start = EventTime::Date(date("2024-01-01"));
    let end = EventTime::Date(date("2024-01-02"));
    let got = run(
        &start,
        &end,
        &[
            "RRULE:FREQ=DAILY;COUNT=5",
            "EXDATE;VALUE=DATE:20240102",
            "EXDATE:20240104T000000Z",
        ],
        window("2023-12-01T00:00:00Z", "2024-02-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(starts(&got), ["2024-01-01", "2024-01-03", "2024-01-05"]);
}

#[test]
fn rdate_adds_instances_in_order_without_duplicates() {
    let start = timed("2024-01-08T08:00:00Z", BERLIN);
    let end = timed("2024-01-08T09:00:00Z", BERLIN);
    let got = run(
        &start,
        &end,
        &[
            "RRULE:FREQ=WEEKLY;COUNT=3",
            "RDATE;TZID=Europe/Berlin:20240110T140000,20240115T090000", // 2nd duplicates
            "RDATE:20240201T120000Z",
            "RDATE;VALUE=DATE:20240120", // at the series' 09:00
            "RDATE;VALUE=PERIOD:20240125T100000Z/PT30M", // own duration
            "RDATE;VALUE=PERIOD:20240126T100000Z/20240126T130000Z", // own end
        ],
        window("2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        [
            "2024-01-08T08:00:00Z",
            "2024-01-10T13:00:00Z",
            "2024-01-15T08:00:00Z",
            "2024-01-20T08:00:00Z",
            "2024-01-22T08:00:00Z",
            "2024-01-25T10:00:00Z",
            "2024-01-26T10:00:00Z",
            "2024-02-01T12:00:00Z"
        ]
    );
    assert_eq!(ends(&got)[1], "2024-01-10T14:00:00Z");
    assert_eq!(ends(&got)[5], "2024-01-25T10:30:00Z");
    assert_eq!(ends(&got)[6], "2024-01-26T13:00:00Z");
    assert_eq!(ends(&got)[7], "2024-02-01T13:00:00Z");
}

#[test]
fn exrule_removes_occurrences() {
    let start = timed("2024-01-01T09:00:00Z", None); // Monday, UTC series
    let end = timed("2024-01-01T10:00:00Z", None);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=DAILY;COUNT=7", "EXRULE:FREQ=WEEKLY;BYDAY=SA,SU"],
        window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(got.len(), 5);
    assert_eq!(starts(&got)[4], "2024-01-05T09:00:00Z");
    assert!(matches!(
        &got[0].start,
        EventTime::DateTime { tz: None, .. }
    ));
}

#[test]
fn count_includes_dtstart() {
    let start = timed("2024-01-01T09:00:00Z", None);
    let end = timed("2024-01-01T10:00:00Z", None);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=DAILY;COUNT=3"],
        window("2023-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        [
            "2024-01-01T09:00:00Z",
            "2024-01-02T09:00:00Z",
            "2024-01-03T09:00:00Z"
        ]
    );
}

#[test]
fn dtstart_not_matching_rule_is_first_instance_and_uses_up_one_count() {
    // DTSTART is a Wednesday; the rule says Mondays.
    let start = timed("2024-01-03T09:00:00Z", None);
    let end = timed("2024-01-03T10:00:00Z", None);
    let w = window("2023-01-01T00:00:00Z", "2025-01-01T00:00:00Z");
    let got = run(&start, &end, &["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3"], w).unwrap();
    assert_eq!(
        starts(&got),
        [
            "2024-01-03T09:00:00Z",
            "2024-01-08T09:00:00Z",
            "2024-01-15T09:00:00Z"
        ]
    );
    // Without COUNT it is still there, followed by the Mondays.
    let w = window("2023-01-01T00:00:00Z", "2024-01-10T00:00:00Z");
    let got = run(&start, &end, &["RRULE:FREQ=WEEKLY;BYDAY=MO"], w).unwrap();
    assert_eq!(
        starts(&got),
        ["2024-01-03T09:00:00Z", "2024-01-08T09:00:00Z"]
    );
}

#[test]
fn until_forms_are_compared_leniently() {
    // Daily 09:00 Berlin from 2024-01-08.
    let start = timed("2024-01-08T08:00:00Z", BERLIN);
    let end = timed("2024-01-08T09:00:00Z", BERLIN);
    let w = window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z");
    let last = |rule: &str| {
        let got = run(&start, &end, &[rule], w).unwrap();
        got.last().unwrap().start.to_wire()
    };
    // UTC UNTIL exactly at an instance: inclusive.
    assert_eq!(
        last("RRULE:FREQ=DAILY;UNTIL=20240110T080000Z"),
        "2024-01-10T08:00:00Z"
    );
    // DATE UNTIL on a timed series: the whole local date.
    assert_eq!(
        last("RRULE:FREQ=DAILY;UNTIL=20240110"),
        "2024-01-10T08:00:00Z"
    );
    // Floating UNTIL: wall-clock in the series zone (09:00 Berlin = the instance).
    assert_eq!(
        last("RRULE:FREQ=DAILY;UNTIL=20240110T090000"),
        "2024-01-10T08:00:00Z"
    );
    assert_eq!(
        last("RRULE:FREQ=DAILY;UNTIL=20240110T085959"),
        "2024-01-09T08:00:00Z"
    );
    // UNTIL before DTSTART: DTSTART only.
    assert_eq!(
        starts(
            &run(
                &start,
                &end,
                &["RRULE:FREQ=DAILY;UNTIL=20240101T000000Z"],
                w
            )
            .unwrap()
        ),
        ["2024-01-08T08:00:00Z"]
    );

    // All-day series: DATE UNTIL inclusive; a DATE-TIME UNTIL counts by its written date.
    let start = EventTime::Date(date("2024-01-01"));
    let end = EventTime::Date(date("2024-01-02"));
    for rule in [
        "RRULE:FREQ=DAILY;UNTIL=20240103",
        "RRULE:FREQ=DAILY;UNTIL=20240103T000000Z",
        "RRULE:FREQ=DAILY;UNTIL=20240103T235959",
    ] {
        let got = run(&start, &end, &[rule], w).unwrap();
        assert_eq!(
            starts(&got),
            ["2024-01-01", "2024-01-02", "2024-01-03"],
            "{rule}"
        );
    }
}

#[test]
fn bysetpos_last_weekday_of_month() {
    let start = timed("2024-01-31T16:00:00Z", NEW_YORK); // Wed 11:00 EST, last weekday
    let end = timed("2024-01-31T17:00:00Z", NEW_YORK);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"],
        window("2024-02-01T00:00:00Z", "2024-07-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        [
            "2024-02-29T16:00:00Z", // Thu
            "2024-03-29T15:00:00Z", // Fri, EDT
            "2024-04-30T15:00:00Z", // Tue
            "2024-05-31T15:00:00Z", // Fri
            "2024-06-28T15:00:00Z"  // Fri (30th is a Sunday)
        ]
    );
    // Far window: the rebased start must not change which day is picked.
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"],
        window("2031-08-01T00:00:00Z", "2031-09-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(starts(&got), ["2031-08-29T15:00:00Z"]);
}

#[test]
fn monthly_on_the_31st_skips_short_months_even_when_rebased() {
    let start = timed("2024-01-31T12:00:00Z", None);
    let end = timed("2024-01-31T13:00:00Z", None);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=MONTHLY"],
        window("2030-02-01T00:00:00Z", "2030-06-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        ["2030-03-31T12:00:00Z", "2030-05-31T12:00:00Z"]
    );
}

#[test]
fn dst_gap_local_time_takes_offset_before_the_gap() {
    // Daily 02:30 Berlin; 2024-03-31 02:30 does not exist (clocks jump 02:00 -> 03:00).
    let start = timed("2024-03-29T01:30:00Z", BERLIN);
    let end = timed("2024-03-29T02:30:00Z", BERLIN);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=DAILY"],
        window("2024-03-30T00:00:00Z", "2024-04-02T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        [
            "2024-03-30T01:30:00Z",
            "2024-03-31T01:30:00Z", // 02:30 at +01:00 = 03:30 CEST
            "2024-04-01T00:30:00Z"
        ]
    );
    // It keeps its hour: 03:30-04:30 CEST.
    assert_eq!(ends(&got)[1], "2024-03-31T02:30:00Z");
}

#[test]
fn dst_overlap_local_time_takes_first_occurrence() {
    // Daily 02:30 Berlin; 2024-10-27 02:30 happens twice: first at +02:00 (00:30Z).
    let start = timed("2024-10-25T00:30:00Z", BERLIN);
    let end = timed("2024-10-25T01:00:00Z", BERLIN);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=DAILY;COUNT=3"],
        window("2024-10-01T00:00:00Z", "2024-11-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(starts(&got)[2], "2024-10-27T00:30:00Z");
}

#[test]
fn unbounded_daily_rule_is_capped() {
    let start = timed("2024-01-01T09:00:00Z", None);
    let end = timed("2024-01-01T10:00:00Z", None);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=DAILY"],
        window("2024-01-01T00:00:00Z", "2034-01-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(got.len(), usize::from(MAX_INSTANCES_PER_SERIES));
    assert_eq!(got[0].start.to_wire(), "2024-01-01T09:00:00Z");
    assert_eq!(got[999].start.to_wire(), "2026-09-26T09:00:00Z");
}

#[test]
fn secondly_rule_is_capped_and_quick() {
    let start = timed("2020-01-01T00:00:00Z", None);
    let end = timed("2020-01-01T00:00:01Z", None);
    let begun = std::time::Instant::now();
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=SECONDLY"],
        window("2024-06-01T12:00:00Z", "2024-07-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(got.len(), usize::from(MAX_INSTANCES_PER_SERIES));
    assert_eq!(got[0].start.to_wire(), "2024-06-01T12:00:00Z");
    assert_eq!(got[999].start.to_wire(), "2024-06-01T12:16:39Z");
    // With a COUNT it is counted from DTSTART, and the scan budget stops it.
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=SECONDLY;COUNT=1000000000"],
        window("2024-06-01T12:00:00Z", "2024-07-01T00:00:00Z"),
    )
    .unwrap();
    assert!(got.is_empty());
    assert!(begun.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn too_many_rules_or_dates_is_an_error_found_before_expanding() {
    let start = timed("2026-01-05T09:00:00Z", BERLIN);
    let end = timed("2026-01-05T10:00:00Z", BERLIN);
    let w = window("2026-01-01T00:00:00Z", "2026-05-01T00:00:00Z");
    let rules: Vec<String> = (0..5000)
        .map(|i| format!("RRULE:FREQ=SECONDLY;BYSECOND={};COUNT=1000000", i % 60))
        .collect();
    let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
    assert_eq!(
        run(&start, &end, &rules, w),
        Err(RecurrenceError::TooLarge(
            "5000 RRULE/EXRULE lines, at most 10".into()
        ))
    );
    let ten: Vec<&str> = rules[..MAX_RULES_PER_SERIES].to_vec();
    assert!(run(&start, &end, &ten, w).is_ok());

    let dates = vec!["20260105T090000Z"; MAX_DATES_PER_SERIES + 1].join(",");
    let exdate = format!("EXDATE:{dates}");
    assert!(matches!(
        run(&start, &end, &["RRULE:FREQ=DAILY", &exdate], w),
        Err(RecurrenceError::TooLarge(_))
    ));
}

#[test]
fn a_rule_that_rarely_matches_stops_after_its_step_budget() {
    // Every second from 2000, counted (so not rebased), matching once a minute: it would
    // need 830 million seconds to reach the window.
    let start = timed("2000-01-01T00:00:00Z", None);
    let end = timed("2000-01-01T00:00:01Z", None);
    let series_lines = lines(&["RRULE:FREQ=SECONDLY;BYSECOND=0;COUNT=100000000"]);
    let got = expand_at_most(
        &Series {
            start: &start,
            end: &end,
            recurrence: &series_lines,
            zones: &ZoneDefinitions::default(),
        },
        window("2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z"),
        1000,
    )
    .unwrap();
    assert!(got.instances.is_empty());
    assert!(got.truncated);

    // Once an hour, counted from New Year: the window, 19 days on, is 27,000 occurrences
    // but 1.6 million seconds away, past the step budget.
    let start = timed("2026-01-01T00:00:00Z", None);
    let end = timed("2026-01-01T00:00:01Z", None);
    let hourly = lines(&["RRULE:FREQ=SECONDLY;BYMINUTE=0;BYSECOND=0;COUNT=100000000"]);
    let got = expand_at_most(
        &Series {
            start: &start,
            end: &end,
            recurrence: &hourly,
            zones: &ZoneDefinitions::default(),
        },
        window("2026-01-20T00:00:00Z", "2026-01-21T00:00:00Z"),
        1000,
    )
    .unwrap();
    assert!(got.instances.is_empty());
    assert!(got.truncated);

    // An ordinary series is not truncated, and a cap below its count is reported.
    let start = timed("2026-01-05T09:00:00Z", BERLIN);
    let end = timed("2026-01-05T10:00:00Z", BERLIN);
    let daily = lines(&["RRULE:FREQ=DAILY;COUNT=10"]);
    let series = Series {
        start: &start,
        end: &end,
        recurrence: &daily,
        zones: &ZoneDefinitions::default(),
    };
    let w = window("2026-01-01T00:00:00Z", "2026-05-01T00:00:00Z");
    let full = expand_at_most(&series, w, 1000).unwrap();
    assert_eq!((full.instances.len(), full.truncated), (10, false));
    let cut = expand_at_most(&series, w, 4).unwrap();
    assert_eq!((cut.instances.len(), cut.truncated), (4, true));
    assert_eq!(cut.instances[..], full.instances[..4]);
}

#[test]
fn a_whole_missing_day_keeps_its_instance() {
    // Daily 10:00 in Apia; 2011-12-30 did not exist there. The instance read at the offset
    // before the skip lands on 2011-12-31 10:00, the same instant as the next one, which
    // it is merged with (one instance per instant).
    let start = timed("2011-12-27T20:00:00Z", Some("Pacific/Apia")); // 10:00 -10:00
    let end = timed("2011-12-27T21:00:00Z", Some("Pacific/Apia"));
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=DAILY;COUNT=6"],
        window("2011-12-01T00:00:00Z", "2012-01-10T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        [
            "2011-12-27T20:00:00Z",
            "2011-12-28T20:00:00Z",
            "2011-12-29T20:00:00Z", // 29th 10:00 -10:00
            "2011-12-30T20:00:00Z", // "30th 10:00" at -10:00 = 31st 10:00 +14:00
            "2011-12-31T20:00:00Z", // 1 Jan 10:00 +14:00
        ]
    );
}

#[test]
fn the_widest_window_does_not_panic() {
    let start = timed("2026-01-05T09:00:00Z", Some("Pacific/Kiritimati"));
    let end = timed("2026-01-05T10:00:00Z", Some("Pacific/Kiritimati"));
    let widest = SyncWindow {
        start: DateTime::<Utc>::MIN_UTC,
        end: DateTime::<Utc>::MAX_UTC,
    };
    let got = run(&start, &end, &["RRULE:FREQ=YEARLY;COUNT=3"], widest).unwrap();
    assert_eq!(got.len(), 3);
}

#[test]
fn hourly_interval_is_aligned_after_rebase() {
    let start = timed("2024-01-01T00:15:00Z", None);
    let end = timed("2024-01-01T00:45:00Z", None);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=HOURLY;INTERVAL=5"],
        window("2024-01-03T00:00:00Z", "2024-01-03T12:00:00Z"),
    )
    .unwrap();
    // 48h after DTSTART is not a multiple of 5h: 50h -> Jan 3 02:15, then 07:15.
    assert_eq!(
        starts(&got),
        ["2024-01-03T02:15:00Z", "2024-01-03T07:15:00Z"]
    );
}

#[test]
fn rebased_expansion_equals_expansion_from_dtstart() {
    // A huge COUNT forces iteration from DTSTART; without it the iterator is rebased.
    let start = timed("2023-03-15T13:45:00Z", BERLIN); // Wednesday 14:45 CET
    let end = timed("2023-03-15T14:15:00Z", BERLIN);
    let rules = [
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,WE,FR;BYSETPOS=1,-1",
        "FREQ=MONTHLY;INTERVAL=5;BYDAY=2TU,-1FR",
        "FREQ=MONTHLY;BYMONTHDAY=-1,15",
        "FREQ=YEARLY;INTERVAL=2;BYWEEKNO=1,20;BYDAY=MO",
        "FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU;BYHOUR=2;BYMINUTE=30",
        "FREQ=HOURLY;INTERVAL=7",
        "FREQ=HOURLY;INTERVAL=5;BYHOUR=8,9,10,11,12,13;BYDAY=MO,TH",
        "FREQ=MINUTELY;INTERVAL=45;BYDAY=SA;BYMINUTE=0,15,30",
        "FREQ=MINUTELY;INTERVAL=97;BYHOUR=9,10,11",
    ];
    let windows = [
        window("2024-03-25T00:00:00Z", "2024-04-20T00:00:00Z"),
        window("2025-10-20T00:00:00Z", "2025-11-10T00:00:00Z"),
        window("2026-12-20T00:00:00Z", "2027-01-15T00:00:00Z"),
    ];
    for rule in rules {
        let mut seen = 0;
        for w in windows {
            let rebased = run(&start, &end, &[&format!("RRULE:{rule}")], w).unwrap();
            let counted = run(&start, &end, &[&format!("RRULE:{rule};COUNT=150000")], w).unwrap();
            assert_eq!(rebased, counted, "{rule} in {w:?}");
            seen += rebased.len();
        }
        assert!(seen > 0, "{rule}");
    }
}

#[test]
fn minutely_with_byhour_stays_on_its_interval() {
    // Every 97 minutes from 00:00, only in the 9 o'clock hour: 09:42 (582 = 6 * 97) on
    // day one; day two starts at 00:15 (1455 = 15 * 97), so 09:57 (15 + 6 * 97 = 597).
    let start = timed("2024-01-01T00:00:00Z", None);
    let end = timed("2024-01-01T00:05:00Z", None);
    let rule = "RRULE:FREQ=MINUTELY;INTERVAL=97;BYHOUR=9";
    let w = window("2024-01-01T00:00:00Z", "2024-01-03T00:00:00Z");
    let got = run(&start, &end, &[rule], w).unwrap();
    assert_eq!(
        starts(&got),
        [
            "2024-01-01T00:00:00Z",
            "2024-01-01T09:42:00Z",
            "2024-01-02T09:57:00Z"
        ]
    );
    // COUNT counts what BYHOUR lets through (DTSTART is not in the 9 o'clock hour, so it
    // uses up one).
    let got = run(&start, &end, &[&format!("{rule};COUNT=2")], w).unwrap();
    assert_eq!(
        starts(&got),
        ["2024-01-01T00:00:00Z", "2024-01-01T09:42:00Z"]
    );
}

#[test]
fn invalid_rules_and_zones_are_errors() {
    let start = timed("2024-01-01T09:00:00Z", BERLIN);
    let end = timed("2024-01-01T10:00:00Z", BERLIN);
    let w = window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z");
    for bad in [
        "RRULE:FREQ=SOMETIMES",
        "RRULE:FREQ=WEEKLY;BYDAY=XX",
        "RRULE:INTERVAL=2",
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=40",
        "RRULE:FREQ=DAILY;COUNT=many",
        "RRULE:FREQ=MINUTELY;BYHOUR=24",
        "garbage",
        "DTSTART:20240101T090000Z",
    ] {
        assert!(
            matches!(
                run(&start, &end, &[bad], w),
                Err(RecurrenceError::InvalidRule(_))
            ),
            "{bad}"
        );
    }
    for bad in [
        "EXDATE:2024-01-02",
        "RDATE:20241301T090000Z",
        "RRULE:FREQ=DAILY;UNTIL=soon",
    ] {
        assert!(
            matches!(
                run(&start, &end, &[bad], w),
                Err(RecurrenceError::InvalidDate(_))
            ),
            "{bad}"
        );
    }
    let start = timed("2024-01-01T09:00:00Z", Some("Mars/Olympus_Mons"));
    assert_eq!(
        run(&start, &end, &["RRULE:FREQ=DAILY"], w),
        Err(RecurrenceError::UnknownTimeZone("Mars/Olympus_Mons".into()))
    );
    let all_day_end = EventTime::Date(date("2024-01-02"));
    assert!(matches!(
        run(&timed("2024-01-01T09:00:00Z", None), &all_day_end, &[], w),
        Err(RecurrenceError::InvalidSeries(_))
    ));
}

#[test]
fn unknown_exdate_tzid_is_read_in_series_zone_and_x_lines_are_ignored() {
    let start = timed("2024-01-08T08:00:00Z", BERLIN);
    let end = timed("2024-01-08T08:30:00Z", BERLIN);
    let got = run(
        &start,
        &end,
        &[
            "RRULE:FREQ=DAILY;COUNT=3;X-NAME=whatever",
            "EXDATE;TZID=Custom Zone:20240109T090000",
            "X-APPLE-STRUCTURED:1",
            "",
        ],
        window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        ["2024-01-08T08:00:00Z", "2024-01-10T08:00:00Z"]
    );
}

#[test]
fn window_edges() {
    // Daily 09:00-10:00 UTC.
    let start = timed("2024-01-01T09:00:00Z", None);
    let end = timed("2024-01-01T10:00:00Z", None);
    let rule = ["RRULE:FREQ=DAILY"];
    // An instance ending exactly at window.start is excluded; one starting exactly at
    // window.end too; one overlapping the start by a second is kept.
    let got = run(
        &start,
        &end,
        &rule,
        window("2024-01-05T10:00:00Z", "2024-01-07T09:00:00Z"),
    )
    .unwrap();
    assert_eq!(starts(&got), ["2024-01-06T09:00:00Z"]);
    let got = run(
        &start,
        &end,
        &rule,
        window("2024-01-05T09:59:59Z", "2024-01-07T09:00:01Z"),
    )
    .unwrap();
    assert_eq!(
        starts(&got),
        [
            "2024-01-05T09:00:00Z",
            "2024-01-06T09:00:00Z",
            "2024-01-07T09:00:00Z"
        ]
    );
    // A window before the series starts, and one that holds only DTSTART's tail.
    assert!(run(
        &start,
        &end,
        &rule,
        window("2023-01-01T00:00:00Z", "2024-01-01T09:00:00Z")
    )
    .unwrap()
    .is_empty());
}

#[test]
fn long_instances_overlapping_window_start_are_kept() {
    // Weekly, Monday 08:00 for three days (wall clock), far from DTSTART.
    let start = timed("2024-01-01T08:00:00Z", None);
    let end = timed("2024-01-04T08:00:00Z", None);
    let got = run(
        &start,
        &end,
        &["RRULE:FREQ=WEEKLY"],
        window("2025-01-08T00:00:00Z", "2025-01-09T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(starts(&got), ["2025-01-06T08:00:00Z"]);
    assert_eq!(ends(&got), ["2025-01-09T08:00:00Z"]);
}

#[test]
fn series_without_rule_is_its_first_instance() {
    let start = timed("2024-01-01T09:00:00Z", BERLIN);
    let end = timed("2024-01-01T10:00:00Z", BERLIN);
    let got = run(
        &start,
        &end,
        &[],
        window("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(starts(&got), ["2024-01-01T09:00:00Z"]);
}

#[test]
fn value_parsers() {
    assert_eq!(parse_duration("PT1H30M"), Some(TimeDelta::minutes(90)));
    assert_eq!(parse_duration("-P1W"), Some(TimeDelta::weeks(-1)));
    assert_eq!(parse_duration("P1DT2S"), Some(TimeDelta::seconds(86_402)));
    assert_eq!(parse_duration("P"), None);
    assert_eq!(parse_duration("PT5"), None);
    assert_eq!(parse_duration("P1H"), None);
    assert_eq!(
        IcalTime::parse("20240102"),
        Some(IcalTime::Date(date("2024-01-02")))
    );
    assert_eq!(IcalTime::parse("20240102Z"), None);
    assert_eq!(IcalTime::parse("2024010T1200000"), None);
}
