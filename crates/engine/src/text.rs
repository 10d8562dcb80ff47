//! Text from outside (event titles, locations, descriptions, calendar and account names, server
//! error messages) made safe to show where control characters act: a terminal, a tray menu, a
//! notification. Escape sequences are removed whole, other C0/C1 controls and bidi overrides are
//! dropped, and line breaks are flattened where one line is expected.
//!
//! JSON output and the database keep the text exact; these functions are for display only.

/// One line of display text: line breaks and tabs become single spaces, escape sequences,
/// control characters and bidi overrides are removed, and the result is trimmed.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for piece in Cleaned::new(text) {
        match piece {
            Piece::Char(c) if c.is_whitespace() => pending_space = !out.is_empty(),
            Piece::Char(c) => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(c);
            }
            Piece::LineBreak => pending_space = !out.is_empty(),
        }
    }
    out
}

/// Several lines of display text (a description): line breaks are kept as `\n` (CR LF and a
/// lone CR become `\n`), tabs are kept, and escape sequences, other control characters and
/// bidi overrides are removed.
pub fn multi_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in Cleaned::new(text) {
        match piece {
            Piece::Char(c) => out.push(c),
            Piece::LineBreak => out.push('\n'),
        }
    }
    out
}

/// True when `c` is shown as it is: not a control character (other than the ones the callers
/// handle) and not a bidi embedding, override or isolate.
fn is_inert(c: char) -> bool {
    !(c.is_control() || is_bidi_control(c))
}

/// U+202A–U+202E (embeddings and overrides) and U+2066–U+2069 (isolates) reorder the text
/// around them; U+200E/U+200F and U+061C are the implicit marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

enum Piece {
    Char(char),
    LineBreak,
}

/// The characters of a text with escape sequences and controls taken out and every kind of
/// line break reported as one [`Piece::LineBreak`].
struct Cleaned<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl<'a> Cleaned<'a> {
    fn new(text: &'a str) -> Self {
        Cleaned {
            chars: text.chars().peekable(),
        }
    }

    /// Skips the rest of an escape sequence whose ESC (or 8-bit introducer) was just read.
    /// ECMA-48: CSI `[` params final-byte; OSC `]`, DCS `P`, SOS `X`, PM `^`, APC `_` run to
    /// BEL or ST (`ESC \`); any other ESC takes its intermediate bytes and one final byte
    /// (ECMA-35). A sequence that never ends is cut at the end of the text.
    fn skip_sequence(&mut self, introducer: char) {
        let kind = match introducer {
            '\u{1b}' => match self.chars.next() {
                Some('[') => '[',
                Some(c @ (']' | 'P' | 'X' | '^' | '_')) => c,
                Some(' '..='/') => {
                    while self.chars.next_if(|c| (' '..='/').contains(c)).is_some() {}
                    self.chars.next();
                    return;
                }
                _ => return,
            },
            '\u{9b}' => '[',
            _ => ']',
        };
        if kind == '[' {
            // Parameter and intermediate bytes, then one final byte in @..~.
            for c in self.chars.by_ref() {
                if ('@'..='~').contains(&c) || !(' '..='?').contains(&c) {
                    return;
                }
            }
            return;
        }
        while let Some(c) = self.chars.next() {
            match c {
                '\u{7}' | '\u{9c}' => return,
                '\u{1b}' => {
                    if self.chars.peek() == Some(&'\\') {
                        self.chars.next();
                    }
                    return;
                }
                _ => {}
            }
        }
    }
}

impl Iterator for Cleaned<'_> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        loop {
            let c = self.chars.next()?;
            match c {
                '\r' => {
                    if self.chars.peek() == Some(&'\n') {
                        self.chars.next();
                    }
                    return Some(Piece::LineBreak);
                }
                '\n' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                    return Some(Piece::LineBreak)
                }
                '\t' => return Some(Piece::Char('\t')),
                '\u{1b}' | '\u{9b}' | '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => {
                    self.skip_sequence(c)
                }
                c if is_inert(c) => return Some(Piece::Char(c)),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_removed_whole() {
        assert_eq!(one_line("A\u{1b}]0;pwned\u{7}B"), "AB");
        assert_eq!(one_line("\u{1b}]52;c;cm0gLXJmIH4=\u{7}"), "");
        assert_eq!(
            one_line("x\u{1b}]8;;http://evil\u{1b}\\link\u{1b}]8;;\u{1b}\\y"),
            "xlinky"
        );
        assert_eq!(one_line("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(one_line("a\u{9b}2Jb"), "ab");
        assert_eq!(one_line("keep\u{1b}"), "keep");
        assert_eq!(one_line("unterminated\u{1b}]0;title"), "unterminated");
        assert_eq!(one_line("\u{1b}(Bplain"), "plain");
    }

    #[test]
    fn line_tricks_cannot_rewrite_the_line_or_add_lines() {
        assert_eq!(one_line("real\r\u{1b}[Kfake"), "real fake");
        assert_eq!(
            one_line("Lunch\n10:00  Fake meeting\r\n"),
            "Lunch 10:00 Fake meeting"
        );
        assert_eq!(one_line("a\u{2028}b\u{85}c"), "a b c");
        assert_eq!(one_line("back\u{8}\u{8}space"), "backspace");
        assert_eq!(one_line("  padded\t\ttitle  "), "padded title");
    }

    #[test]
    fn bidi_overrides_and_other_controls_are_dropped() {
        assert_eq!(one_line("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(one_line("a\u{2066}b\u{2069}c\u{200F}"), "abc");
        assert_eq!(one_line("nul\u{0}del\u{7f}c1\u{80}\u{9f}"), "nuldelc1");
    }

    #[test]
    fn ordinary_text_is_untouched() {
        for s in [
            "Stand-up",
            "Réunion d'équipe 🎉",
            "会議",
            "שלום עולם",
            "a < b & c",
        ] {
            assert_eq!(one_line(s), s);
            assert_eq!(multi_line(s), s);
        }
    }

    #[test]
    fn multi_line_keeps_lines_and_tabs() {
        assert_eq!(
            multi_line("one\r\ntwo\rthree\nfour"),
            "one\ntwo\nthree\nfour"
        );
        assert_eq!(multi_line("a\tb"), "a\tb");
        assert_eq!(multi_line("x\u{1b}[2Jy\u{7}\u{202D}z"), "xyz");
    }
}
