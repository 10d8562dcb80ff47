//! Limits on the text a provider hands the engine, the same for every service: an oversized
//! field is cut (at a character boundary, marked with "…") rather than the event refused, so
//! its time and the start of its text stay useful and a calendar is not left stale for one bad
//! invitation.

/// The most bytes kept of a title or a calendar's name.
pub const MAX_TITLE: usize = 1024;
/// The most bytes kept of a location.
pub const MAX_LOCATION: usize = 2 * 1024;
/// The most bytes kept of a description. Google's own editor stops at about 8,000 characters;
/// an invitation with more is noise or an attack.
pub const MAX_DESCRIPTION: usize = 64 * 1024;
/// A longer meeting link is not a real one (and a cut link would not work): it is dropped.
pub const MAX_URL: usize = 2 * 1024;

/// Cuts `text` to at most `max` bytes, at a character boundary, marking the cut with "…".
pub fn capped(mut text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push('…');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_is_cut_at_a_character_boundary_and_marked() {
        assert_eq!(capped("short".into(), 10), "short");
        let cut = capped("ééééé".into(), 6);
        assert!(cut.len() <= 6, "{cut}");
        assert_eq!(cut, "é…");
        assert_eq!(capped("x".repeat(100), 10).len(), 10);
    }
}
