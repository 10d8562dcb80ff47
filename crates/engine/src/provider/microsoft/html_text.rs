//! HTML event bodies (Outlook writes invitations as HTML) reduced to plain text. The HTML comes
//! from whoever sent the invitation, so it is never rendered: tags are dropped, the content of
//! `<script>`, `<style>`, `<head>`, `<title>` and comments is dropped, block ends and `<br>`
//! become line breaks, entities are decoded, and runs of blank lines are collapsed.
//!
//! A small scanner rather than an HTML parser crate: the output is only ever shown as text, so
//! a mistake can at worst show a stray `<` — and the one HTML5 parser in the tree (html5ever)
//! would be a large dependency for that.

/// Elements whose content is not text for a reader.
const HIDDEN: [&str; 5] = ["script", "style", "head", "title", "xml"];

/// Elements whose start or end breaks the line.
const BLOCKS: [&str; 20] = [
    "br",
    "p",
    "div",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "hr",
    "section",
    "article",
    "dd",
];

/// The plain text of an HTML fragment or document.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        push_text(&mut out, &rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(end) = tag_end(rest) else {
            // A `<` that opens no tag ("a < b") is text.
            push_text(&mut out, "<");
            rest = &rest[1..];
            continue;
        };
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        let (closing, name) = tag_name(tag);
        if !closing && HIDDEN.contains(&name.as_str()) && !tag.ends_with('/') {
            rest = skip_past_close(rest, &name);
        } else if name == "br" {
            line_break(&mut out, true);
        } else if BLOCKS.contains(&name.as_str()) {
            line_break(&mut out, false);
        } else if (name == "td" || name == "th") && !out.is_empty() && !out.ends_with([' ', '\n']) {
            out.push(' ');
        }
    }
    push_text(&mut out, rest);
    tidy(&out)
}

/// Ends the line: always for `<br>`, once for the edges of blocks (`</div><div>` is one
/// break, not a blank line).
fn line_break(out: &mut String, always: bool) {
    out.truncate(out.trim_end_matches(' ').len());
    if always || !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Where the tag starting at `s[0] == '<'` ends (the index of its `>`), if `s` starts a tag:
/// `<` followed by a letter, `/` or `!`. Quoted attribute values may contain `>`.
fn tag_end(s: &str) -> Option<usize> {
    let first = s[1..].chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '/' || first == '!' || first == '?') {
        return None;
    }
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// Whether the tag closes, and its lower-case name.
fn tag_name(tag: &str) -> (bool, String) {
    let (closing, body) = match tag.strip_prefix('/') {
        Some(body) => (true, body),
        None => (false, tag),
    };
    let name = body
        .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    (closing, name)
}

/// The text after the `</name>` that closes a hidden element (nothing if it never closes).
fn skip_past_close<'a>(rest: &'a str, name: &str) -> &'a str {
    let lower = rest.to_ascii_lowercase();
    let close = format!("</{name}");
    match lower.find(&close) {
        Some(at) => {
            let after = &rest[at..];
            after.find('>').map_or("", |end| &after[end + 1..])
        }
        None => "",
    }
}

/// Appends text between tags: whitespace runs (HTML's own line breaks included) become one
/// space, entities are decoded.
fn push_text(out: &mut String, text: &str) {
    let decoded = crate::html_entities::decode(text);
    let mut space = false;
    for c in decoded.chars() {
        // A non-breaking space is a space to a reader of plain text.
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.ends_with([' ', '\n']) && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    if space && !out.ends_with([' ', '\n']) && !out.is_empty() {
        out.push(' ');
    }
}

/// Trims each line, and keeps at most one blank line in a row and none at the ends.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_teams_invitation_reads_as_text() {
        // The shape Outlook writes (trimmed): a head with styles, Word tags, a Teams block.
        let html = "<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n\
            <style type=\"text/css\" style=\"display:none\">\r\n<!--\r\np\r\n\t{margin-top:0;\r\n\tmargin-bottom:0}\r\n-->\r\n</style>\r\n</head>\r\n\
            <body dir=\"ltr\">\r\n<div class=\"elementToProof\">Agenda:&nbsp;Q3 &amp; Q4 plans</div>\r\n\
            <div>Bring <b>numbers</b>.<br>Thanks!</div>\r\n<!-- a comment with <b>tags</b> -->\r\n\
            <div style=\"width:100%\"><span style=\"white-space:nowrap\">________________</span>\r\n\
            <div><span>Microsoft Teams meeting</span></div>\r\n\
            <a href=\"https://teams.microsoft.com/l/meetup-join/19%3ameeting_N2Q%40thread.v2/0?context=%7b%7d\" title=\"Meeting Join Link\">Join the meeting now</a>\r\n\
            <p>Meeting ID: 123 456 789&#160;&#x41;</p></div>\r\n<script>alert('x')</script></body>\r\n</html>";
        assert_eq!(
            to_text(html),
            "Agenda: Q3 & Q4 plans\nBring numbers.\nThanks!\n________________\n\
             Microsoft Teams meeting\nJoin the meeting now\nMeeting ID: 123 456 789 A"
        );
    }

    #[test]
    fn markup_inside_text_and_odd_input_stay_text() {
        assert_eq!(to_text("a < b and c > d"), "a < b and c > d");
        assert_eq!(to_text("&lt;b&gt;not bold&lt;/b&gt;"), "<b>not bold</b>");
        assert_eq!(
            to_text("AT&T &unknown; &#0; &#xZZ; & x;"),
            "AT&T &unknown; &#0; &#xZZ; & x;"
        );
        assert_eq!(
            to_text("<a title=\"a > b\">link</a> <p>one</p><p>two</p>"),
            "link\none\ntwo"
        );
        assert_eq!(to_text("<p>1</p><br><br><br><br><p>2</p>"), "1\n\n2");
        assert_eq!(to_text("<td>a</td><td>b</td>"), "a b");
        // Unclosed things end the text instead of looping or panicking.
        assert_eq!(to_text("x<script>never closed"), "x");
        assert_eq!(to_text("x<!-- never closed"), "x");
        assert_eq!(to_text("x <b"), "x <b");
        assert_eq!(to_text("<STYLE>p{}</STYLE>Hi"), "Hi");
        assert_eq!(to_text("é&eacute;—&#8212;😀&#x1F600;"), "éé——😀😀");
        assert_eq!(to_text(""), "");
    }
}
