//! Scratch evaluation of `calcard` and `icalendar` (parser feature) on the iCalendar corpus.
//! Usage: icaleval FILE.ics... > eval.jsonl   (one JSON line per file; compare.py reads it)
use calcard::{
    common::timezone::Tz,
    icalendar::{ICalendar, ICalendarComponentType},
    Entry, Parser,
};
use chrono::{NaiveDate, TimeZone, Utc};
use std::time::Instant;

fn esc(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn summary_cc(text: &str) -> String {
    match ICalendar::parse(text) {
        Ok(c) => c.components.iter().find(|x| x.component_type == ICalendarComponentType::VEvent)
            .and_then(|e| e.property(&calcard::icalendar::ICalendarProperty::Summary))
            .and_then(|p| p.values.first()).and_then(|v| v.as_text()).unwrap_or("<none>").to_string(),
        Err(e) => format!("<error {:?}>", e),
    }
}

fn summary_ic(text: &str) -> String {
    let unfolded = icalendar::parser::unfold(text);
    match icalendar::parser::read_calendar(&unfolded) {
        Ok(c) => c.components.iter().find(|x| x.name.as_str() == "VEVENT")
            .and_then(|e| e.properties.iter().find(|p| p.name.as_str() == "SUMMARY"))
            .map(|p| p.val.as_str().to_string()).unwrap_or("<none>".into()),
        Err(e) => format!("<error {}>", e.lines().next().unwrap_or("")),
    }
}

fn first_start_cc(text: &str) -> String {
    let c = ICalendar::parse(text).unwrap();
    let exp = c.expand_dates(Tz::Tz(chrono_tz::Asia::Tokyo), 10); // default zone Tokyo makes a fallback visible
    exp.events.first().map(|e| format!("{} ({:?})", e.start.with_timezone(&Utc), e.start.timezone())).unwrap_or(format!("no events, errors {:?}", exp.errors))
}

/// Edge cases absent from (or hidden in) the corpus.
fn synthetic() {
    let head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20240101T100000Z\r\n";
    let tail = "END:VEVENT\r\nEND:VCALENDAR\r\n";
    // 1. a fold inside a UTF-8 sequence ("Grüße" folded between 0xC3 and 0xBC)
    let mut raw = format!("{head}SUMMARY:Gr").into_bytes();
    raw.extend_from_slice(&[0xC3, b'\r', b'\n', b' ', 0xBC]);
    raw.extend_from_slice("\u{df}e\r\n".as_bytes());
    raw.extend_from_slice(tail.as_bytes());
    println!("fold inside UTF-8: str::from_utf8 ok = {}", std::str::from_utf8(&raw).is_ok());
    let lossy = String::from_utf8_lossy(&raw).into_owned();
    println!("  calcard on lossy text: {:?}; icalendar: {:?}", summary_cc(&lossy), summary_ic(&lossy));
    let mut unfolded = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        if raw[i..].starts_with(b"\r\n ") { i += 3; continue; }
        unfolded.push(raw[i]); i += 1;
    }
    let u = String::from_utf8(unfolded).unwrap();
    println!("  after unfolding bytes first: calcard {:?}; icalendar {:?}", summary_cc(&u), summary_ic(&u));
    // 2. bare LF and escapes (valid and invalid)
    let t = format!("{head}SUMMARY:a\\, b\\; c\\n d\\\\ e\\x f\\: g\r\n{tail}").replace("\r\n", "\n");
    println!("bare LF + escapes: source {:?}", "a\\, b\\; c\\n d\\\\ e\\x f\\: g");
    println!("  calcard {:?}; icalendar {:?}", summary_cc(&t), summary_ic(&t));
    // 3. zones
    for (label, tzpart, vtz) in [
        ("Windows name, no VTIMEZONE", "TZID=W. Europe Standard Time", ""),
        ("Windows name in quotes", "TZID=\"W. Europe Standard Time\"", ""),
        ("Outlook (UTC+01:00) name", "TZID=\"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna\"", ""),
        ("vendor prefix", "TZID=/mozilla.org/20070129_1/Europe/Berlin", ""),
        ("custom VTIMEZONE +05:30, unknown name", "TZID=My Zone", "BEGIN:VTIMEZONE\r\nTZID:My Zone\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"),
        ("IANA name redefined by VTIMEZONE as +05:30", "TZID=Europe/Berlin", "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"),
        ("floating", "", ""),
    ] {
        let sep = if tzpart.is_empty() { "" } else { ";" };
        let t = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{vtz}BEGIN:VEVENT\r\nUID:x\r\nDTSTART{sep}{tzpart}:20240701T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
        println!("{label}: 10:00 local on 2024-07-01 (default zone Asia/Tokyo) -> calcard {}", first_start_cc(&t));
    }
    // 4. a date-only EXDATE on a timed series; RANGE=THISANDFUTURE
    let t = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Europe/Berlin:20240101T100000\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEXDATE;VALUE=DATE:20240102\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let c = ICalendar::parse(t).unwrap();
    let n = c.expand_dates(Tz::Tz(chrono_tz::Europe::Berlin), 100).events.len();
    println!("date-only EXDATE on a timed daily series of 3: calcard gives {n} occurrences (2 if the EXDATE date is honoured)");
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--synthetic") { return synthetic(); }
    let viewer = chrono_tz::Europe::Berlin;
    let lo = Utc.from_utc_datetime(&NaiveDate::from_ymd_opt(2018, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap());
    let hi = Utc.from_utc_datetime(&NaiveDate::from_ymd_opt(2028, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap());
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap();
        let utf8 = std::str::from_utf8(&bytes).is_ok();
        let text = String::from_utf8_lossy(&bytes).into_owned();

        // ---- calcard: every entry of the file (several VCALENDARs, bare VEVENTs)
        let t = Instant::now();
        let mut parser = Parser::new(&text);
        let mut cals: Vec<ICalendar> = Vec::new();
        let mut cc_err: Option<String> = None;
        let mut guard = 0;
        loop {
            guard += 1;
            if guard > 10_000 { break; }
            match parser.entry() {
                Entry::ICalendar(c) => cals.push(c),
                Entry::Eof => break,
                Entry::InvalidLine(l) => { cc_err.get_or_insert(format!("InvalidLine: {}", l.chars().take(60).collect::<String>())); }
                other => { cc_err.get_or_insert(format!("{:?}", other).chars().take(100).collect()); break; }
            }
        }
        let cc_parse_us = t.elapsed().as_micros();
        let cc_vevents: usize = cals.iter().map(|c| c.components.iter().filter(|x| x.component_type == ICalendarComponentType::VEvent).count()).sum();
        let cc_vtz: usize = cals.iter().map(|c| c.timezones().count()).sum();
        let cc_vtz_resolved: usize = cals.iter().map(|c| c.timezones().filter(|z| z.timezone().is_some()).count()).sum();
        let t = Instant::now();
        let mut starts: Vec<i64> = Vec::new();
        let mut expand_errors = 0usize;
        // calcard's expand_dates has no window: it expands every series from DTSTART and its
        // `limit` is shared by all series of the calendar, so one unbounded series starves the
        // others. Expand one UID at a time (a master with its overrides), 50,000 dates each.
        for c in &cals {
            let mut groups: std::collections::BTreeMap<String, Vec<u32>> = Default::default();
            let mut timed: Vec<u32> = Vec::new();
            for (i, comp) in c.components.iter().enumerate() {
                match comp.component_type {
                    ICalendarComponentType::VEvent => {
                        groups.entry(comp.uid().unwrap_or("").to_string()).or_default().push(i as u32);
                        timed.push(i as u32);
                    }
                    ICalendarComponentType::VTodo | ICalendarComponentType::VJournal
                    | ICalendarComponentType::VFreebusy | ICalendarComponentType::VAvailability => timed.push(i as u32),
                    _ => {}
                }
            }
            for ids in groups.values() {
                let mut one = c.clone();
                let drop: Vec<u32> = timed.iter().copied().filter(|i| !ids.contains(i)).collect();
                one.remove_component_ids(&drop);
                let exp = one.expand_dates(Tz::Tz(viewer), 50_000);
                expand_errors += exp.errors.len();
                for ev in exp.events {
                    if one.components[ev.comp_id as usize].component_type != ICalendarComponentType::VEvent { continue; }
                    let s = if ev.start.timezone().is_floating() {
                        match viewer.from_local_datetime(&ev.start.naive_local()).earliest() { Some(d) => d.with_timezone(&Utc), None => continue }
                    } else { ev.start.with_timezone(&Utc) };
                    let e = match &ev.end {
                        calcard::icalendar::dates::TimeOrDelta::Time(e) => if e.timezone().is_floating() {
                            viewer.from_local_datetime(&e.naive_local()).earliest().map(|d| d.with_timezone(&Utc)).unwrap_or(s)
                        } else { e.with_timezone(&Utc) },
                        calcard::icalendar::dates::TimeOrDelta::Delta(d) => s.checked_add_signed(*d).unwrap_or(s),
                    };
                    let keep = if e <= s { s >= lo && s < hi } else { s < hi && e > lo };
                    if keep { starts.push(s.timestamp()); }
                }
            }
        }
        let cc_expand_us = t.elapsed().as_micros();
        starts.sort();

        // ---- icalendar crate (parser feature): unfold + read_calendar
        let t = Instant::now();
        let unfolded = icalendar::parser::unfold(&text);
        let (ic_ok, ic_vevents, ic_err) = match icalendar::parser::read_calendar(&unfolded) {
            Ok(cal) => {
                fn count(cs: &[icalendar::parser::Component]) -> usize {
                    cs.iter().map(|c| (c.name.as_str() == "VEVENT") as usize + count(&c.components)).sum()
                }
                (true, count(&cal.components), String::new())
            }
            Err(e) => (false, 0, e.lines().next().unwrap_or("").chars().take(100).collect()),
        };
        let ic_parse_us = t.elapsed().as_micros();

        println!(
            "{{\"file\":{},\"utf8\":{},\"cc_ok\":{},\"cc_err\":{},\"cc_cals\":{},\"cc_vevents\":{},\"cc_vtimezones\":{},\"cc_vtimezones_resolved\":{},\"cc_expand_errors\":{},\"cc_parse_us\":{},\"cc_expand_us\":{},\"cc_starts\":{:?},\"ic_ok\":{},\"ic_err\":{},\"ic_vevents\":{},\"ic_parse_us\":{}}}",
            esc(&path), utf8, cc_err.is_none() && !cals.is_empty(), esc(cc_err.as_deref().unwrap_or("")), cals.len(), cc_vevents, cc_vtz, cc_vtz_resolved, expand_errors, cc_parse_us, cc_expand_us, starts, ic_ok, esc(&ic_err), ic_vevents, ic_parse_us
        );
    }
}
