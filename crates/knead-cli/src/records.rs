//! The journal commands: `log`, `checkin`, `history`, `progress`,
//! `export` and `import`.

use crate::Failure;
use crate::clock::now_utc;
use crate::journal::Journal;
use crate::text::{self, Style};
use anyhow::Context;
use chrono::{DateTime, Datelike, Local, NaiveDateTime, Timelike, Utc};
use knead_app::Zone;
use knead_app::sessions::Done;
use knead_core::outcomes;
use knead_core::pack::ContentPack;
use knead_core::records::{CheckIn, SessionSummary};
use knead_core::units::{ChangeRating, PainScore};
use knead_core::vocab::{Region, TechniqueId, Vocabulary};
use knead_export::chart::{self, ChartOptions, ProgressPoint};
use knead_store::{Latest, Period, Store, StoreError};
use std::fmt::Write as _;
use std::path::Path;

/// `knead log`: a session done without the guide, kept by the use case
/// (past a dose limit too: the journal keeps what happened), with a
/// warning for each limit it went past.
pub fn log(pack: &ContentPack, journal: &Journal, done: Done) -> Result<String, Failure> {
    let app = journal.app(pack);
    let (technique, minutes) = (pack.technique(done.technique).name.clone(), done.minutes);
    let logged =
        journal.run(app.patient(journal.person()).log_done(done, Zone::Local)).map_err(|e| match e {
            // The field is named as the option that gave it.
            knead_app::Error::Invalid { field, message } => {
                let option = if field == "started_at" { "at" } else { field.as_str() };
                Failure::Input(format!("--{option}: {message}"))
            }
            other => use_case(other),
        })?;
    for limit in &logged.past_limits {
        eprintln!("knead: warning: past a limit, recorded anyway: {limit}");
    }
    let s = &logged.session;
    Ok(format!(
        "Logged: {technique}, {minutes} min, pain {} -> {}, {}.\n",
        s.pain_before,
        s.pain_after.map_or_else(String::new, |p| p.to_string()),
        s.started_at.with_timezone(&Local).format("%Y-%m-%d %H:%M")
    ))
}

/// `knead checkin`: the weekly check-in.
pub fn checkin(
    pack: &ContentPack,
    journal: &Journal,
    week_pain: PainScore,
    change: ChangeRating,
) -> Result<String, Failure> {
    let app = journal.app(pack);
    let record = CheckIn { id: uuid::Uuid::now_v7(), at: app.now(), week_pain, change };
    journal.run(app.patient(journal.person()).add_checkin(&record)).map_err(use_case)?;
    Ok(format!(
        "Check-in saved: pain over the last week {week_pain}/10, change {}.\n",
        knead_core::labels::change(change.get())
    ))
}

/// The sessions `knead history` asked for: the newest `newest` (all when
/// `None`) from the local day `since` on; only those are read.
pub fn history(
    journal: &Journal,
    since: Option<chrono::NaiveDate>,
    newest: Option<u32>,
) -> Result<Latest, Failure> {
    let period = Period { from: since.and_then(|day| Zone::Local.period(day).from), to: None };
    let latest = match newest {
        Some(n) => journal.block(journal.store().latest_session_summaries(journal.person(), period, n)),
        None => journal.summaries(period).map(|sessions| {
            let total = u64::try_from(sessions.len()).unwrap_or(u64::MAX);
            Latest { sessions, total }
        }),
    };
    latest.map_err(store)
}

/// `knead history` as text: the table, then how many older sessions it
/// leaves out and how to see them.
pub fn history_text(latest: &Latest, since: Option<chrono::NaiveDate>) -> String {
    if latest.total == 0 {
        return match since {
            Some(day) => format!("No sessions from {day} on. `knead history --all` lists every one.\n"),
            None => "No sessions yet. `knead start` guides your first one.\n".to_owned(),
        };
    }
    let mut out = history_table(&latest.sessions);
    let shown = u64::try_from(latest.sessions.len()).unwrap_or(u64::MAX);
    let older = latest.total.saturating_sub(shown);
    if older > 0 {
        let (sessions, are) = if older == 1 { ("session is", "it") } else { ("sessions are", "them all") };
        let _ = write!(
            out,
            "\n{}",
            text::wrap(
                &format!(
                    "{} older {sessions} not shown. `knead history --all` lists {are}; \
                     `--limit N` shows the newest N, `--since YYYY-MM-DD` those from a day on.",
                    thousands(older)
                ),
                "",
                ""
            )
        );
    }
    out
}

