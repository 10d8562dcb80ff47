//! Byte-level clean-up of an iCalendar body before it is decoded as text: a leading BOM is
//! dropped, CRLF / bare LF / bare CR line ends become LF, and folded lines (RFC 5545 §3.1: a line
//! end followed by one space or tab) are joined.
//!
//! This runs on bytes, not on a `str`, because writers fold at 75 octets and so may split a UTF-8
//! character across two lines; joining first turns the pieces back into one valid character,
//! where decoding first would replace both halves with U+FFFD.

/// The unfolded body, decoded as UTF-8 with invalid sequences replaced (never an error: one bad
/// byte must not cost the whole feed).
pub(crate) fn unfold(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\r' || b == b'\n' {
            // A run of line ends (CRLF, LF or a lone CR; blank lines are not content lines).
            let mut end = i;
            while matches!(bytes.get(end), Some(b'\r' | b'\n')) {
                end += 1;
            }
            if matches!(bytes.get(end), Some(b' ' | b'\t')) {
                // A fold: drop the line ends and the one whitespace character after them. Blank
                // lines before a fold occur (Mozilla exports); python-icalendar joins them too.
                i = end + 1;
            } else {
                out.push(b'\n');
                i = end;
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
    match String::from_utf8(out) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::unfold;

    /// Folds `line` the way writers do: a CRLF and a space every `width` octets, wherever that
    /// falls (inside a UTF-8 character too).
    fn fold(line: &str, width: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, chunk) in line.as_bytes().chunks(width).enumerate() {
            if i > 0 {
                out.extend_from_slice(b"\r\n ");
            }
            out.extend_from_slice(chunk);
        }
        out
    }

    proptest! {
        #[test]
        fn folding_at_any_octet_round_trips(
            value in "[^\\r\\n]{0,200}",
            width in 1usize..80,
        ) {
            let line = format!("SUMMARY:{value}");
            prop_assert_eq!(unfold(&fold(&line, width)), line);
        }
    }

    #[test]
    fn joins_crlf_lf_and_tab_folds() {
        assert_eq!(unfold(b"A:ab\r\n c\r\nB:d\n\te\nC:f"), "A:abc\nB:de\nC:f");
    }

    #[test]
    fn joins_a_fold_inside_a_utf8_character() {
        // "é" is C3 A9; the writer folded between the two bytes.
        assert_eq!(unfold(b"SUMMARY:Caf\xC3\r\n \xA9\r\n"), "SUMMARY:Café\n");
    }

    #[test]
    fn a_fold_after_blank_lines_joins_them() {
        assert_eq!(
            unfold(b"VERSION\r\n\r\n :2.0\r\n\r\nB:1"),
            "VERSION:2.0\nB:1"
        );
    }

    #[test]
    fn drops_a_bom_and_normalises_lone_cr() {
        assert_eq!(unfold(b"\xEF\xBB\xBFA:1\rB:2\r\n"), "A:1\nB:2\n");
    }

    #[test]
    fn replaces_invalid_utf8_instead_of_failing() {
        assert_eq!(unfold(b"A:\xFFx\n"), "A:\u{FFFD}x\n");
    }
}
