//! What to make of the bytes a feed sends: gunzipped under the size cap (the cap counts the
//! decompressed bytes, so a gzip bomb stops early), decoded to text, recognised as iCalendar or
//! refused, and hashed without its `DTSTAMP` lines so an unchanged calendar is recognised even
//! when the server stamps every answer with the fetch time.

use std::io::Write;

use sha2::{Digest, Sha256};

use crate::http::{read_body, BodyError};
use crate::text::one_line;

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("larger than {0} bytes")]
    TooLarge(usize),
    #[error("unsupported content encoding {0:?}")]
    UnsupportedEncoding(String),
    #[error("corrupt gzip data: {0}")]
    CorruptGzip(String),
    #[error(transparent)]
    Network(reqwest::Error),
}

/// Reads the body, gunzipping it if the server compressed it, never holding more than `cap`
/// bytes of it (compressed or not).
pub async fn read_decompressed(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, ReadError> {
    let encoding = response
        .headers()
        .get(reqwest::header::CONTENT_ENCODING)
        .map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    match encoding.as_str() {
        "" | "identity" => read_body(response, cap).await.map_err(|e| match e {
            BodyError::TooLarge(cap) => ReadError::TooLarge(cap),
            BodyError::Network(e) => ReadError::Network(e),
        }),
        "gzip" | "x-gzip" => {
            if response.content_length().unwrap_or(0) > cap as u64 {
                return Err(ReadError::TooLarge(cap));
            }
            let mut decoder = flate2::write::GzDecoder::new(CappedBuffer::new(cap));
            let mut received = 0usize;
            while let Some(chunk) = response.chunk().await.map_err(ReadError::Network)? {
                received = received.saturating_add(chunk.len());
                if received > cap {
                    return Err(ReadError::TooLarge(cap));
                }
                decoder
                    .write_all(&chunk)
                    .map_err(|e| gzip_error(decoder.get_ref(), e))?;
            }
            decoder
                .try_finish()
                .map_err(|e| gzip_error(decoder.get_ref(), e))?;
            Ok(decoder
                .finish()
                .map_err(|e| ReadError::CorruptGzip(e.to_string()))?
                .bytes)
        }
        other => Err(ReadError::UnsupportedEncoding(one_line(other))),
    }
}

fn gzip_error(buffer: &CappedBuffer, error: std::io::Error) -> ReadError {
    if buffer.overflowed {
        ReadError::TooLarge(buffer.cap)
    } else {
        ReadError::CorruptGzip(error.to_string())
    }
}

/// The decompressor's output: refuses to grow past `cap`, and remembers that it did so the
/// resulting I/O error can be told apart from corrupt input.
struct CappedBuffer {
    bytes: Vec<u8>,
    cap: usize,
    overflowed: bool,
}

impl CappedBuffer {
    fn new(cap: usize) -> Self {
        CappedBuffer {
            bytes: Vec::new(),
            cap,
            overflowed: false,
        }
    }
}

impl Write for CappedBuffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len().saturating_add(data.len()) > self.cap {
            self.overflowed = true;
            return Err(std::io::Error::other("size cap reached"));
        }
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The body as text. iCalendar is UTF-8 by default (RFC 5545 §3.1.4), so a valid UTF-8 body is
/// read as such (without a byte-order mark). Bodies that are not UTF-8 come from old exporters
/// in Latin-1 or its Windows superset: unless the server declared UTF-8 (then invalid bytes
/// become U+FFFD), they are read as Windows-1252, which maps every byte to a character, so no
/// text is lost.
pub fn decode_text(bytes: Vec<u8>, content_type: Option<&str>) -> String {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) if declares_utf8(content_type) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        Err(e) => e.as_bytes().iter().map(|&b| windows_1252(b)).collect(),
    };
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

fn declares_utf8(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        ct.split(';').skip(1).any(|param| {
            param.split_once('=').is_some_and(|(name, value)| {
                name.trim().eq_ignore_ascii_case("charset")
                    && matches!(
                        value.trim().trim_matches('"').to_ascii_lowercase().as_str(),
                        "utf-8" | "utf8"
                    )
            })
        })
    })
}

