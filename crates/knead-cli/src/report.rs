//! `knead report --pdf FILE`: the printable report for a clinician.

use crate::Failure;
use crate::journal::Journal;
use anyhow::Context;
use chrono::{DateTime, Days, Local, NaiveDate, Utc};
use knead_core::pack::ContentPack;
use knead_export::report::{self, ReportInput};
use std::path::Path;

/// What `knead report` writes.
pub struct Request<'a> {
    /// The PDF file to write.
    pub pdf: &'a Path,
    /// The first day (default: 27 days before `to`).
    pub from: Option<NaiveDate>,
    /// The last day (default: today).
    pub to: Option<NaiveDate>,
    /// The person's name, if they give it.
    pub name: Option<&'a str>,
}

/// The days the report covers by default: four weeks up to the last day.
const DEFAULT_DAYS: u64 = 28;

/// Make the report from the journal (the sessions of its days in full),
/// write it, and say what was written.
pub fn run(
    pack: &ContentPack,
    journal: &Journal,
    request: &Request<'_>,
    now: DateTime<Utc>,
) -> Result<String, Failure> {
    let to = request.to.unwrap_or_else(|| knead_app::Zone::Local.day(now));
    let from = request.from.unwrap_or_else(|| to - Days::new(DEFAULT_DAYS - 1));
    if from > to {
        return Err(Failure::Input(format!(
            "--from: {from} is after --to ({to}); allowed: a first day on or before the last"
        )));
    }
    let app = journal.app(pack);
    let read = journal
        .run(app.patient(journal.person()).for_report(from, to, knead_app::Zone::Local))
        .map_err(|e| Failure::Other(anyhow::Error::new(e).context("reading the journal")))?;
    let input = ReportInput {
        pack,
        journal: &read.journal,
        pains: &read.pains,
        name: request.name,
        from,
        to,
        zone: &Local,
    };
    let pdf = report::pdf(&input).map_err(|e| Failure::Other(anyhow::anyhow!(e)))?;
    std::fs::write(request.pdf, pdf).with_context(|| format!("writing {}", request.pdf.display()))?;
    Ok(format!("Report for {from} to {to} written to {}\n", request.pdf.display()))
}
