//! `knead remind`: the home program as calendar reminders (iCalendar).

use crate::Failure;
use anyhow::Context;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use knead_core::pack::ContentPack;
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

/// Check the request against the pack, write the file, and say what was written.
pub fn run(pack: &ContentPack, request: &Request<'_>, now: DateTime<Utc>) -> Result<String, Failure> {
    let times = parse_times(request.times)?;
    let limit = &pack.daily_sessions_max;
    if times.len() > limit.value as usize {
        return Err(Failure::Input(format!(
            "--times: {} reminders a day is more than the {} sessions a day allowed (daily.sessions_max: {})",
            times.len(),
            limit.value,
            limit.source
        )));
    }
    let plan = ReminderPlan { times, start: request.start, days: request.days };
    let text = ical::reminders(&plan, now);
    std::fs::write(request.ics, text).with_context(|| format!("writing {}", request.ics.display()))?;
    let listed: Vec<String> = plan.times.iter().map(|t| t.format("%H:%M").to_string()).collect();
    Ok(format!(
        "Reminders written to {}: {} a day ({}) for {} day(s) from {}.\n",
        request.ics.display(),
        plan.times.len(),
        listed.join(", "),
        plan.days,
        plan.start.format("%Y-%m-%d")
    ))
}

/// `--times`: `HH:MM` separated by commas, each once; returned sorted.
fn parse_times(text: &str) -> Result<Vec<NaiveTime>, Failure> {
    let mut times = Vec::new();
    for part in text.split(',').map(str::trim) {
        let time = parse_time(part).ok_or_else(|| {
            Failure::Input(format!("--times: `{part}` is not a time; use HH:MM, e.g. 08:00,13:00"))
        })?;
        if times.contains(&time) {
            return Err(Failure::Input(format!("--times: {part} is given twice")));
        }
        times.push(time);
    }
    times.sort();
    Ok(times)
}

/// `HH:MM`, two digits each, 00:00 to 23:59.
fn parse_time(text: &str) -> Option<NaiveTime> {
    let bytes = text.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return None;
    }
    NaiveTime::parse_from_str(text, "%H:%M").ok()
}

/// Parse `--start` for clap: `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| format!("`{text}` is not a date; use YYYY-MM-DD"))
}
