//! Cuts an unfolded feed into pieces calcard can parse one at a time: each VCALENDAR's own
//! properties (wrapped as a VCALENDAR without components) and each of its components. calcard
//! builds a whole VCALENDAR as one tree, which for a feed of 10,000 events is tens of
//! megabytes held at once; piece by piece, only one event's tree is alive at a time.
//!
//! Only a cleanly nested feed is cut: anything else (a missing END, a stray line, a bare
//! VEVENT) is left whole to calcard's lenient parser, which knows best what to make of it.

/// One piece to parse on its own.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// A VCALENDAR's properties, as a VCALENDAR of its own.
    Properties(String),
    /// One component (VEVENT, VTIMEZONE, …) with its sub-components, as written.
    Component(&'a str),
}

/// The pieces of `text` (one content line per line, as `unfold` leaves it), in order of
/// their END lines; `None` if its nesting is not clean.
pub(crate) fn pieces(text: &str) -> Option<Vec<Piece<'_>>> {
    let mut pieces = Vec::new();
    // Inside a VCALENDAR: its properties so far, and the component being read (its start,
    // name and depth).
    let mut calendar: Option<String> = None;
    let mut component: Option<(usize, &str, usize)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let (name, value) = content.split_once(':').unwrap_or((content, ""));
        let begin = name.trim().eq_ignore_ascii_case("BEGIN");
        let end = name.trim().eq_ignore_ascii_case("END");
        let value = value.trim();
        match (&mut calendar, &mut component) {
            (None, _) if content.trim().is_empty() => {}
            (None, _) if begin && value.eq_ignore_ascii_case("VCALENDAR") => {
                calendar = Some(String::from("BEGIN:VCALENDAR\n"));
            }
            (None, _) => return None,
            (Some(properties), None) if end && value.eq_ignore_ascii_case("VCALENDAR") => {
                properties.push_str("END:VCALENDAR\n");
                pieces.push(Piece::Properties(std::mem::take(properties)));
                calendar = None;
            }
            (Some(_), None) if begin => component = Some((start, value, 1)),
            (Some(_), None) if end => return None,
            (Some(properties), None) => {
                properties.push_str(content);
                properties.push('\n');
            }
            (Some(_), Some((from, kind, depth))) => {
                if begin {
                    *depth += 1;
                } else if end {
                    *depth -= 1;
                    if *depth == 0 {
                        if !value.eq_ignore_ascii_case(kind) {
                            return None;
                        }
                        pieces.push(Piece::Component(&text[*from..offset]));
                        component = None;
                    }
                }
            }
        }
    }
    (calendar.is_none() && component.is_none()).then_some(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_feed_is_cut_into_properties_and_components() {
        let text = "BEGIN:VCALENDAR\nVERSION:2.0\nX-WR-CALNAME:A\n\
                    BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nEND:STANDARD\nEND:VTIMEZONE\n\
                    BEGIN:VEVENT\nUID:1\nBEGIN:VALARM\nEND:VALARM\nEND:VEVENT\n\
                    END:VCALENDAR\n\nBEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:2\nEND:VEVENT\n\
                    END:VCALENDAR\n";
        let pieces = pieces(text).unwrap();
        assert_eq!(
            pieces,
            [
                Piece::Component(
                    "BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nEND:STANDARD\nEND:VTIMEZONE\n"
                ),
                Piece::Component("BEGIN:VEVENT\nUID:1\nBEGIN:VALARM\nEND:VALARM\nEND:VEVENT\n"),
                Piece::Properties(
                    "BEGIN:VCALENDAR\nVERSION:2.0\nX-WR-CALNAME:A\nEND:VCALENDAR\n".into()
                ),
                Piece::Component("BEGIN:VEVENT\nUID:2\nEND:VEVENT\n"),
                Piece::Properties("BEGIN:VCALENDAR\nEND:VCALENDAR\n".into()),
            ]
        );
    }

    #[test]
    fn anything_not_cleanly_nested_is_left_whole() {
        for text in [
            "BEGIN:VEVENT\nUID:1\nEND:VEVENT\n",
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nEND:VCALENDAR\n",
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nEND:VTODO\nEND:VCALENDAR\n",
            "BEGIN:VCALENDAR\nEND:VEVENT\nEND:VCALENDAR\n",
            "BEGIN:VCALENDAR\nVERSION:2.0\n",
            "<html>\nBEGIN:VCALENDAR\nEND:VCALENDAR\n",
        ] {
            assert_eq!(pieces(text), None, "{text:?}");
        }
    }
}
