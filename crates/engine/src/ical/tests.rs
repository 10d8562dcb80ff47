use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};

use super::*;

/// A calendar around `body`, with CRLF line ends.
fn calendar(body: &str) -> Vec<u8> {
    format!("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{body}END:VCALENDAR\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

fn vevent(uid: &str, extra: &str) -> String {
    format!("BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20240101T000000Z\nDTSTART:20240105T090000Z\n{extra}END:VEVENT\n")
}

fn only_master(feed: &ParsedFeed) -> &ParsedEvent {
    assert_eq!(feed.resources.len(), 1, "{feed:#?}");
    feed.resources[0].master.as_ref().expect("a master")
}

fn local(s: &str, tzid: Option<&str>) -> ParsedTime {
    ParsedTime::Local {
        naive: NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap(),
        tzid: tzid.map(str::to_owned),
    }
}

fn utc(s: &str) -> ParsedTime {
    ParsedTime::Utc(
        NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S")
            .unwrap()
            .and_utc(),
    )
}

fn date(y: i32, m: u32, d: u32) -> ParsedTime {
    ParsedTime::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

#[test]
fn reads_calendar_properties_and_event_fields() {
    let feed = parse(&calendar(&format!(
        "NAME:Team\nX-WR-CALNAME:Ignored\nCOLOR:turquoise\nX-WR-TIMEZONE:Europe/Berlin\n{}",
        vevent(
            "a@x",
            "DTEND;TZID=Europe/Paris:20240105T110000\nSUMMARY:Stand-up\nLOCATION:Room 1\n\
             URL:https://example.com/e\nSTATUS:cancelled\nTRANSP:TRANSPARENT\nSEQUENCE:3\n\
             LAST-MODIFIED:20240102T100000Z\nORGANIZER;CN=Ann:mailto:ann@example.com\n\
             ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.com\n\
             ATTENDEE:mailto:eve@example.com\n\
             X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij\n\
             X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/1\n"
        )
    )));
    assert_eq!(feed.name.as_deref(), Some("Team"));
    assert_eq!(feed.color.as_deref(), Some("turquoise"));
    assert_eq!(feed.wr_timezone.as_deref(), Some("Europe/Berlin"));
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
    let event = only_master(&feed);
    assert_eq!(event.uid, "a@x");
    assert_eq!(event.start, utc("20240105T090000"));
    assert_eq!(
        event.end,
        Some(local("20240105T110000", Some("Europe/Paris")))
    );
    assert_eq!(event.summary.as_deref(), Some("Stand-up"));
    assert_eq!(event.location.as_deref(), Some("Room 1"));
    assert_eq!(event.url.as_deref(), Some("https://example.com/e"));
    assert_eq!(event.status.as_deref(), Some("CANCELLED"));
    assert_eq!(event.transparency.as_deref(), Some("TRANSPARENT"));
    assert_eq!(event.sequence, 3);
    assert_eq!(
        event.last_modified,
        Some(Utc.with_ymd_and_hms(2024, 1, 2, 10, 0, 0).unwrap())
    );
    assert_eq!(
        event.dtstamp,
        Some(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap())
    );
    assert_eq!(
        event.organizer.as_ref().map(|o| o.address.as_str()),
        Some("mailto:ann@example.com")
    );
    assert_eq!(
        event.attendees,
        vec![
            ParsedAttendee {
                address: "mailto:bob@example.com".into(),
                name: Some("Bob".into()),
                partstat: Some("ACCEPTED".into()),
                role: None,
            },
            ParsedAttendee {
                address: "mailto:eve@example.com".into(),
                name: None,
                partstat: None,
                role: None,
            },
        ]
    );
    assert_eq!(
        event.meeting_properties,
        vec![
            (
                "X-GOOGLE-CONFERENCE".to_owned(),
                "https://meet.google.com/abc-defg-hij".to_owned()
            ),
            (
                "X-MICROSOFT-SKYPETEAMSMEETINGURL".to_owned(),
                "https://teams.microsoft.com/l/meetup-join/1".to_owned()
            ),
        ]
    );
}

#[test]
fn x_wr_calname_names_the_feed_when_there_is_no_name() {
    let feed = parse(&calendar(&format!(
        "X-WR-CALNAME:Holidays\n{}",
        vevent("a", "")
    )));
    assert_eq!(feed.name.as_deref(), Some("Holidays"));
}

#[test]
fn apples_calendar_colour_counts_when_there_is_no_color() {
    let apple = parse(&calendar(&format!(
        "X-APPLE-CALENDAR-COLOR:#1BADF8FF\n{}",
        vevent("a", "")
    )));
    assert_eq!(apple.color.as_deref(), Some("#1BADF8FF"));
    let both = parse(&calendar(&format!(
        "X-APPLE-CALENDAR-COLOR:#1BADF8FF\nCOLOR:navy\n{}",
        vevent("a", "")
    )));
    assert_eq!(both.color.as_deref(), Some("navy"));
}

#[test]
fn reads_date_floating_zoned_and_utc_starts() {
    let feed = parse(&calendar(
        "BEGIN:VEVENT\nUID:d\nDTSTART;VALUE=DATE:20240105\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:f\nDTSTART:20240105T090000\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:z\nDTSTART;TZID=W. Europe Standard Time:20240105T090000\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:u\nDTSTART:20240105T090000Z\nEND:VEVENT\n",
    ));
    let starts: Vec<_> = feed
        .resources
        .iter()
        .map(|r| r.master.as_ref().unwrap().start.clone())
        .collect();
    assert_eq!(
        starts,
        vec![
            date(2024, 1, 5),
            local("20240105T090000", None),
            local("20240105T090000", Some("W. Europe Standard Time")),
            utc("20240105T090000"),
        ]
    );
}

#[test]
fn unfolds_lines_including_a_fold_inside_a_utf8_character() {
    let mut bytes = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20240105T090000Z\r\n\
        SUMMARY:Gr\xC3"
        .to_vec();
    bytes.extend_from_slice(
        b"\r\n \xBC\xC3\x9Fe aus\r\n\tK\xC3\xB6ln\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let feed = parse(&bytes);
    assert_eq!(only_master(&feed).summary.as_deref(), Some("Grüße ausKöln"));
}

#[test]
fn accepts_bare_lf_crlf_and_a_bom_alike() {
    let lf = format!(
        "BEGIN:VCALENDAR\n{}END:VCALENDAR\n",
        vevent("a", "SUMMARY:x\n")
    );
    let crlf = lf.replace('\n', "\r\n");
    let bom = format!("\u{FEFF}{crlf}");
    let expected = parse(lf.as_bytes());
    assert_eq!(only_master(&expected).summary.as_deref(), Some("x"));
    assert_eq!(parse(crlf.as_bytes()), expected);
    assert_eq!(parse(bom.as_bytes()), expected);
}

#[test]
fn unescapes_text_and_tolerates_wrong_escapes() {
    let feed = parse(&calendar(&vevent(
        "a",
        "SUMMARY:a\\, b\\; c\\\\ d\\n e\\N f\nDESCRIPTION:bad \\x escape\\: kept\nLOCATION:trailing\\\n",
    )));
    let event = only_master(&feed);
    assert_eq!(event.summary.as_deref(), Some("a, b; c\\ d\n e\n f"));
    assert_eq!(event.description.as_deref(), Some("bad x escape: kept"));
    assert!(event.location.is_some());
}

#[test]
fn ignores_unknown_properties_and_components() {
    let feed = parse(&calendar(&format!(
        "X-UNKNOWN;FOO=bar:baz\nBEGIN:VTODO\nUID:t\nDTSTART:20240101T000000Z\nEND:VTODO\n\
         BEGIN:VJOURNAL\nUID:j\nDTSTART:20240101T000000Z\nEND:VJOURNAL\n\
         BEGIN:VFREEBUSY\nUID:fb\nDTSTART:20240101T000000Z\nEND:VFREEBUSY\n{}",
        vevent(
            "e",
            "X-CUSTOM:1\nFOO-BAR;X=1:2\nBEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\n\
             DESCRIPTION:alarm\nEND:VALARM\nSUMMARY:kept\n"
        )
    )));
    let event = only_master(&feed);
    assert_eq!(event.uid, "e");
    // The VALARM's DESCRIPTION belongs to the alarm, not the event.
    assert_eq!(event.description, None);
    assert_eq!(event.summary.as_deref(), Some("kept"));
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
}

#[test]
fn merges_several_vcalendars_and_bare_vevents() {
    let mut body = calendar(&format!(
        "X-WR-CALNAME:First\n{}BEGIN:VTIMEZONE\nTZID:Custom\nBEGIN:STANDARD\n\
         DTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n",
        vevent("a", "")
    ));
    body.extend(calendar(&format!(
        "X-WR-CALNAME:Second\n{}",
        vevent("b", "")
    )));
    body.extend(vevent("c", "").into_bytes());
    let feed = parse(&body);
    let uids: Vec<_> = feed.resources.iter().map(|r| r.uid.as_str()).collect();
    assert_eq!(uids, ["a", "b", "c"]);
    assert_eq!(feed.name.as_deref(), Some("First"));
    assert_eq!(feed.timezones.len(), 1);
}

#[test]
fn reads_vtimezone_observances() {
    let feed = parse(&calendar(
        "BEGIN:VTIMEZONE\nTZID:My Zone\n\
         BEGIN:DAYLIGHT\nDTSTART:19810329T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n\
         RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nTZNAME:CEST\nEND:DAYLIGHT\n\
         BEGIN:STANDARD\nDTSTART:19961027T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n\
         RDATE:19971026T030000,19981025T030000\nEND:STANDARD\n\
         BEGIN:STANDARD\nDTSTART:18930401T000000\nTZOFFSETFROM:-003330\nTZOFFSETTO:-0500\n\
         END:STANDARD\nEND:VTIMEZONE\n",
    ));
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
    let zone = &feed.timezones[0];
    assert_eq!(zone.tzid, "My Zone");
    let naive = |s| NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap();
    assert_eq!(
        zone.observances,
        vec![
            ParsedObservance {
                kind: ObservanceKind::Daylight,
                dtstart: naive("19810329T020000"),
                offset_from: 3600,
                offset_to: 7200,
                rrule: Some("FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3".into()),
                rdates: vec![],
            },
            ParsedObservance {
                kind: ObservanceKind::Standard,
                dtstart: naive("19961027T030000"),
                offset_from: 7200,
                offset_to: 3600,
                rrule: None,
                rdates: vec![naive("19971026T030000"), naive("19981025T030000")],
            },
            ParsedObservance {
                kind: ObservanceKind::Standard,
                dtstart: naive("18930401T000000"),
                offset_from: -(33 * 60),
                offset_to: -5 * 3600,
                rrule: None,
                rdates: vec![],
            },
        ]
    );
}

#[test]
fn groups_overrides_with_their_master_by_uid() {
    let feed = parse(&calendar(&format!(
        "{}{}{}",
        vevent(
            "s",
            "RECURRENCE-ID;TZID=Europe/Berlin:20240112T100000\nSUMMARY:moved\n"
        ),
        vevent("other", ""),
        vevent("s", "RRULE:FREQ=WEEKLY;COUNT=4\nSUMMARY:series\n"),
    )));
    assert_eq!(feed.resources.len(), 2);
    let series = &feed.resources[0];
    assert_eq!(series.uid, "s");
    assert_eq!(
        series.master.as_ref().unwrap().summary.as_deref(),
        Some("series")
    );
    assert_eq!(
        series.master.as_ref().unwrap().rrules,
        ["FREQ=WEEKLY;COUNT=4"]
    );
    assert_eq!(series.overrides.len(), 1);
    assert_eq!(
        series.overrides[0].recurrence_id,
        Some(RecurrenceId {
            time: local("20240112T100000", Some("Europe/Berlin")),
            this_and_future: false,
        })
    );
}

#[test]
fn keeps_an_override_whose_master_is_missing() {
    let feed = parse(&calendar(&vevent(
        "lonely",
        "RECURRENCE-ID:20240112T090000Z\nSUMMARY:only this one\n",
    )));
    let resource = &feed.resources[0];
    assert_eq!(resource.master, None);
    assert_eq!(resource.overrides.len(), 1);
    assert_eq!(
        resource.overrides[0].summary.as_deref(),
        Some("only this one")
    );
}

#[test]
fn reads_range_thisandfuture() {
    let feed = parse(&calendar(&vevent(
        "s",
        "RECURRENCE-ID;RANGE=THISANDFUTURE:20240112T090000Z\n",
    )));
    let id = feed.resources[0].overrides[0]
        .recurrence_id
        .clone()
        .unwrap();
    assert!(id.this_and_future);
    assert_eq!(id.time, utc("20240112T090000"));
}

#[test]
fn duplicate_masters_keep_the_higher_sequence_then_the_later_stamp() {
    let feed = parse(&calendar(&format!(
        "{}{}{}",
        vevent("d", "SEQUENCE:2\nSUMMARY:seq2\n"),
        vevent("d", "SEQUENCE:1\nSUMMARY:seq1\n"),
        vevent(
            "d",
            "SEQUENCE:2\nLAST-MODIFIED:20240103T000000Z\nSUMMARY:seq2 later\n"
        ),
    )));
    assert_eq!(only_master(&feed).summary.as_deref(), Some("seq2 later"));
    assert_eq!(feed.warnings.len(), 2, "{:?}", feed.warnings);

    // Same SEQUENCE and LAST-MODIFIED: the later DTSTAMP wins, wherever it is in the file.
    let feed = parse(&calendar(
        "BEGIN:VEVENT\nUID:d\nDTSTAMP:20240301T000000Z\nDTSTART:20240105T090000Z\nSUMMARY:new\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:d\nDTSTAMP:20240201T000000Z\nDTSTART:20240105T090000Z\nSUMMARY:old\nEND:VEVENT\n",
    ));
    assert_eq!(only_master(&feed).summary.as_deref(), Some("new"));
}

#[test]
fn duplicate_overrides_of_one_instance_are_settled_the_same_way() {
    let feed = parse(&calendar(&format!(
        "{}{}{}",
        vevent(
            "d",
            "RECURRENCE-ID:20240112T090000Z\nSEQUENCE:5\nSUMMARY:newer\n"
        ),
        vevent(
            "d",
            "RECURRENCE-ID:20240112T090000Z\nSEQUENCE:4\nSUMMARY:older\n"
        ),
        vevent(
            "d",
            "RECURRENCE-ID:20240119T090000Z\nSUMMARY:another instance\n"
        ),
    )));
    let overrides = &feed.resources[0].overrides;
    assert_eq!(overrides.len(), 2);
    assert_eq!(overrides[0].summary.as_deref(), Some("newer"));
}

#[test]
fn events_without_uid_each_stand_alone() {
    let body = "BEGIN:VEVENT\nDTSTART:20240105T090000Z\nEND:VEVENT\n";
    let feed = parse(&calendar(&format!("{body}{body}")));
    assert_eq!(feed.resources.len(), 2);
    assert!(feed.resources.iter().all(|r| r.uid.is_empty()));
}

#[test]
fn reads_rdates_with_periods() {
    let feed = parse(&calendar(&vevent(
        "r",
        "RDATE;VALUE=PERIOD:20240110T090000Z/20240110T100000Z,20240111T090000Z/PT2H\n\
         RDATE;VALUE=DATE:20240201,20240202\nRDATE;TZID=America/New_York:20240301T080000\n",
    )));
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
    assert_eq!(
        only_master(&feed).rdates,
        vec![
            ParsedDateOrPeriod::Period {
                start: utc("20240110T090000"),
                end: utc("20240110T100000"),
            },
            ParsedDateOrPeriod::PeriodFor {
                start: utc("20240111T090000"),
                duration: TimeDelta::hours(2),
            },
            ParsedDateOrPeriod::Time(date(2024, 2, 1)),
            ParsedDateOrPeriod::Time(date(2024, 2, 2)),
            ParsedDateOrPeriod::Time(local("20240301T080000", Some("America/New_York"))),
        ]
    );
}

#[test]
fn reads_exdates_in_every_form() {
    let feed = parse(&calendar(&vevent(
        "x",
        "RRULE:FREQ=DAILY\nEXDATE;VALUE=DATE:20240106\nEXDATE:20240107T090000Z,20240108T090000Z\n\
         EXDATE;TZID=Europe/Berlin:20240109T100000\nEXDATE:20240110T090000\n",
    )));
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
    assert_eq!(
        only_master(&feed).exdates,
        vec![
            date(2024, 1, 6),
            utc("20240107T090000"),
            utc("20240108T090000"),
            local("20240109T100000", Some("Europe/Berlin")),
            local("20240110T090000", None),
        ]
    );
}

#[test]
fn keeps_duration_when_there_is_no_dtend() {
    let feed = parse(&calendar(&vevent("p", "DURATION:P1DT2H30M\n")));
    let event = only_master(&feed);
    assert_eq!(event.end, None);
    assert_eq!(
        event.duration,
        Some(TimeDelta::days(1) + TimeDelta::hours(2) + TimeDelta::minutes(30))
    );
}

#[test]
fn keeps_several_rrules_and_exrules() {
    let feed = parse(&calendar(&vevent(
        "m",
        "RRULE:FREQ=WEEKLY;BYDAY=MO\nRRULE:FREQ=WEEKLY;BYDAY=FR\nEXRULE:FREQ=MONTHLY;BYMONTHDAY=1\n",
    )));
    let event = only_master(&feed);
    assert_eq!(
        event.rrules,
        ["FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=FR"]
    );
    assert_eq!(event.exrules, ["FREQ=MONTHLY;BYMONTHDAY=1"]);
}

#[test]
fn skips_a_bad_event_with_a_warning_and_keeps_the_rest() {
    let feed = parse(&calendar(&format!(
        "{}{}{}{}{}",
        vevent("good-1", ""),
        "BEGIN:VEVENT\nUID:no-start\nSUMMARY:x\nEND:VEVENT\n",
        vevent("bad-rule", "RRULE:FREQ=SOMETIMES;COUNT=x\n"),
        vevent("bad-exdate", "EXDATE:not-a-date\n"),
        vevent("good-2", ""),
    )));
    let uids: Vec<_> = feed.resources.iter().map(|r| r.uid.as_str()).collect();
    assert_eq!(uids, ["good-1", "good-2"]);
    assert_eq!(feed.warnings.len(), 3, "{:?}", feed.warnings);
    assert!(feed.warnings[0].contains("no-start") && feed.warnings[0].contains("DTSTART"));
    assert!(feed.warnings[1].contains("bad-rule") && feed.warnings[1].contains("RRULE"));
    assert!(feed.warnings[2].contains("bad-exdate") && feed.warnings[2].contains("EXDATE"));
}

/// calcard's lenient parser drops an unknown rule part, which would turn `UNTL=` (a misspelt
/// end) into an endless series: the event is refused instead, its neighbours kept.
#[test]
fn skips_an_event_whose_rule_has_a_misspelt_part() {
    let feed = parse(&calendar(&format!(
        "{}{}{}",
        vevent("misspelt", "RRULE:FREQ=WEEKLY;UNTL=20240301T000000Z\n"),
        vevent("weekly", "RRULE:FREQ=WEEKLY;UNTIL=20240301T000000Z\n"),
        vevent("single", ""),
    )));
    let uids: Vec<_> = feed.resources.iter().map(|r| r.uid.as_str()).collect();
    assert_eq!(uids, ["weekly", "single"]);
    assert_eq!(feed.warnings.len(), 1, "{:?}", feed.warnings);
    assert!(
        feed.warnings[0].contains("misspelt") && feed.warnings[0].contains("UNTL"),
        "{:?}",
        feed.warnings
    );
}

#[test]
fn garbage_never_panics() {
    for input in [
        &b""[..],
        b"\xFF\xFE\x00",
        b"BEGIN:VCALENDAR",
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:",
        b"END:VEVENT\nEND:VCALENDAR\nBEGIN:VEVENT\n",
        b"BEGIN:VEVENT\nDTSTART;VALUE=RECUR:FREQ=DAILY\nRRULE;VALUE=DATE:20240101\nEND:VEVENT\n",
        b"BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nBEGIN:STANDARD\nTZOFFSETTO:+99999\nEND:STANDARD\n",
        b"<html><body>Please log in</body></html>",
    ] {
        let feed = parse(input);
        assert!(feed
            .resources
            .iter()
            .all(|r| r.master.is_some() || !r.overrides.is_empty()));
    }
}

#[test]
fn parses_a_ten_thousand_event_feed() {
    let mut body = String::with_capacity(10_000 * 300);
    for i in 0..10_000 {
        body.push_str(&format!(
            "BEGIN:VEVENT\nUID:event-{i}@example.com\nDTSTAMP:20240101T000000Z\n\
             DTSTART;TZID=Europe/Berlin:20240105T{:02}0000\nDTEND;TZID=Europe/Berlin:20240105T{:02}3000\n\
             SUMMARY:Event number {i}\\, with an escape\nLOCATION:Room {i}\n\
             RRULE:FREQ=WEEKLY;COUNT=10\nEND:VEVENT\n",
            i % 24,
            i % 24
        ));
    }
    let feed = parse(&calendar(&body));
    assert_eq!(feed.resources.len(), 10_000);
    assert!(feed.warnings.is_empty());
}

#[test]
fn empty_recurrence_properties_are_absent_not_broken() {
    let feed = parse(&calendar(&vevent(
        "e",
        "RRULE:\nRDATE:\nEXDATE;VALUE=DATE:\nEXDATE;VALUE=DATE:20240106,,20240107\n",
    )));
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
    let event = only_master(&feed);
    assert!(event.rrules.is_empty() && event.rdates.is_empty());
    assert_eq!(event.exdates, vec![date(2024, 1, 6), date(2024, 1, 7)]);
}

#[test]
fn a_vtimezone_with_an_impossible_offset_is_skipped_and_its_events_kept() {
    let feed = parse(&calendar(&format!(
        "BEGIN:VTIMEZONE\nTZID:Europe/Prague\nBEGIN:STANDARD\nDTSTART:18500101T000000\n\
         TZOFFSETFROM:+5744\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n{}",
        vevent("kept", "")
    )));
    assert!(feed.timezones.is_empty());
    assert_eq!(feed.warnings.len(), 1, "{:?}", feed.warnings);
    assert!(feed.warnings[0].contains("Europe/Prague"));
    assert_eq!(only_master(&feed).uid, "kept");
}

#[test]
fn warnings_are_capped() {
    let body: String = (0..200)
        .map(|i| vevent(&format!("bad-{i}"), "RRULE:FREQ=NEVER\n"))
        .collect();
    let feed = parse(&calendar(&body));
    assert!(feed.resources.is_empty());
    assert_eq!(feed.warnings.len(), MAX_WARNINGS + 1);
    assert_eq!(feed.warnings[MAX_WARNINGS], "… and 150 more warnings");
}

mod hostile {
    use proptest::prelude::*;

    use super::parse;

    /// Lines built from iCalendar's own pieces, shuffled: names, parameters, separators, escapes,
    /// odd bytes, folds and line ends in any order.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "BEGIN:VCALENDAR",
            "END:VCALENDAR",
            "BEGIN:VEVENT",
            "END:VEVENT",
            "BEGIN:VTIMEZONE",
            "END:VTIMEZONE",
            "BEGIN:STANDARD",
            "END:DAYLIGHT",
            "BEGIN:VALARM",
            "UID:",
            "DTSTART",
            "DTEND",
            "RECURRENCE-ID",
            "RRULE:",
            "EXDATE",
            "RDATE",
            "DURATION:",
            "TZOFFSETTO:",
            ";TZID=",
            ";VALUE=DATE",
            ";VALUE=PERIOD",
            ";VALUE=RECUR",
            ";RANGE=THISANDFUTURE",
            ";ENCODING=BASE64",
            ";ENCODING=QUOTED-PRINTABLE",
            ";CHARSET=latin1",
            ":",
            ";",
            ",",
            "=",
            "\"",
            "\\",
            "\\n",
            "\\,",
            "20240105",
            "T090000",
            "Z",
            "/",
            "PT1H",
            "-P1W",
            "+0100",
            "FREQ=DAILY",
            ";COUNT=",
            ";UNTIL=",
            ";BYDAY=-1SU",
            "99999999999",
            "\r\n",
            "\n",
            "\r",
            "\r\n ",
            " ",
            "\t",
            "\u{0}",
            "\u{FEFF}",
            "é",
            "\u{1F600}",
            "=C3=A9=\r\n",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn shuffled_pieces_never_panic(pieces in prop::collection::vec(piece(), 0..120)) {
            let feed = parse(pieces.concat().as_bytes());
            prop_assert!(feed.warnings.len() <= super::MAX_WARNINGS + 1);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            parse(&bytes);
        }
    }
}

/// A feed large enough to be parsed on two threads reads exactly as in one pass: events,
/// overrides whose master is in the other half, warnings and calendar properties in order.
#[test]
fn a_feed_parsed_on_two_threads_reads_as_in_one_pass() {
    let mut body = String::new();
    for i in 0..3000 {
        let extra = match i % 500 {
            0 => "RRULE:FREQ=DAILY;COUNT=3\n".to_owned(),
            7 => "DTEND:broken\n".to_owned(),
            _ => String::new(),
        };
        body.push_str(&vevent(&format!("e{i}"), &extra));
    }
    // An override, in the second half, of a series in the first.
    body.push_str(&vevent(
        "e0",
        "RECURRENCE-ID:20240106T090000Z\nSUMMARY:moved\n",
    ));
    let mut bytes = calendar(&body);
    bytes.extend(calendar("X-WR-CALNAME:Second\nCOLOR:navy\n"));

    let text = unfold::unfold(&bytes);
    let pieces = pieces::pieces(&text).unwrap();
    assert!(pieces.len() >= PARALLEL_PIECES);
    let (mut one_pass, events) = read_pieces(&pieces, &HashMap::new());
    one_pass.resources = group::by_uid(events, &mut one_pass.warnings);
    cap_warnings(&mut one_pass.warnings);

    let parsed = parse(&bytes);
    assert_eq!(parsed, one_pass);
    assert_eq!(parsed.name.as_deref(), Some("Second"));
    assert_eq!(parsed.resources[0].overrides.len(), 1);
    assert_eq!(parsed.warnings.len(), 6, "{:?}", parsed.warnings);
}
