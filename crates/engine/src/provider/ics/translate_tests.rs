use super::*;

fn feed(body: &str) -> TranslatedFeed {
    let text =
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n");
    translate(&crate::ical::parse(text.as_bytes()))
}

fn resources(t: &TranslatedFeed) -> Vec<(&str, &[RemoteEvent])> {
    t.changes
        .iter()
        .map(|c| match c {
            RemoteChange::ReplaceResource {
                resource_id,
                events,
            } => (resource_id.as_str(), events.as_slice()),
            other => panic!("expected a resource, got {other:?}"),
        })
        .collect()
}

fn utc(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().unwrap()
}

const WEEKLY: &str = "BEGIN:VEVENT\r\nUID:weekly@x\r\nDTSTAMP:20190101T000000Z\r\n\
DTSTART;TZID=Europe/Berlin:20190107T090000\r\nDTEND;TZID=Europe/Berlin:20190107T100000\r\n\
RRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Stand-up\r\nEND:VEVENT\r\n";
const MOVED: &str = "BEGIN:VEVENT\r\nUID:weekly@x\r\nDTSTAMP:20190101T000000Z\r\n\
RECURRENCE-ID;TZID=America/New_York:20190114T030000\r\n\
DTSTART;TZID=Europe/Berlin:20190115T110000\r\nDTEND;TZID=Europe/Berlin:20190115T120000\r\n\
SUMMARY:Stand-up (moved)\r\nEND:VEVENT\r\n";
const SINGLE: &str = "BEGIN:VEVENT\r\nUID:single@x\r\nDTSTAMP:20190101T000000Z\r\n\
DTSTART;VALUE=DATE:20190301\r\nSUMMARY:Holiday\r\n\
DESCRIPTION:Join https://zoom.us/j/5550100123 if you like\r\nEND:VEVENT\r\n";

#[test]
fn ids_and_etags_survive_reordering_and_a_new_dtstamp() {
    let first = feed(&format!("{WEEKLY}{MOVED}{SINGLE}"));
    let again =
        feed(&format!("{SINGLE}{MOVED}{WEEKLY}").replace("20190101T000000Z", "20261201T041500Z"));
    let key = |t: &TranslatedFeed| {
        let mut all: Vec<(String, String, Option<String>)> = resources(t)
            .into_iter()
            .flat_map(|(r, events)| {
                events
                    .iter()
                    .map(move |e| (r.to_owned(), e.external_id.clone(), e.etag.clone()))
            })
            .collect();
        all.sort();
        all
    };
    assert_eq!(key(&first), key(&again));
    let ids: Vec<String> = key(&first).into_iter().map(|(_, id, _)| id).collect();
    // The override's id is its RECURRENCE-ID as an instant: 03:00 in New York is 08:00 UTC.
    assert_eq!(ids, ["single@x", "weekly@x", "weekly@x@20190114T080000Z"]);
}

#[test]
fn an_override_in_another_zone_names_the_instance_it_replaces_by_instant() {
    let t = feed(&format!("{WEEKLY}{MOVED}"));
    let [(id, events)] = resources(&t)[..] else {
        panic!("one resource expected");
    };
    assert_eq!(id, "weekly@x");
    let master = &events[0];
    assert_eq!(master.recurrence, ["RRULE:FREQ=WEEKLY;COUNT=10"]);
    assert_eq!(
        master.start,
        EventTime::DateTime {
            utc: utc("2019-01-07T08:00:00Z"),
            tz: Some("Europe/Berlin".into())
        }
    );
    let series = events[1].series.as_ref().unwrap();
    assert_eq!(series.master_external_id, "weekly@x");
    // 2019-01-14 09:00 Berlin, the master's instance, written in New York time.
    assert_eq!(
        series.original_start.key(),
        utc("2019-01-14T08:00:00Z").timestamp()
    );
    assert!(!series.this_and_future);
    assert_eq!(events[0].etag, events[1].etag);
}