/// `21900` as `21,900`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// The sessions as a table, oldest first.
fn history_table(sessions: &[SessionSummary]) -> String {
    // About 70 bytes a row; written without format strings that are parsed
    // per row, so ten years of sessions print in a few milliseconds.
    let mut out = String::with_capacity(80 * (sessions.len() + 1));
    let _ = writeln!(
        out,
        "{:<16}  {:<11}  {:>6}  {:>6}  {:>6}  minutes",
        "when", "status", "before", "after", "change"
    );
    for s in sessions {
        let t = s.started_at.with_timezone(&Local);
        let _ = write!(
            out,
            "{:04}-{:02}-{:02} {:02}:{:02}  {:<11}  {:>6}  ",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            s.status.words(),
            s.pain_before.get()
        );
        match s.pain_after {
            Some(a) => {
                let change = i16::from(a.get()) - i16::from(s.pain_before.get());
                let _ = write!(out, "{:>6}  {:>+6}  ", a.get(), change);
            }
            None => out.push_str("     -       -  "),
        }
        let mut first = true;
        for (t, secs) in s.usage.iter().filter(|(_, secs)| **secs > 0) {
            if !first {
                out.push_str(", ");
            }
            first = false;
            let _ = write!(out, "{} {}", short(*t), secs.div_ceil(60));
        }
        out.push('\n');
    }
    out
}

fn short(t: TechniqueId) -> &'static str {
    match t {
        TechniqueId::Hands => "hands",
        TechniqueId::FoamRoller => "roller",
        TechniqueId::ElectricMassager => "massager",
    }
}

/// `knead progress`: pain by day as bars, the change against the
/// meaningful-change threshold, and the escalation flags.
pub fn progress_text(
    pack: &ContentPack,
    journal: &Journal,
    days: u32,
    style: Style,
) -> Result<String, Failure> {
    let app = journal.app(pack);
    let judged = journal.run(app.patient(journal.person()).judge(Zone::Local)).map_err(use_case)?;
    let checkins = journal.block(journal.store().checkins(journal.person())).map_err(store)?;
    let assessment = &judged.assessment;
    let mut out = style.bold("PROGRESS");
    out.push('\n');
    if judged.pains.is_empty() {
        out.push_str("No sessions yet. `knead start` guides your first one.\n");
        return Ok(out);
    }

    let _ = writeln!(out, "Last {days} days (# = pain before, = = pain after, one mark = half a point)");
    let from = judged.today - chrono::Days::new(u64::from(days.saturating_sub(1)));
    for day in judged.by_day(Some(from)) {
        let bar = |v: f64, c: char| c.to_string().repeat((v * 2.0).round() as usize);
        let _ = writeln!(
            out,
            "{}  {:>2}x  {:<20} {:>4.1}",
            day.day.format("%m-%d"),
            day.sessions,
            bar(day.before, '#'),
            day.before
        );
        if let Some(after) = day.after {
            let _ = writeln!(out, "{:<11}{:<20} {:>4.1}", "", bar(after, '='), after);
        }
    }
    if let (Some(base), Some(now)) = (assessment.baseline, assessment.current_tenths) {
        let started = format!(
            "Started at {base}/10; typical pain now {:.1}/10 ({}) after {}.",
            f64::from(now) / 10.0,
            outcomes::change_words(assessment.reduction_percent.unwrap_or(0)),
            text::count(u64::from(assessment.days), "day", "days")
        );
        out.push('\n');
        out.push_str(&text::wrap(&started, "", ""));
        if let Some(target) = assessment.target_tenths {
            let verdict = if assessment.meaningful { "reached" } else { "not reached yet" };
            let points = if u32::from(base) >= pack.escalation.points_apply_from_baseline.value {
                let points = u64::from(pack.escalation.min_reduction_points.value);
                format!(" and {}", text::count(points, "point", "points"))
            } else {
                String::new()
            };
            let target = format!(
                "A meaningful improvement is {:.1}/10 or lower ({}% less{points}): {verdict}.",
                f64::from(target) / 10.0,
                pack.escalation.min_reduction_percent.value,
            );
            out.push_str(&text::wrap(&target, "", ""));
        }
    }
    if let Some(last) = checkins.last() {
        let checkin = format!(
            "Last check-in {}: pain over the week {}/10, {}.",
            last.at.with_timezone(&Local).format("%Y-%m-%d"),
            last.week_pain,
            knead_core::labels::change(last.change.get())
        );
        out.push_str(&text::wrap(&checkin, "", ""));
    }
    if assessment.flags.is_empty() {
        out.push_str("No warning signs in your pain record.\n");
    }
    for flag in &assessment.flags {
        out.push_str(&text::wrap(&flag.message(), "! ", "  "));
    }
    Ok(out)
}

