//! Property test: hostile Google event JSON (random text in every field, impossible or extreme
//! dates, unknown zones, random recurrence lines, wrong types, missing fields) goes through
//! the wire translation, recurrence expansion and sync planning without a panic and with
//! bounded output.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde_json::{json, Value};

use super::wire::EventsPage;
use crate::model::{RemoteChange, SyncWindow};
use crate::provider::{ChangeSet, ChangeSetKind};
use crate::recurrence::{self, Series, MAX_INSTANCES_PER_SERIES};
use crate::sync::plan::plan;

/// Any text, including controls, bidi overrides and non-BMP characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,20}",
        Just(String::new()),
        Just("\u{1b}]0;x\u{7}\u{202e}\r\n".to_string()),
    ]
}

/// A JSON value of the wrong type for any field (kept rare: one in an item fails the page).
fn wrong_type() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(json!([1, "a"])),
        Just(json!({"a": {}})),
    ]
}

fn zone() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Europe/Berlin".to_string()),
        Just("America/Havana".to_string()),
        Just("Pacific/Apia".to_string()),
        Just("Australia/Lord_Howe".to_string()),
        Just("UTC".to_string()),
        Just("/mozilla.org/20070129_1/Europe/Berlin".to_string()),
        Just("Mars/Olympus_Mons".to_string()),
        text(),
    ]
}

fn year() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => 1990i64..2040,
        1 => Just(0i64),
        1 => Just(9999i64),
        1 => Just(262_143i64),
        1 => any::<i64>(),
    ]
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (1990i32..2040, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        2 => (year(), 0u32..14, 0u32..33).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        1 => Just("+262143-12-31".to_string()),
        1 => Just("-0001-01-01".to_string()),
        1 => text(),
    ]
}

fn date_time() -> impl Strategy<Value = String> {
    let offset = prop_oneof![
        4 => Just("Z".to_string()),
        4 => Just(String::new()),
        1 => Just("+14:00".to_string()),
        1 => Just("-12:00".to_string()),
        1 => Just("+99:99".to_string()),
    ];
    prop_oneof![
        8 => (date(), 0u32..24, 0u32..60, 0u32..60, offset.clone())
            .prop_map(|(d, h, m, s, o)| format!("{d}T{h:02}:{m:02}:{s:02}{o}")),
        1 => (date(), 0u32..25, 0u32..61, 0u32..62, offset)
            .prop_map(|(d, h, m, s, o)| format!("{d}T{h:02}:{m:02}:{s:02}{o}")),
        1 => text(),
    ]
}

/// A Google `EventDateTime`, or something that is not one.
fn event_time() -> impl Strategy<Value = Value> {
    let field = |s: BoxedStrategy<String>| {
        prop_oneof![
            20 => s.prop_map(Value::from),
            1 => Just(Value::Null),
            1 => wrong_type(),
        ]
    };
    prop_oneof![
        6 => (field(date().boxed()), any::<bool>())
            .prop_map(|(d, zoned)| if zoned { json!({"date": d, "timeZone": "Europe/Berlin"}) }
                                   else { json!({"date": d}) }),
        12 => (field(date_time().boxed()), proptest::option::of(zone()))
            .prop_map(|(t, z)| json!({"dateTime": t, "timeZone": z})),
        1 => Just(json!({})),
        1 => wrong_type(),
    ]
}

fn ical_value() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (2000i64..2030, 1u32..13, 1u32..29, 0u32..24, any::<bool>())
            .prop_map(|(y, m, d, h, z)| format!("{y:04}{m:02}{d:02}T{h:02}0000{}", if z { "Z" } else { "" })),
        2 => (year(), 0u32..14, 0u32..33, 0u32..25, any::<bool>())
            .prop_map(|(y, m, d, h, z)| format!("{y:04}{m:02}{d:02}T{h:02}0000{}", if z { "Z" } else { "" })),
        2 => (year(), 0u32..14, 0u32..33).prop_map(|(y, m, d)| format!("{y:04}{m:02}{d:02}")),
        1 => Just("20260101T090000Z/PT1H".to_string()),
        1 => Just("20260101T090000Z/P99999999W".to_string()),
        1 => text(),
    ]
}

/// Frequencies weigh twice among the parts, so that most rules have one.
fn freq_again() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("DAILY"),
        Just("HOURLY"),
        Just("MONTHLY"),
        Just("SECONDLY")
    ]
}