#[test]
fn an_override_without_its_master_is_a_single_event() {
    let t = feed(MOVED);
    let [(_, [event])] = resources(&t)[..] else {
        panic!("one resource of one event expected");
    };
    assert_eq!(event.series, None);
    assert_eq!(event.title, "Stand-up (moved)");
    assert_eq!(event.start.key(), utc("2019-01-15T10:00:00Z").timestamp());
}

#[test]
fn this_and_future_is_kept_on_the_series_ref() {
    let future = MOVED.replace(
        "RECURRENCE-ID;TZID=America/New_York",
        "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=America/New_York",
    );
    let t = feed(&format!("{WEEKLY}{future}"));
    let events = resources(&t)[0].1;
    assert!(events[1].series.as_ref().unwrap().this_and_future);
}

#[test]
fn a_cancelled_instance_stays_cancelled_and_a_cancelled_series_is_gone() {
    let cancelled = MOVED.replace("SUMMARY:", "STATUS:CANCELLED\r\nSUMMARY:");
    let t = feed(&format!("{WEEKLY}{cancelled}"));
    let events = resources(&t)[0].1;
    assert_eq!(events[1].status, EventStatus::Cancelled);
    assert!(events[1].series.is_some());

    let series_cancelled = WEEKLY.replace("SUMMARY:", "STATUS:CANCELLED\r\nSUMMARY:");
    let t = feed(&format!("{series_cancelled}{MOVED}"));
    assert_eq!(resources(&t), [("weekly@x", &[][..])]);
}

#[test]
fn floating_times_read_in_x_wr_timezone_else_stay_floating() {
    let floating = "BEGIN:VEVENT\r\nUID:f@x\r\nDTSTART:20190107T090000\r\nEND:VEVENT\r\n";
    let t = feed(floating);
    let event = &resources(&t)[0].1[0];
    let nine = chrono::NaiveDate::from_ymd_opt(2019, 1, 7)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    assert_eq!(event.start, EventTime::Floating(nine));
    // No DTEND and no DURATION: zero length for a date-time.
    assert_eq!(event.end, event.start);

    let t = feed(&format!("X-WR-TIMEZONE:Europe/Berlin\r\n{floating}"));
    let event = &resources(&t)[0].1[0];
    assert_eq!(
        event.start,
        EventTime::DateTime {
            utc: utc("2019-01-07T08:00:00Z"),
            tz: Some("Europe/Berlin".into())
        }
    );
}

#[test]
fn feed_zones_are_kept_and_used_for_their_tzids() {
    let body = "BEGIN:VTIMEZONE\r\nTZID:Company Time\r\nBEGIN:STANDARD\r\n\
DTSTART:19700101T000000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:z@x\r\nDTSTART;TZID=Company Time:20190107T090000\r\n\
DURATION:PT90M\r\nEND:VEVENT\r\n";
    let t = feed(body);
    assert_eq!(t.zones.iter().count(), 1);
    let event = &resources(&t)[0].1[0];
    assert_eq!(
        event.start,
        EventTime::DateTime {
            utc: utc("2019-01-07T06:00:00Z"),
            tz: Some("Company Time".into())
        }
    );
    assert_eq!(event.end.key() - event.start.key(), 90 * 60);
}

#[test]
fn dates_last_a_day_and_meeting_links_are_found() {
    let t = feed(SINGLE);
    let event = &resources(&t)[0].1[0];
    assert_eq!(event.start, EventTime::Date("2019-03-01".parse().unwrap()));
    assert_eq!(event.end, EventTime::Date("2019-03-02".parse().unwrap()));
    assert_eq!(
        event.meeting_url.as_deref(),
        Some("https://zoom.us/j/5550100123")
    );
}

