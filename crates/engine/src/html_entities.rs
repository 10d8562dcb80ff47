//! HTML character references (`&amp;`, `&#8211;`, `&nbsp;` …) decoded to text: numeric ones and
//! the named ones invitations use; anything else is left as written. Used where HTML-ish text
//! from outside is read as text (meeting links in descriptions, Outlook's HTML bodies).

use std::borrow::Cow;

/// Decodes character references: numeric ones and the named ones invitations use.
pub fn decode(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // A reference is short; a `;` further on belongs to something else.
        let decoded = rest[1..]
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .and_then(|(end, _)| Some((entity(&rest[1..1 + end])?, end + 2)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// The character a reference's name (between `&` and `;`) stands for.
fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        // NUL and controls are not text; the display layer drops the rest.
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        "eacute" => 'é',
        "egrave" => 'è',
        "aacute" => 'á',
        "agrave" => 'à',
        "ccedil" => 'ç',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_decoded_and_anything_else_left_as_written() {
        assert_eq!(
            decode("a &amp; b &lt;c&gt; &#8211; &#x2014; caf&eacute;"),
            "a & b <c> – — café"
        );
        assert_eq!(decode("AT&T &unknown; & ;"), "AT&T &unknown; & ;");
        assert_eq!(decode("&#0; &#xD800;"), "&#0; &#xD800;");
        assert!(matches!(decode("plain"), Cow::Borrowed("plain")));
    }
}
