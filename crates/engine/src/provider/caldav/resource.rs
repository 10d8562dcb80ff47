//! One CalDAV resource (an href) as a change for its calendar: its iCalendar body parsed and
//! translated the way an ICS feed is (`ics::translate`), its events carrying the server's ETag
//! and the href as their resource id. RFC 4791 §4.1 puts one UID — a master with its
//! overrides — in each resource, so replacing the resource replaces the series whole.

use url::Url;

use crate::model::RemoteChange;
use crate::provider::ics::feed_body::check_icalendar;
use crate::provider::ics::translate::translate_as;
use crate::zones::ZoneDefinitions;

/// The id of the resource at `href`: its path, percent-encoded in one canonical form (the
/// path stays the same when iCloud moves an account to another partition host).
pub fn resource_id(href: &Url) -> String {
    href.path().to_owned()
}

/// What a resource's body means for its calendar.
#[derive(Debug)]
pub struct Translated {
    pub change: RemoteChange,
    /// The body's VTIMEZONE definitions.
    pub zones: ZoneDefinitions,
}

/// Translates the body of the resource at `href`. `Err` says why the body cannot be used
/// (not iCalendar, or iCalendar whose events are all unreadable): the caller skips that
/// resource with a warning and keeps the rest. A body without events (a task in a calendar
/// that also holds tasks) replaces the resource by nothing. `own` is the account's address,
/// when its user name is one (which attendee is the user).
pub fn translate_resource(
    href: &Url,
    etag: Option<&str>,
    body: &str,
    own: Option<&str>,
) -> Result<Translated, String> {
    if let Err(not) = check_icalendar(body) {
        return Err(format!(
            "not iCalendar (it starts with {:?})",
            not.first_line
        ));
    }
    let feed = crate::ical::parse(body.as_bytes());
    if feed.resources.is_empty() && !feed.warnings.is_empty() {
        return Err(crate::text::one_line(&feed.warnings[0]));
    }
    for warning in &feed.warnings {
        tracing::warn!(href = %href.path(), "{}", crate::text::one_line(warning));
    }
    let translated = translate_as(&feed, own);
    let id = resource_id(href);
    let mut events = Vec::new();
    for change in translated.changes {
        let RemoteChange::ReplaceResource {
            resource_id: uid,
            events: mut found,
        } = change
        else {
            continue;
        };
        if uid.starts_with("no-uid-") {
            // An event without a UID is named by its position in the body, which is only
            // unique within this resource: name it by the href instead.
            let rename = |s: &mut String| {
                if let Some(rest) = s.strip_prefix(&uid) {
                    if rest.is_empty() || rest.starts_with('@') {
                        *s = format!("{id}{rest}");
                    }
                }
            };
            for event in &mut found {
                rename(&mut event.external_id);
                if let Some(series) = event.series.as_mut() {
                    rename(&mut series.master_external_id);
                }
            }
        }
        events.append(&mut found);
    }
    if let Some(etag) = etag {
        // The server's ETag changes exactly when the resource does.
        for event in &mut events {
            event.etag = Some(etag.to_owned());
        }
    }
    Ok(Translated {
        change: RemoteChange::ReplaceResource {
            resource_id: id,
            events,
        },
        zones: translated.zones,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn href() -> Url {
        Url::parse("https://dav.example.com/alice/personal/a%20b.ics").unwrap()
    }

    const SERIES: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:s1\r\n\
DTSTART:20261202T100000Z\r\nDTEND:20261202T110000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n\
SUMMARY:Stand-up\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:s1\r\nRECURRENCE-ID:20261203T100000Z\r\n\
DTSTART:20261203T120000Z\r\nDTEND:20261203T130000Z\r\nSUMMARY:Moved\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    fn events(t: &Translated) -> &[crate::model::RemoteEvent] {
        match &t.change {
            RemoteChange::ReplaceResource { events, .. } => events,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_series_with_its_override_is_one_resource_with_the_server_etag() {
        let t = translate_resource(&href(), Some("\"e1\""), SERIES, None).unwrap();
        let RemoteChange::ReplaceResource { resource_id, .. } = &t.change else {
            panic!()
        };
        assert_eq!(resource_id, "/alice/personal/a%20b.ics");
        let events = events(&t);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].external_id, "s1");
        assert!(events[1].external_id.starts_with("s1@"));
        assert!(events.iter().all(|e| e.etag.as_deref() == Some("\"e1\"")));
    }

    #[test]
    fn a_body_that_is_not_icalendar_or_has_only_broken_events_is_refused() {
        let html = translate_resource(&href(), None, "<html>oops</html>", None).unwrap_err();
        assert!(html.contains("not iCalendar"), "{html}");
        let broken = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:no start\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
        let err = translate_resource(&href(), None, broken, None).unwrap_err();
        assert!(err.contains('x'), "{err}");
    }

    #[test]
    fn a_task_only_body_replaces_the_resource_by_nothing() {
        let todo = "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\nSUMMARY:Task\r\nEND:VTODO\r\n\
END:VCALENDAR\r\n";
        let t = translate_resource(&href(), Some("\"1\""), todo, None).unwrap();
        assert!(events(&t).is_empty());
    }

    #[test]
    fn events_without_a_uid_are_named_by_their_href() {
        let body = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261202T100000Z\r\n\
SUMMARY:Anonymous\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let t = translate_resource(&href(), None, body, None).unwrap();
        assert_eq!(events(&t)[0].external_id, "/alice/personal/a%20b.ics");
    }
}
