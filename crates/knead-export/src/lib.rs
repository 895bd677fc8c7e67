//! Knead's exports: the journal as CSV, as JSON (and back), as FHIR R4, the
//! progress chart as SVG or PNG, the home program as iCalendar reminders and
//! as a handout to print (PDF), and the printable report for a clinician (PDF).
//!
//! Every function here takes records and returns text or bytes; none reads
//! a clock, a file or the environment, so the same journal always exports to
//! the same output (the snapshot tests depend on it). Writing the result
//! somewhere is the caller's job (`knead export`, the web app).
//!
//! - [`csv::sessions`]: one row per session, for a spreadsheet.
//! - [`json::journal`] and [`json::read_journal`]: the whole journal, the
//!   form `knead import` takes back.
//! - [`fhir::journal_bundle`]: the screenings, the home program, the pain
//!   scores and the messages as one FHIR R4 `Bundle` (Questionnaire and
//!   QuestionnaireResponses, CarePlan, Observations with LOINC 72514-3,
//!   Communications), for a clinician's system.
//! - [`chart::progress_svg`] and [`chart::progress_png`]: pain over time,
//!   drawn with a bundled font so that no system font is needed.
//! - [`ical::reminders`]: the home program as daily recurring calendar
//!   events with an alarm (RFC 5545), for a calendar app.
//! - [`report::pdf`]: one or two A4 pages for a clinician, as a PDF.
//! - [`handout::pdf`]: the home program to print, a figure for each step,
//!   with its doses and the warning signs, as a PDF.

pub mod chart;
pub mod csv;
pub mod fhir;
pub mod handout;
pub mod ical;
pub mod json;
mod pdf;
pub mod report;
pub mod spliced;

/// Why an export or an import failed. Each message names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The text is not JSON at all (or stops early).
    #[error("the journal is not valid JSON: {0}")]
    Syntax(String),
    /// A field is missing, unknown, or holds a value that is not allowed.
    #[error("journal field `{field}`: {message}")]
    Field {
        /// Where, as a path such as `sessions[2].pain_after`.
        field: String,
        /// What is wrong, and what is allowed.
        message: String,
    },
    /// The `format` field is not `knead-journal`: this is not a Knead journal.
    #[error(
        "journal field `format` is {found:?}; expected \"knead-journal\" (is this a Knead journal export?)"
    )]
    Format {
        /// The `format` found.
        found: String,
    },
    /// The `version` field is newer than this build reads.
    #[error(
        "journal field `version` is {found}; this Knead reads journal versions up to {supported}: update Knead to import it"
    )]
    TooNew {
        /// The `version` found.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// The chart could not be drawn.
    #[error("could not draw the progress chart: {0}")]
    Chart(String),
    /// The report could not be made.
    #[error("could not make the report: {0}")]
    Report(String),
    /// A printed document (the report, the handout) could not be drawn.
    #[error("could not draw the PDF: {0}")]
    Pdf(String),
}
