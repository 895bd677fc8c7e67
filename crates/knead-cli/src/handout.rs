//! `knead handout --pdf FILE`: the home program to print, a figure for
//! each step. What goes in is the use case's to decide (knead-app), as on
//! the web: what the newest screening, pain over time and the home program
//! allow, done with what that screening says the person has.

use crate::Failure;
use crate::journal::Journal;
use anyhow::Context;
use chrono::{DateTime, Utc};
use knead_app::Zone;
use knead_core::pack::ContentPack;
use knead_export::handout::{self, HandoutInput};
use std::path::Path;

/// Make the handout, write it to `pdf`, and say what was written; a
/// refusal (a warning sign, pain over time, no screening yet) is said in
/// the use case's words and writes nothing.
pub fn run(
    pack: &ContentPack,
    journal: &Journal,
    pdf: &Path,
    name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, Failure> {
    let app = journal.app(pack);
    let content =
        journal.run(app.patient(journal.person()).handout(None, Zone::Local)).map_err(|e| match e {
            knead_app::Error::Refused(r) => {
                Failure::Other(anyhow::anyhow!("no handout: {}: {}", r.title, r.detail))
            }
            other => Failure::Other(anyhow::Error::new(other).context("reading the journal")),
        })?;
    let input = HandoutInput { pack, handout: &content, name, on: Zone::Local.day(now) };
    let bytes = handout::pdf(&input).map_err(|e| Failure::Other(anyhow::anyhow!(e)))?;
    std::fs::write(pdf, bytes).with_context(|| format!("writing {}", pdf.display()))?;
    Ok(format!("Handout written to {}\n", pdf.display()))
}