#[test]
fn exceptions_and_extra_dates_become_recurrence_lines() {
    let body = "BEGIN:VEVENT\r\nUID:r@x\r\nDTSTART;TZID=Europe/Berlin:20190107T090000\r\n\
RRULE:FREQ=DAILY;COUNT=5\r\nEXDATE;TZID=Europe/Berlin:20190108T090000\r\n\
EXDATE;VALUE=DATE:20190109\r\nRDATE:20190120T080000Z\r\nEND:VEVENT\r\n";
    let t = feed(body);
    let event = &resources(&t)[0].1[0];
    assert_eq!(
        event.recurrence,
        [
            "RRULE:FREQ=DAILY;COUNT=5",
            "RDATE:20190120T080000Z",
            "EXDATE;TZID=Europe/Berlin:20190108T090000",
            "EXDATE;VALUE=DATE:20190109",
        ]
    );
}

#[test]
fn a_bad_event_is_skipped_with_a_warning_and_the_rest_kept() {
    let bad = "BEGIN:VEVENT\r\nUID:bad@x\r\nDTSTART:yesterday\r\nEND:VEVENT\r\n";
    let text = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{bad}{SINGLE}END:VCALENDAR\r\n");
    let parsed = crate::ical::parse(text.as_bytes());
    assert!(
        parsed.warnings.iter().any(|w| w.contains("bad@x")),
        "{:?}",
        parsed.warnings
    );
    let t = translate(&parsed);
    assert_eq!(resources(&t).len(), 1);
    assert_eq!(resources(&t)[0].0, "single@x");
}

#[test]
fn utc_times_take_x_wr_timezone_as_their_zone_at_the_same_instant() {
    let body = "X-WR-TIMEZONE:Europe/Berlin\r\nBEGIN:VEVENT\r\nUID:u@x\r\n\
DTSTART:20190107T080000Z\r\nRRULE:FREQ=WEEKLY;COUNT=30\r\nEND:VEVENT\r\n";
    let t = feed(body);
    let event = &resources(&t)[0].1[0];
    assert_eq!(
        event.start,
        EventTime::DateTime {
            utc: utc("2019-01-07T08:00:00Z"),
            tz: Some("Europe/Berlin".into())
        }
    );
    // A zone no one knows is not a zone: the value stays plain UTC.
    let t = feed(&body.replace("Europe/Berlin", "Nowhere/Special"));
    let event = &resources(&t)[0].1[0];
    assert_eq!(event.start.zone_name(), None);
}

#[test]
fn an_override_is_one_instance_even_with_a_copied_rrule() {
    // rie-issue_164_duplicated_event.ics: the override repeats the master's RRULE.
    let copied = MOVED.replace(
        "SUMMARY:Stand-up (moved)",
        "RRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Stand-up (moved)",
    );
    let t = feed(&format!("{WEEKLY}{copied}"));
    let (_, events) = resources(&t)[0];
    assert_eq!(events.len(), 2);
    assert!(
        !events[0].recurrence.is_empty(),
        "the master keeps its rule"
    );
    assert!(events[1].series.is_some());
    assert!(
        events[1].recurrence.is_empty(),
        "{:?}",
        events[1].recurrence
    );
}

#[test]
fn an_override_of_an_excluded_instance_is_dropped() {
    // rie-issue_163_deleted_modification.ics: the instance was changed, then deleted. The
    // EXDATE (09:00 Berlin) and the RECURRENCE-ID (03:00 New York) are the same instant.
    let excluding = WEEKLY.replace(
        "SUMMARY:Stand-up",
        "EXDATE;TZID=Europe/Berlin:20190114T090000\r\nSUMMARY:Stand-up",
    );
    let t = feed(&format!("{excluding}{MOVED}"));
    let (_, events) = resources(&t)[0];
    let ids: Vec<&str> = events.iter().map(|e| e.external_id.as_str()).collect();
    assert_eq!(ids, ["weekly@x"]);
    // Without the EXDATE the override stays.
    let t = feed(&format!("{WEEKLY}{MOVED}"));
    assert_eq!(resources(&t)[0].1.len(), 2);
}

