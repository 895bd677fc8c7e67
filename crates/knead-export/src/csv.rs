//! Sessions as CSV, one row each, for a spreadsheet.
//!
//! Quoting is left to the `csv` crate, so a note with commas, quotes or line
//! breaks stays one field. Rows end with `\n`. Times are RFC 3339 in UTC; minutes have one
//! decimal; an empty field means "not recorded".

use chrono::{DateTime, SecondsFormat, Utc};
use knead_core::records::SessionSummary;
use knead_core::vocab::{TechniqueId, Vocabulary};

/// The header row, in column order.
pub const HEADER: [&str; 12] = [
    "id",
    "started_at",
    "ended_at",
    "status",
    "pain_before",
    "pain_after",
    "change",
    "region",
    "hands_minutes",
    "foam_roller_minutes",
    "electric_massager_minutes",
    "note",
];

/// The techniques with a minutes column, in column order.
const TECHNIQUE_COLUMNS: [TechniqueId; 3] =
    [TechniqueId::Hands, TechniqueId::FoamRoller, TechniqueId::ElectricMassager];

/// A technique's place in [`TECHNIQUE_COLUMNS`]. The match is exhaustive, so a
/// technique added to the vocabulary does not compile until it has a column.
const fn technique_column(technique: TechniqueId) -> usize {
    match technique {
        TechniqueId::Hands => 0,
        TechniqueId::FoamRoller => 1,
        TechniqueId::ElectricMassager => 2,
    }
}

/// The sessions as CSV with a header row ([`HEADER`]), in the order given.
///
/// `change` is pain after minus pain before (negative is better), empty when
/// no "after" score was given. The minutes columns come from the session's
/// active seconds per technique.
pub fn sessions(sessions: &[SessionSummary]) -> String {
    let mut out = ::csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail, and every row has HEADER.len() fields,
    // so the csv writer has no error to report here.
    out.write_record(HEADER).expect("writing CSV to memory cannot fail");
    for session in sessions {
        out.write_record(row(session)).expect("writing CSV to memory cannot fail");
    }
    let bytes = out.into_inner().expect("flushing CSV to memory cannot fail");
    // Every field came from a `String` or a formatted number: valid UTF-8.
    String::from_utf8(bytes).expect("CSV built from strings is UTF-8")
}

fn row(session: &SessionSummary) -> [String; 12] {
    let mut minutes = [0u32; TECHNIQUE_COLUMNS.len()];
    for (technique, seconds) in &session.usage {
        minutes[technique_column(*technique)] += seconds;
    }
    let [hands, foam_roller, electric_massager] = minutes.map(format_minutes);
    let before = session.pain_before.get();
    let after = session.pain_after.map(|p| p.get());
    [
        session.id.to_string(),
        timestamp(session.started_at),
        session.ended_at.map(timestamp).unwrap_or_default(),
        session.status.as_str().to_owned(),
        before.to_string(),
        after.map(|a| a.to_string()).unwrap_or_default(),
        after.map(|a| (i16::from(a) - i16::from(before)).to_string()).unwrap_or_default(),
        session.region.map(|r| r.as_str().to_owned()).unwrap_or_default(),
        hands,
        foam_roller,
        electric_massager,
        session.note.clone().unwrap_or_default(),
    ]
}

/// RFC 3339 in UTC to the second, e.g. `2026-01-05T07:30:00Z`.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn format_minutes(seconds: u32) -> String {
    format!("{:.1}", f64::from(seconds) / 60.0)
}
