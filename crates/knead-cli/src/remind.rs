//! `knead remind`: the home program as calendar reminders (iCalendar).

use crate::Failure;
use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use knead_core::pack::ContentPack;
use knead_core::reminders::ReminderTimes;
use knead_export::ical::{self, ReminderPlan};
use std::path::Path;

/// What `knead remind` writes.
pub struct Request<'a> {
    /// The file to write.
    pub ics: &'a Path,
    /// `--times` as typed: `HH:MM` separated by commas.
    pub times: &'a str,
    /// How many days.
    pub days: u32,
    /// The first day.
    pub start: NaiveDate,
}

/// Check the times against the pack's daily limit, write the file, and say what was written.
pub fn run(pack: &ContentPack, request: &Request<'_>, now: DateTime<Utc>) -> Result<String, Failure> {
    let times = ReminderTimes::parse(request.times.split(','), pack, None)
        .map_err(|e| Failure::Input(format!("--{}: {e}", e.field())))?
        .into_times();
    let plan = ReminderPlan { times, start: request.start, days: request.days };
    let text = ical::reminders(&plan, now);
    std::fs::write(request.ics, text).with_context(|| format!("writing {}", request.ics.display()))?;
    let listed: Vec<String> = plan.times.iter().map(|t| t.format("%H:%M").to_string()).collect();
    Ok(format!(
        "Reminders written to {}: {} a day ({}) for {} from {}.\n",
        request.ics.display(),
        plan.times.len(),
        listed.join(", "),
        crate::text::count(u64::from(plan.days), "day", "days"),
        plan.start.format("%Y-%m-%d")
    ))
}

/// Parse `--start` for clap: `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| format!("`{text}` is not a date; use YYYY-MM-DD"))
}
