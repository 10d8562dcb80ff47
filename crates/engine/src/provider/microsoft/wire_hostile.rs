//! Property test: hostile Graph event JSON (random text in every field, impossible or extreme
//! date-times, unknown Windows and IANA zones, hostile HTML bodies, wrong types, missing
//! fields) goes through the page parsing, the wire translation and sync planning without a
//! panic, with every field within its cap.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::html_text;
use super::wire::{Event, Page};
use crate::model::RemoteChange;
use crate::provider::{ChangeSet, ChangeSetKind};
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

/// HTML as invitations write it, and broken on purpose.
fn html() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<p>".to_string()),
        Just("</div>".to_string()),
        Just("<br>".to_string()),
        Just("<script>".to_string()),
        Just("</script".to_string()),
        Just("<!--".to_string()),
        Just("-->".to_string()),
        Just("<a href=\"https://teams.microsoft.com/l/meetup-join/19%3a1\">".to_string()),
        Just("&amp;".to_string()),
        Just("&#x1F600;".to_string()),
        Just("&#99999999999;".to_string()),
        Just("&".to_string()),
        Just("<".to_string()),
        Just("'\"".to_string()),
        text(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

fn zone() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("UTC")),
        Just(json!("Pacific Standard Time")),
        Just(json!("W. Europe Standard Time")),
        Just(json!("Europe/Berlin")),
        Just(json!("tzone://Microsoft/Custom")),
        Just(json!(null)),
        text().prop_map(Value::from),
    ]
}

fn date_time() -> impl Strategy<Value = Value> {
    let stamp = prop_oneof![
        8 => (1990i32..2040, 1u32..13, 1u32..29, 0u32..24, 0u32..60)
            .prop_map(|(y, m, d, h, min)| format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:00.0000000")),
        1 => (any::<i32>(), 0u32..40, 0u32..40, 0u32..30)
            .prop_map(|(y, m, d, h)| format!("{y:04}-{m:02}-{d:02}T{h:02}:00:00")),
        1 => Just("+262143-12-31T23:59:59.9999999".to_string()),
        1 => Just("2026-05-01T09:00:00+14:00".to_string()),
        1 => text(),
    ];
    (stamp, zone()).prop_map(|(d, z)| json!({"dateTime": d, "timeZone": z}))
}

fn optional(value: BoxedStrategy<Value>) -> impl Strategy<Value = Value> {
    prop_oneof![3 => value, 1 => Just(Value::Null)]
}

fn event() -> impl Strategy<Value = Value> {
    (
        text(),
        optional(text().prop_map(Value::from).boxed()),
        (date_time(), date_time(), any::<bool>(), any::<bool>()),
        (
            optional(
                prop_oneof![Just("html"), Just("text"), Just("HTML")]
                    .prop_flat_map(|t| {
                        html().prop_map(move |c| json!({"contentType": t, "content": c}))
                    })
                    .boxed(),
            ),
            optional(text().prop_map(|t| json!({"joinUrl": t})).boxed()),
            optional(text().prop_map(|t| json!({"displayName": t})).boxed()),
            optional(text().prop_map(|t| json!({"response": t})).boxed()),
        ),
        (
            prop_oneof![
                Just(json!("singleInstance")),
                Just(json!("occurrence")),
                Just(json!("exception")),
                Just(json!("seriesMaster")),
                text().prop_map(Value::from),
            ],
            optional(zone().boxed()),
            any::<u8>(),
        ),
    )
        .prop_map(
            |(
                id,
                subject,
                (start, end, all_day, cancelled),
                (body, meeting, location, response),
                (kind, original, removed),
            )| {
                let mut v = json!({
                    "id": id, "subject": subject, "start": start, "end": end,
                    "isAllDay": all_day, "isCancelled": cancelled, "body": body,
                    "onlineMeeting": meeting, "location": location, "responseStatus": response,
                    "type": kind, "originalStartTimeZone": original,
                });
                if removed < 20 {
                    v["@removed"] = json!({"reason": "deleted"});
                }
                v
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn hostile_events_never_panic_and_stay_within_their_caps(
        items in prop::collection::vec(event(), 0..8),
    ) {
        let page = json!({"value": items, "@odata.deltaLink": "https://graph.microsoft.com/v1.0/d"});
        let page: Page<Event> = serde_json::from_value(page).unwrap();
        let mut changes = Vec::new();
        for item in page.value {
            // An event that cannot be read fails its page (a clean error), never a panic.
            if let Ok(Some(change)) = item.into_change(None) {
                changes.push(change);
            }
        }
        for change in &changes {
            if let RemoteChange::Upsert(e) = change {
                prop_assert!(e.title.len() <= 1024);
                prop_assert!(e.location.as_ref().is_none_or(|l| l.len() <= 2048));
                prop_assert!(e.description.as_ref().is_none_or(|d| d.len() <= 64 * 1024));
                prop_assert!(e.meeting_url.as_ref().is_none_or(|u| u.len() <= 2048
                    && (u.starts_with("https://") || u.starts_with("http://"))));
                prop_assert_eq!(e.start.is_all_day(), e.end.is_all_day());
            }
        }
        let set = ChangeSet { kind: ChangeSetKind::Full, changes, cursor: None, zones: None };
        let _ = plan(set, &std::collections::HashMap::new());
    }

    #[test]
    fn html_reduction_never_panics_and_never_grows(body in html()) {
        // Every reference is longer than its character, every tag longer than the break or
        // space it may become.
        prop_assert!(html_text::to_text(&body).len() <= body.len());
    }
}