#[test]
fn an_end_before_the_start_or_of_another_type_is_made_sane() {
    let event = |lines: &str| {
        let t = feed(&format!(
            "BEGIN:VEVENT\r\nUID:e@x\r\n{lines}SUMMARY:x\r\nEND:VEVENT\r\n"
        ));
        let (_, events) = resources(&t)[0];
        (events[0].start.clone(), events[0].end.clone())
    };
    let day = |s: &str| EventTime::Date(s.parse().unwrap());
    // rie-end_before_start_event.ics: DTEND half an hour before DTSTART -> no length.
    let (start, end) = event("DTSTART:20190304T073000Z\r\nDTEND:20190304T070000Z\r\n");
    assert_eq!(end, start);
    // rie-issue_201_mixed_datetime_and_date.ics: an all-day event with a DATE-TIME end.
    let (start, end) = event("DTSTART;VALUE=DATE:20230724\r\nDTEND:20230817T000000Z\r\n");
    assert_eq!((start, end), (day("2023-07-24"), day("2023-08-17")));
    // An all-day event whose end is not after its start lasts its one day.
    let (_, end) = event("DTSTART;VALUE=DATE:20230724\r\nDTEND;VALUE=DATE:20230720\r\n");
    assert_eq!(end, day("2023-07-25"));
    // One whose end equals its start is kept so (rie-Germany_Holidays.ics: DTEND = DTSTART).
    let (_, end) = event("DTSTART;VALUE=DATE:20190101\r\nDTEND;VALUE=DATE:20190101\r\n");
    assert_eq!(end, day("2019-01-01"));
    // A sane end is kept as it is.
    let (_, end) = event("DTSTART:20190304T070000Z\r\nDTEND:20190304T073000Z\r\n");
    let kept = utc("2019-03-04T07:30:00Z");
    assert!(matches!(end, EventTime::DateTime { utc, .. } if utc == kept));
}

#[test]
fn a_date_time_recurrence_id_on_an_all_day_series_names_its_written_date() {
    // rie-issue_28_rrule_with_UTC_endinginZ.ics (Outlook): midnight in London is 23:00 UTC
    // the day before in summer, but the instance meant is the written date.
    let t = feed(
        "BEGIN:VEVENT\r\nUID:bin@x\r\nDTSTART;VALUE=DATE:20200402\r\n\
         RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=5\r\nSUMMARY:Bin\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:bin@x\r\nRECURRENCE-ID;TZID=Europe/London:20200416T000000\r\n\
         DTSTART;VALUE=DATE:20200417\r\nSUMMARY:Bin\r\nEND:VEVENT\r\n",
    );
    let (_, events) = resources(&t)[0];
    let series = events[1].series.as_ref().expect("an override");
    assert_eq!(
        series.original_start,
        EventTime::Date("2020-04-16".parse().unwrap())
    );
    assert_eq!(events[1].external_id, "bin@x@20200416");
}

/// A feed large enough to be translated on two threads keeps its order, and an event without
/// a UID is named by its position in the whole feed, whichever half it fell in.
#[test]
fn a_feed_translated_on_two_threads_keeps_its_order_and_positions() {
    let body: String = (0..3000)
        .map(|i| {
            let uid = if i % 700 == 0 {
                String::new()
            } else {
                format!("UID:e{i}\r\n")
            };
            format!(
                "BEGIN:VEVENT\r\n{uid}DTSTART:20300101T090000Z\r\nSUMMARY:{i}\r\nEND:VEVENT\r\n"
            )
        })
        .collect();
    let translated = feed(&body);
    let resources = resources(&translated);
    assert_eq!(resources.len(), 3000);
    for (i, (id, events)) in resources.iter().enumerate() {
        let expected = if i % 700 == 0 {
            format!("no-uid-{i}")
        } else {
            format!("e{i}")
        };
        assert_eq!(*id, expected);
        assert_eq!(events[0].title, i.to_string());
    }
}

