//! Text that people type, checked once before any store sees it: the same
//! answer on SQLite and PostgreSQL, and from the web and the terminal.
//!
//! Text is trimmed and normalised to NFC (an "é" typed on one device is
//! the same as on another). It may hold no control characters: a NUL is
//! kept by SQLite but refused by PostgreSQL, and the others have no place
//! in a note. Text of several lines may hold line breaks and tabs. Each
//! field has a longest length, in characters, so no note can grow a
//! calendar feed to megabytes.

use crate::{Error, Result};
use unicode_normalization::UnicodeNormalization as _;

/// Whether a field holds one line or several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// One line: no line breaks or tabs.
    One,
    /// Several lines: line breaks and tabs are allowed.
    Many,
}

/// An email address as kept and compared: trimmed and lowercase, so
/// `Ana@x.org ` and `ana@x.org` are one address wherever one is read.
pub fn email(text: &str) -> String {
    text.trim().to_lowercase()
}

/// The longest note on a session, a program or an acknowledgement.
pub const NOTE_MAX_CHARS: usize = 2_000;

/// `value`, trimmed and in NFC, or why not, naming `field`: it must not be
/// empty, must hold at most `max_chars` characters as sent and as kept,
/// and no control character (except line breaks and tabs in
/// [`Lines::Many`]). Counted as sent too, so that the API document's
/// `maxLength` (which counts what is sent) is the whole rule.
pub fn required(field: &str, value: &str, max_chars: usize, lines: Lines) -> Result<String> {
    within(field, value, max_chars)?;
    let text: String = value.trim().nfc().collect();
    if let Some(c) =
        text.chars().find(|c| c.is_control() && !(lines == Lines::Many && matches!(c, '\n' | '\t')))
    {
        return Err(Error::invalid(
            field,
            format!(
                "holds the control character U+{:04X}; allowed: {}",
                u32::from(c),
                match lines {
                    Lines::One => "letters, digits, spaces and punctuation",
                    Lines::Many => "letters, digits, spaces, punctuation, line breaks and tabs",
                }
            ),
        ));
    }
    let n = text.chars().count();
    if n == 0 || n > max_chars {
        return Err(Error::invalid(field, format!("allowed: 1 to {max_chars} characters; this has {n}")));
    }
    Ok(text)
}

/// Refused, naming `field`, when `value` as sent holds more than `max_chars`.
fn within(field: &str, value: &str, max_chars: usize) -> Result<()> {
    let n = value.chars().count();
    if n > max_chars {
        return Err(Error::invalid(field, format!("allowed: 1 to {max_chars} characters; this has {n}")));
    }
    Ok(())
}

/// Like [`required`], but nothing (or only spaces) is `None`.
pub fn optional(field: &str, value: Option<&str>, max_chars: usize, lines: Lines) -> Result<Option<String>> {
    if let Some(value) = value {
        within(field, value, max_chars)?;
    }
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => required(field, v, max_chars, lines).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_counted_as_sent_and_as_kept() {
        assert_eq!(required("note", " ab ", 4, Lines::One).unwrap(), "ab");
        // Five characters as sent, two once trimmed: the API document's
        // maxLength counts what is sent, and so does the rule.
        assert!(required("note", "  ab ", 4, Lines::One).is_err());
        assert!(optional("note", Some("     "), 4, Lines::One).is_err());
        assert_eq!(optional("note", Some("    "), 4, Lines::One).unwrap(), None);
        let e = required("note", "abcde", 4, Lines::One).unwrap_err().to_string();
        assert_eq!(e, "note: allowed: 1 to 4 characters; this has 5");
    }
}
