//! The password of a CalDAV or iCloud account: from `CALBUDDY_CALDAV_PASSWORD`, or else from
//! standard input — asked for on the terminal without echo, or read as one line from a pipe (so
//! scripts need not put it in the environment). It is never echoed, logged or kept here.

use std::io::{BufRead, IsTerminal};

use calbuddy_engine::secrets::Sensitive;

/// The variable a script sets to give the password without a prompt.
pub const PASSWORD_VAR: &str = "CALBUDDY_CALDAV_PASSWORD";

/// Why no password could be had.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("no password given: set {PASSWORD_VAR} or type it when asked")]
    Missing,
    #[error("cannot read the password: {0}")]
    Read(#[from] std::io::Error),
}

/// The password: the variable when set (even to something a shell would trim), else one line
/// of standard input without its line ending, asked for with `prompt` when it is a terminal.
pub fn read(prompt: &str) -> Result<Sensitive<String>, PasswordError> {
    if let Some(value) = std::env::var_os(PASSWORD_VAR) {
        let value = value.into_string().map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not valid UTF-8")
        })?;
        return non_empty(value);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return non_empty(rpassword::prompt_password(prompt)?);
    }
    from_reader(stdin.lock())
}

/// One line from a pipe: its line ending dropped, nothing else (spaces may be part of it).
fn from_reader(mut input: impl BufRead) -> Result<Sensitive<String>, PasswordError> {
    let mut line = String::new();
    input.read_line(&mut line)?;
    let trimmed = line.strip_suffix('\n').unwrap_or(&line);
    let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
    non_empty(trimmed.to_owned())
}

fn non_empty(password: String) -> Result<Sensitive<String>, PasswordError> {
    if password.is_empty() {
        Err(PasswordError::Missing)
    } else {
        Ok(Sensitive::new(password))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_piped_line_loses_only_its_line_ending() {
        for (input, want) in [
            ("secret\n", "secret"),
            ("secret\r\n", "secret"),
            ("secret", "secret"),
            (" spaced out \n", " spaced out "),
            ("first\nsecond\n", "first"),
        ] {
            let got = from_reader(input.as_bytes()).expect(input);
            assert_eq!(got.expose(), want, "{input:?}");
        }
    }

    #[test]
    fn an_empty_line_or_no_input_is_no_password() {
        for input in ["", "\n", "\r\n"] {
            assert!(
                matches!(from_reader(input.as_bytes()), Err(PasswordError::Missing)),
                "{input:?}"
            );
        }
    }
}