#[test]
fn people_url_uid_and_alarms_are_read_and_bounded() {
    let mut attendees = String::new();
    for i in 0..1000 {
        attendees.push_str(&format!("ATTENDEE;PARTSTAT=DECLINED:mailto:p{i}@x.org\r\n"));
    }
    let body = format!(
        "BEGIN:VEVENT\r\nUID:meet@x.org\r\nDTSTAMP:20190101T000000Z\r\n\
         DTSTART:20190301T090000Z\r\nDTEND:20190301T100000Z\r\nSUMMARY:Meet\r\n\
         ORGANIZER;CN=\"Ann\u{1b}[31m Lee\":MAILTO:ann@x.org\r\n\
         ATTENDEE;CN=Me;PARTSTAT=TENTATIVE;ROLE=OPT-PARTICIPANT:mailto:me@x.org\r\n\
         {attendees}URL:javascript:alert(1)\r\n\
         BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\n\
         BEGIN:VALARM\r\nACTION:AUDIO\r\nTRIGGER:PT0S\r\nEND:VALARM\r\n\
         BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;VALUE=DATE-TIME:20190301T080000Z\r\nEND:VALARM\r\n\
         BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;RELATED=END:-PT5M\r\nEND:VALARM\r\n\
         BEGIN:VALARM\r\nACTION:EMAIL\r\nTRIGGER:-PT1H\r\nEND:VALARM\r\n\
         END:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:quiet@x.org\r\nDTSTAMP:20190101T000000Z\r\n\
         DTSTART;VALUE=DATE:20190302\r\nURL:https://example.org/e/1\r\n\
         BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;VALUE=DATE-TIME:20190301T080000Z\r\nEND:VALARM\r\n\
         END:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:plain@x.org\r\nDTSTAMP:20190101T000000Z\r\n\
         DTSTART;VALUE=DATE:20190303\r\nEND:VEVENT\r\n"
    );
    let text =
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{body}END:VCALENDAR\r\n");
    let parsed = crate::ical::parse(text.as_bytes());
    let t = translate_as(&parsed, Some("ME@x.org"));
    let found = resources(&t);
    let meet = &found[0].1[0].details;
    assert_eq!(meet.ical_uid.as_deref(), Some("meet@x.org"));
    let organizer = meet.organizer.as_ref().unwrap();
    // The escape character is gone (the parser drops it before the name is cleaned).
    let name = organizer.name.as_deref().unwrap();
    assert!(name.starts_with("Ann") && name.ends_with(" Lee"), "{name}");
    assert!(!name.chars().any(char::is_control), "{name:?}");
    assert_eq!(organizer.email.as_deref(), Some("ann@x.org"));
    assert_eq!(meet.attendees.len(), crate::provider::people::MAX_ATTENDEES);
    assert_eq!(meet.attendees_omitted, 801);
    let me = &meet.attendees[0];
    assert!(me.is_self && me.optional);
    assert_eq!(me.response.as_deref(), Some("tentative"));
    assert_eq!(meet.attendees[1].response.as_deref(), Some("declined"));
    assert!(!meet.attendees[1].is_self);
    assert_eq!(meet.web_link, None);
    // Only the display and audio alarms relative to the start.
    assert_eq!(meet.reminder_minutes, Some(vec![10, 0]));
    let quiet = &found[1].1[0].details;
    assert_eq!(quiet.web_link.as_deref(), Some("https://example.org/e/1"));
    assert_eq!(
        quiet.reminder_minutes, None,
        "an absolute alarm is no lead time"
    );
    let plain = &found[2].1[0].details;
    assert_eq!(plain.reminder_minutes, None, "no alarm: says nothing");
    assert_eq!(plain.organizer, None);
    // A published feed does not know its reader.
    let anonymous = translate(&parsed);
    assert!(!resources(&anonymous)[0].1[0].details.attendees[0].is_self);
}