fn rule_part() -> impl Strategy<Value = String> {
    let freq = prop_oneof![
        Just("SECONDLY"),
        Just("MINUTELY"),
        Just("HOURLY"),
        Just("DAILY"),
        Just("WEEKLY"),
        Just("MONTHLY"),
        Just("YEARLY"),
        Just("FORTNIGHTLY"),
    ];
    let number = prop_oneof![
        6 => 1i64..10,
        2 => 0i64..70,
        1 => Just(-1i64),
        1 => Just(366i64),
        1 => any::<i64>(),
    ];
    prop_oneof![
        freq.prop_map(|f| format!("FREQ={f}")),
        freq_again().prop_map(|f| format!("FREQ={f}")),
        number.clone().prop_map(|n| format!("INTERVAL={n}")),
        number.clone().prop_map(|n| format!("COUNT={n}")),
        ical_value().prop_map(|v| format!("UNTIL={v}")),
        number.clone().prop_map(|n| format!("BYMONTHDAY={n}")),
        number.clone().prop_map(|n| format!("BYYEARDAY={n}")),
        number.clone().prop_map(|n| format!("BYSETPOS={n}")),
        number.clone().prop_map(|n| format!("BYWEEKNO={n}")),
        number.clone().prop_map(|n| format!("BYHOUR={n}")),
        number.clone().prop_map(|n| format!("BYMINUTE={n}")),
        number.clone().prop_map(|n| format!("BYSECOND={n}")),
        number.prop_map(|n| format!("BYMONTH={n}")),
        Just("BYDAY=MO,-1FR,+2SU,53TH".to_string()),
        Just("WKST=SU".to_string()),
        text(),
    ]
}

fn rule() -> impl Strategy<Value = String> {
    prop::collection::vec(rule_part(), 0..6).prop_map(|p| p.join(";"))
}

fn dates() -> impl Strategy<Value = String> {
    prop::collection::vec(ical_value(), 0..4).prop_map(|v| v.join(","))
}

fn tzid() -> impl Strategy<Value = String> {
    proptest::option::of(zone()).prop_map(|z| match z {
        Some(z) => format!(";TZID={z}"),
        None => String::new(),
    })
}

fn recurrence_line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => rule().prop_map(|r| format!("RRULE:FREQ=WEEKLY;{r}")),
        2 => rule().prop_map(|r| format!("RRULE:{r}")),
        1 => rule().prop_map(|r| format!("EXRULE:{r}")),
        2 => (tzid(), dates()).prop_map(|(t, d)| format!("EXDATE{t}:{d}")),
        2 => (tzid(), dates()).prop_map(|(t, d)| format!("RDATE{t}:{d}")),
        1 => text(),
    ]
}

/// A start and end that make a valid event: timed in a zone (perhaps in a DST gap) or all-day.
fn plausible_span() -> impl Strategy<Value = (Option<Value>, Option<Value>)> {
    let timed = (1990i32..2035, 1u32..13, 1u32..29, 0u32..24, 0u32..4, zone()).prop_map(
        |(y, m, d, h, q, z)| {
            let at = |h: u32| format!("{y:04}-{m:02}-{d:02}T{h:02}:{:02}:00", q * 15);
            (
                Some(json!({"dateTime": at(h), "timeZone": z})),
                Some(json!({"dateTime": at((h + 1).min(23)), "timeZone": z})),
            )
        },
    );
    let all_day = (1990i32..2035, 1u32..13, 1u32..28).prop_map(|(y, m, d)| {
        (
            Some(json!({"date": format!("{y:04}-{m:02}-{d:02}")})),
            Some(json!({"date": format!("{y:04}-{m:02}-{:02}", d + 1)})),
        )
    });
    prop_oneof![timed, all_day]
}

/// A rule as calendars write them, with numbers in range.
fn plausible_rule() -> impl Strategy<Value = String> {
    let freq = prop_oneof![
        Just("SECONDLY"),
        Just("MINUTELY"),
        Just("HOURLY"),
        Just("DAILY"),
        Just("WEEKLY"),
        Just("MONTHLY"),
        Just("YEARLY"),
    ];
    let end = prop_oneof![
        Just(String::new()),
        (1u32..2000).prop_map(|n| format!(";COUNT={n}")),
        ical_value().prop_map(|v| format!(";UNTIL={v}")),
    ];
    let by = prop_oneof![
        Just(String::new()),
        Just(";BYDAY=MO,WE,FR".to_string()),
        Just(";BYDAY=-1FR".to_string()),
        (1i32..32).prop_map(|d| format!(";BYMONTHDAY={d}")),
        (1u32..13).prop_map(|m| format!(";BYMONTH={m};BYMONTHDAY=29")),
        (0u32..24).prop_map(|h| format!(";BYHOUR={h}")),
        Just(";BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1".to_string()),
        Just(";BYYEARDAY=366".to_string()),
    ];
    (freq, 1u32..5, end, by).prop_map(|(f, i, e, b)| format!("RRULE:FREQ={f};INTERVAL={i}{e}{b}"))
}