/// Windows-1252: Latin-1 with printable characters in 0x80–0x9F (the WHATWG encoding standard
/// reads the label `iso-8859-1` this way too).
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9f => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// The start of a body that is not iCalendar, for the error message: its first non-blank
/// line, cleaned for display and shortened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotICalendar {
    pub first_line: String,
}

/// Accepts any body that starts with `BEGIN:VCALENDAR` (after whitespace), whatever the
/// Content-Type said: feeds come as `text/plain`, `application/octet-stream`, even
/// `text/html`, while an HTML login page answered with 200 must never pass for a calendar.
pub fn check_icalendar(text: &str) -> Result<(), NotICalendar> {
    const MARK: &str = "BEGIN:VCALENDAR";
    let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let is_calendar = start
        .get(..MARK.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(MARK));
    if is_calendar {
        return Ok(());
    }
    let first = start.lines().next().unwrap_or("");
    let first: String = one_line(first).chars().take(60).collect();
    Err(NotICalendar { first_line: first })
}

/// A SHA-256 (hex) of the body with `DTSTAMP` lines (and their folded continuations) left out
/// and line endings normalised, so a calendar re-stamped on every request hashes the same.
pub fn content_hash(text: &str) -> String {
    let mut hasher = Sha256::new();
    let mut in_dtstamp = false;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with([' ', '\t']) {
            if in_dtstamp {
                continue;
            }
        } else {
            let name = line.split([':', ';']).next().unwrap_or("");
            in_dtstamp = name.trim().eq_ignore_ascii_case("DTSTAMP");
            if in_dtstamp {
                continue;
            }
        }
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bodies_are_read_as_utf8_without_a_bom() {
        let bytes = "\u{feff}BEGIN:VCALENDAR\r\nX-WR-CALNAME:Fête\r\n"
            .as_bytes()
            .to_vec();
        assert_eq!(
            decode_text(bytes, Some("text/calendar")),
            "BEGIN:VCALENDAR\r\nX-WR-CALNAME:Fête\r\n"
        );
    }

    #[test]
    fn latin1_bodies_are_read_as_windows_1252() {
        let bytes = b"SUMMARY:F\xeate \x80 5\r\n".to_vec();
        let text = decode_text(bytes.clone(), Some("text/calendar; charset=ISO-8859-1"));
        assert_eq!(text, "SUMMARY:Fête € 5\r\n");
        // Undeclared: the same, since the bytes are not UTF-8.
        assert_eq!(decode_text(bytes.clone(), None), text);
        // A server that swears it is UTF-8 gets replacement characters instead.
        assert_eq!(
            decode_text(bytes, Some("text/calendar; Charset=\"UTF-8\"")),
            "SUMMARY:F\u{fffd}te \u{fffd} 5\r\n"
        );
    }

    #[test]
    fn only_bodies_starting_with_begin_vcalendar_pass() {
        assert!(check_icalendar("\u{feff}\r\n  begin:vcalendar\r\n").is_ok());
        assert!(check_icalendar("BEGIN:VCALENDAR\nEND:VCALENDAR").is_ok());
        let html = "\n<!DOCTYPE html>\n<html><title>Sign in</title>";
        assert_eq!(
            check_icalendar(html).unwrap_err().first_line,
            "<!DOCTYPE html>"
        );
        assert_eq!(check_icalendar("").unwrap_err().first_line, "");
        assert!(check_icalendar("BEGIN:VCAL").is_err());
    }

    #[test]
    fn the_hash_ignores_dtstamp_and_line_endings_but_nothing_else() {
        let a = "BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:A\r\nEND:VEVENT\r\n";
        let b = "BEGIN:VEVENT\nDTSTAMP;X=1:20261201T\n 101010Z\nSUMMARY:A\nEND:VEVENT\n";
        let c = "BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:B\r\nEND:VEVENT\r\n";
        assert_eq!(content_hash(a), content_hash(b));
        assert_ne!(content_hash(a), content_hash(c));
        assert_eq!(content_hash(a).len(), 64);
        // A folded line that follows another property is content.
        let d = "SUMMARY:A\r\n B\r\n";
        assert_ne!(content_hash(d), content_hash("SUMMARY:A\r\n"));
    }
}
