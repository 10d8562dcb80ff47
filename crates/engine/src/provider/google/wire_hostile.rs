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

/// A value of a JSON field, sometimes of the wrong type.
fn wrong_type() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
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
        3 => (year(), 0u32..14, 0u32..33).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        1 => Just("+262143-12-31".to_string()),
        1 => Just("-0001-01-01".to_string()),
        1 => text(),
    ]
}

fn date_time() -> impl Strategy<Value = String> {
    let offset = prop_oneof![
        Just("Z".to_string()),
        Just(String::new()),
        Just("+14:00".to_string()),
        Just("-12:00".to_string()),
        Just("+99:99".to_string()),
    ];
    prop_oneof![
        4 => (date(), 0u32..25, 0u32..61, 0u32..62, offset)
            .prop_map(|(d, h, m, s, o)| format!("{d}T{h:02}:{m:02}:{s:02}{o}")),
        1 => text(),
    ]
}

/// A Google `EventDateTime`, or something that is not one.
fn event_time() -> impl Strategy<Value = Value> {
    let field = |s: BoxedStrategy<String>| {
        prop_oneof![
            3 => s.prop_map(Value::from),
            1 => Just(Value::Null),
            1 => wrong_type(),
        ]
    };
    prop_oneof![
        3 => (field(date().boxed()), any::<bool>())
            .prop_map(|(d, zoned)| if zoned { json!({"date": d, "timeZone": "Europe/Berlin"}) }
                                   else { json!({"date": d}) }),
        6 => (field(date_time().boxed()), proptest::option::of(zone()))
            .prop_map(|(t, z)| json!({"dateTime": t, "timeZone": z})),
        1 => wrong_type(),
    ]
}

fn ical_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (year(), 0u32..14, 0u32..33, 0u32..25, any::<bool>())
            .prop_map(|(y, m, d, h, z)| format!("{y:04}{m:02}{d:02}T{h:02}0000{}", if z { "Z" } else { "" })),
        2 => (year(), 0u32..14, 0u32..33).prop_map(|(y, m, d)| format!("{y:04}{m:02}{d:02}")),
        1 => Just("20260101T090000Z/PT1H".to_string()),
        1 => Just("20260101T090000Z/P99999999W".to_string()),
        1 => text(),
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
    let number = prop_oneof![0i64..70, Just(-1i64), Just(366i64), any::<i64>()];
    prop_oneof![
        freq.prop_map(|f| format!("FREQ={f}")),
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
        4 => rule().prop_map(|r| format!("RRULE:FREQ=DAILY;{r}")),
        2 => rule().prop_map(|r| format!("RRULE:{r}")),
        1 => rule().prop_map(|r| format!("EXRULE:{r}")),
        2 => (tzid(), dates()).prop_map(|(t, d)| format!("EXDATE{t}:{d}")),
        2 => (tzid(), dates()).prop_map(|(t, d)| format!("RDATE{t}:{d}")),
        1 => text(),
    ]
}

fn optional(value: BoxedStrategy<Value>) -> impl Strategy<Value = Option<Value>> {
    proptest::option::weighted(0.8, value)
}

fn event() -> impl Strategy<Value = Value> {
    let id = prop_oneof![4 => "[a-z0-9_]{1,12}".prop_map(Value::from), 1 => wrong_type()];
    let status = prop_oneof![
        Just(json!("confirmed")),
        Just(json!("tentative")),
        Just(json!("cancelled")),
        text().prop_map(Value::from),
    ];
    let recurrence = prop_oneof![
        5 => prop::collection::vec(recurrence_line(), 0..5).prop_map(Value::from),
        1 => wrong_type(),
    ];
    let attendees = Just(json!([{"self": true, "responseStatus": "declined"}, {"self": "yes"}]));
    (
        (id, optional(status.boxed()), optional(text().prop_map(Value::from).boxed())),
        (optional(event_time().boxed()), optional(event_time().boxed())),
        optional(recurrence.boxed()),
        (
            optional("[a-z]{1,3}".prop_map(Value::from).boxed()),
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
            .filter_map(|item| item.into_change(tz.as_deref()).ok())
            .collect();
        let count = changes.len();
        for change in &changes {
            let RemoteChange::Upsert(event) = change else { continue };
            let _ = (event.start.to_wire(), event.end.to_wire(), event.start.key());
            let series = Series {
                start: &event.start,
                end: &event.end,
                recurrence: &event.recurrence,
            };
            if let Ok(expansion) = recurrence::expand_at_most(&series, window, 50) {
                prop_assert!(expansion.instances.len() <= 50);
            }
            if let Ok(instances) = recurrence::expand(&series, window) {
                prop_assert!(instances.len() <= usize::from(MAX_INSTANCES_PER_SERIES));
            }
        }
        let planned = plan(
            ChangeSet { kind: ChangeSetKind::Full, changes, cursor: Some("t".into()) },
            &HashMap::new(),
        );
        prop_assert!(planned.upserts.len() + planned.deletes.len() <= count);
    }
}