fn optional(value: BoxedStrategy<Value>) -> impl Strategy<Value = Option<Value>> {
    proptest::option::weighted(0.8, value)
}

fn event() -> impl Strategy<Value = Value> {
    let id = prop_oneof![40 => "[a-z0-9_]{1,12}".prop_map(Value::from), 1 => wrong_type()];
    let status = prop_oneof![
        Just(json!("confirmed")),
        Just(json!("tentative")),
        Just(json!("cancelled")),
        text().prop_map(Value::from),
    ];
    let line = prop_oneof![3 => plausible_rule(), 2 => recurrence_line()];
    let recurrence = prop_oneof![
        40 => prop::collection::vec(line, 0..4).prop_map(Value::from),
        1 => wrong_type(),
    ];
    let attendees =
        text().prop_map(|r| json!([{"self": true, "responseStatus": r}, {"email": "x"}]));
    (
        (
            id,
            optional(status.boxed()),
            optional(text().prop_map(Value::from).boxed()),
        ),
        prop_oneof![
            2 => plausible_span(),
            1 => (optional(event_time().boxed()), optional(event_time().boxed())),
        ],
        optional(recurrence.boxed()),
        (
            proptest::option::weighted(0.3, "[a-z]{1,3}".prop_map(Value::from)),
            optional(event_time().boxed()),
        ),
        (
            optional(text().prop_map(Value::from).boxed()),
            optional(attendees.boxed()),
        ),
    )
        .prop_map(
            |((id, status, summary), (start, end), recurrence, (master, original), (text, who))| {
                let mut e = serde_json::Map::new();
                let mut put = |k: &str, v: Option<Value>| {
                    if let Some(v) = v {
                        e.insert(k.to_owned(), v);
                    }
                };
                put("id", Some(id));
                put("status", status);
                put("summary", summary);
                put("start", start);
                put("end", end);
                put("recurrence", recurrence);
                put("recurringEventId", master);
                put("originalStartTime", original);
                put("description", text.clone());
                put("location", text.clone());
                put("hangoutLink", text);
                put("attendees", who);
                put("updated", Some(json!("2026-13-45T99:99:99Z")));
                Value::Object(e)
            },
        )
}

fn window() -> impl Strategy<Value = SyncWindow> {
    let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    prop_oneof![
        4 => Just(SyncWindow::around(at("2026-01-05T12:00:00Z"), 30, 90)),
        1 => Just(SyncWindow { start: DateTime::<Utc>::MIN_UTC, end: DateTime::<Utc>::MAX_UTC }),
        1 => Just(SyncWindow::around(at("1900-06-01T00:00:00Z"), 30, 90)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn hostile_events_never_panic_and_expand_boundedly(
        items in prop::collection::vec(event(), 1..4),
        calendar_zone in proptest::option::of(zone()),
        window in window(),
    ) {
        let page = json!({"items": items, "timeZone": calendar_zone, "nextSyncToken": "t"});
        let Ok(page) = serde_json::from_value::<EventsPage>(page) else {
            return Ok(());
        };
        let tz = page.time_zone.clone();
        let changes: Vec<RemoteChange> = page
            .items
            .into_iter()
            .filter_map(|item| item.into_change(tz.as_deref(), &[]).ok())
            .collect();
        let count = changes.len();
        for change in &changes {
            let RemoteChange::Upsert(event) = change else { continue };
            let _ = (event.start.to_wire(), event.end.to_wire(), event.start.key());
            let series = Series {
                start: &event.start,
                end: &event.end,
                recurrence: &event.recurrence,
                zones: &crate::zones::ZoneDefinitions::default(),
            };
            if let Ok(expansion) = recurrence::expand_at_most(&series, window, 50) {
                prop_assert!(expansion.instances.len() <= 50);
            }
            if let Ok(instances) = recurrence::expand(&series, window) {
                prop_assert!(instances.len() <= usize::from(MAX_INSTANCES_PER_SERIES));
            }
        }
        let planned = plan(
            ChangeSet { kind: ChangeSetKind::Full, changes, cursor: Some("t".into()), zones: None },
            &HashMap::new(),
        );
        prop_assert!(planned.upserts.len() + planned.deletes.len() <= count);
    }
}
