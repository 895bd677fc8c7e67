//! The whole journal as JSON: the export, and the reading of it for import.
//!
//! The JSON is the serde form of [`Journal`], so an export reads back without
//! loss. Reading checks `format` and `version` before anything else, so a
//! journal from a newer Knead is refused as "too new" rather than with a
//! puzzling "unknown field" further down.

use crate::ExportError;
use knead_core::records::Journal;
use serde::Deserialize;
use serde_json::error::Category;

/// The journal as pretty-printed JSON.
pub fn journal(journal: &Journal) -> String {
    // Every map in a journal has string keys (technique words or JSON
    // objects), and no record's `Serialize` can fail, so serde_json has no
    // error to report here.
    serde_json::to_string_pretty(journal).expect("a journal always serialises to JSON")
}

/// [`journal`]'s text with [`Spliced::PLACE`](crate::spliced::Spliced::PLACE)
/// for its sessions (those of `head` are left out): a server writes the
/// sessions a page at a time into the gap and sends the same text
/// without holding the journal. Made from the text, not a
/// `serde_json::Value`, which would sort the fields.
pub fn journal_frame(head: &Journal) -> String {
    let empty = Journal { sessions: Vec::new(), ..head.clone() };
    let place = format!("\n  \"sessions\": [\n    \"{}\"\n  ]", crate::spliced::Spliced::PLACE);
    // The journal's own `sessions` is the only one two spaces in.
    journal(&empty).replacen("\n  \"sessions\": []", &place, 1)
}

/// The two fields read first, to know whether the rest can be read at all.
#[derive(Deserialize)]
#[serde(rename = "Journal")]
struct Header {
    format: String,
    version: u32,
}

/// Reads a journal exported by [`journal`] (or by any Knead that writes
/// journal version 1 or older).
///
/// # Errors
///
/// - [`ExportError::Syntax`] if the text is not JSON;
/// - [`ExportError::Format`] if `format` is not `knead-journal`;
/// - [`ExportError::TooNew`] if `version` is newer than [`Journal::VERSION`];
/// - [`ExportError::Field`] for a missing, unknown or invalid field, with its
///   path (e.g. `sessions[2].pain_after`) and what is allowed.
pub fn read_journal(text: &str) -> Result<Journal, ExportError> {
    let header: Header = deserialize(text)?;
    if header.format != Journal::FORMAT {
        return Err(ExportError::Format { found: header.format });
    }
    if header.version > Journal::VERSION {
        return Err(ExportError::TooNew { found: header.version, supported: Journal::VERSION });
    }
    if header.version == 0 {
        return Err(ExportError::Field {
            field: "version".to_owned(),
            message: format!("0 is not a journal version; allowed: 1 to {}", Journal::VERSION),
        });
    }
    deserialize(text)
}

fn deserialize<'de, T: Deserialize<'de>>(text: &'de str) -> Result<T, ExportError> {
    let mut json = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut json).map_err(field_error)?;
    // Refuse trailing text after the journal, as serde_json::from_str does.
    json.end().map_err(|e| ExportError::Syntax(e.to_string()))?;
    Ok(value)
}

fn field_error(error: serde_path_to_error::Error<serde_json::Error>) -> ExportError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    match inner.classify() {
        Category::Syntax | Category::Eof | Category::Io => ExportError::Syntax(inner.to_string()),
        Category::Data => ExportError::Field {
            // serde_path_to_error writes the top level as ".".
            field: if path == "." { "(top level)".to_owned() } else { path },
            message: inner.to_string(),
        },
    }
}