/// The chart of `knead progress --png/--svg`.
pub fn progress_chart(pack: &ContentPack, journal: &Journal, png: bool) -> Result<Vec<u8>, Failure> {
    let app = journal.app(pack);
    let judged = journal.run(app.patient(journal.person()).judge(Zone::Local)).map_err(use_case)?;
    let points: Vec<ProgressPoint> =
        judged.charted().map(|s| ProgressPoint::of(s, judged.counted_min_seconds)).collect();
    let target = judged.chart_target();
    let options = ChartOptions { target, ..ChartOptions::default() };
    let bytes = if png {
        chart::progress_png(&points, &options)
    } else {
        chart::progress_svg(&points, &options).map(String::into_bytes)
    };
    bytes.map_err(|e| Failure::Other(anyhow::anyhow!(e)))
}

/// `knead export`.
pub fn export(pack: &ContentPack, journal: &Journal, format: ExportFormat) -> Result<Vec<u8>, Failure> {
    Ok(match format {
        ExportFormat::Csv => {
            knead_export::csv::sessions(&journal.summaries(Period::default()).map_err(store)?).into_bytes()
        }
        ExportFormat::Json | ExportFormat::Fhir => {
            let all = journal.block(journal.store().export(journal.person(), now_utc())).map_err(store)?;
            if format == ExportFormat::Json {
                knead_export::json::journal(&all).into_bytes()
            } else {
                let patient = format!("urn:uuid:{}", journal.person().0);
                // No program is stored yet, so no CarePlan, and a local
                // journal has no clinicians' messages: the library adds
                // them when given them.
                let input = knead_export::fhir::BundleInput {
                    journal: &all,
                    patient_reference: &patient,
                    questionnaire: &pack.questionnaire,
                    program: None,
                    messages: &[],
                };
                let bundle = knead_export::fhir::journal_bundle(&input);
                let mut text = serde_json::to_string_pretty(&bundle).context("writing FHIR")?;
                text.push('\n');
                text.into_bytes()
            }
        }
    })
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One row per session.
    Csv,
    /// The whole journal; `knead import` takes it back.
    Json,
    /// A FHIR R4 Bundle: the screenings (Questionnaire and responses) and
    /// pain Observations (LOINC 72514-3).
    Fhir,
}

/// `knead import FILE`: all of it or nothing.
pub fn import(journal: &Journal, file: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::Input(format!("cannot read {}: {e}", file.display())))?;
    let data = knead_export::json::read_journal(&text)
        .map_err(|e| Failure::Input(format!("{}: {e}; nothing was imported", file.display())))?;
    let report = journal.block(journal.store().import(journal.person(), &data)).map_err(|e| match e {
        StoreError::Conflict { .. } | StoreError::Invalid(_) => {
            Failure::Input(format!("{}: {e}; nothing was imported", file.display()))
        }
        other => store(other),
    })?;
    Ok(format!(
        "Imported {}; {} already in the journal.\n",
        text::count(u64::from(report.added), "new record", "new records"),
        text::count(u64::from(report.unchanged), "record was", "records were")
    ))
}

fn use_case(e: knead_app::Error) -> Failure {
    Failure::Other(anyhow::Error::new(e).context("reading the journal"))
}

fn store(e: StoreError) -> Failure {
    Failure::Other(anyhow::Error::new(e).context("reading or writing the journal"))
}

/// Parse `--at`: RFC 3339, or a local `YYYY-MM-DD HH:MM` (or `T` between).
pub fn parse_at(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return local
                .and_local_timezone(Local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| format!("{text} does not exist in your time zone"));
        }
    }
    Err(format!("`{text}` is not a time; use 2026-11-24 18:30 or RFC 3339 (2026-11-24T18:30:00Z)"))
}

/// Parse a technique id for clap.
pub fn parse_technique(text: &str) -> Result<TechniqueId, String> {
    TechniqueId::parse(text).ok_or_else(|| format!("allowed: {}", TechniqueId::allowed()))
}

/// Parse a region for clap.
pub fn parse_region(text: &str) -> Result<Region, String> {
    Region::parse(text).ok_or_else(|| format!("allowed: {}", Region::allowed()))
}

/// Parse a 0-10 score for clap.
pub fn parse_pain(text: &str) -> Result<PainScore, String> {
    let n: i64 = text.parse().map_err(|_| "a whole number from 0 to 10".to_owned())?;
    PainScore::new(n).map_err(|e| e.to_string())
}

/// Parse a -3..3 rating for clap.
pub fn parse_change(text: &str) -> Result<ChangeRating, String> {
    let n: i64 = text
        .parse()
        .map_err(|_| "a whole number from -3 (very much worse) to 3 (very much better)".to_owned())?;
    ChangeRating::new(n).map_err(|e| e.to_string())
}
