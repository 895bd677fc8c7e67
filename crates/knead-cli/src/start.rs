//! `knead start`: from "my mid back hurts" to a safe, guided, timed session
//! and a journal entry.
//!
//! The order is the safety order: warnings from the journal, the screening
//! (an emergency stops everything), a clinician's clearance where the
//! contract allows it, today's limits, pain before, the plan, the guided
//! session, pain after and "anything new?" (a new warning sign re-runs the
//! screening), and a summary.

use crate::clock::now_utc;
use crate::journal::Journal;
use crate::questionnaire::{self, Cancelled};
use crate::text::{self, Style};
use crate::tui;
use crate::voice::Voice;
use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use inquire::{Confirm, CustomType, Text};
use knead_app::clearance::Lift;
use knead_app::{Own, Zone};
use knead_core::pack::ContentPack;
use knead_core::planner::Kit;
use knead_core::records::ScreeningRecord;
use knead_core::records::{SessionEnd, SessionRecord, SessionStatus, StepDone};
use knead_core::screening::{self, ScreeningResult};
use knead_core::session::{EndReason, Event, Outcome, Session};
use knead_core::vocab::Disposition;
use knead_store::Store;
use knead_store::sqlite::SqliteStore;
use std::collections::BTreeMap;

/// The person's days are this computer's.
const ZONE: Zone = Zone::Local;

/// Options of `knead start`.
pub struct Options {
    /// Speak the cues.
    pub voice: bool,
    /// Clock speed-up, for demos and tests.
    pub time_scale: u32,
}

/// Run the whole flow.
pub fn run(pack: &ContentPack, journal: &Journal, options: &Options, style: Style) -> anyhow::Result<()> {
    let mut voice = if options.voice {
        Voice::espeak().unwrap_or_else(|why| {
            println!("{why}");
            Voice::off()
        })
    } else {
        Voice::off()
    };
    println!("{}", style.bold("KNEAD: safe self-massage for middle back pain"));
    if journal.interrupted > 0 {
        let (sessions, they) = match journal.interrupted {
            1 => ("session", "it is"),
            _ => ("sessions", "they are"),
        };
        print!(
            "{}",
            text::wrap(
                &format!(
                    "Note: {} earlier {sessions} ended without closing (the program was stopped); \
                     {they} kept as interrupted.",
                    journal.interrupted
                ),
                "",
                ""
            )
        );
    }
    let app = journal.app(pack);
    let own = app.patient(journal.person());
    for flag in &journal.run(own.judge(ZONE))?.assessment.flags {
        print!("{}", text::wrap(&flag.message(), "! ", "  "));
    }

    let intake = match questionnaire::ask(&pack.questionnaire) {
        Ok(intake) => intake,
        Err(Cancelled::ByPerson) => {
            println!("Cancelled. Nothing was saved.");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let (_, screening) = journal.run(own.screen(uuid::Uuid::now_v7(), intake, None))?;
    let result = screening::screen(pack, &screening.intake);
    clear_if_emergency(&result);
    print!("\n{}", text::screening(&result, pack, &Kit::of(&screening.intake), style));
    let screening = match offer_clearance(journal, &own, &screening, pack, style)? {
        Some(cleared) => cleared,
        None => screening,
    };
    let intake = screening.intake.clone();

    let kit = Kit::of(&intake);
    let planned = match journal.run(own.plan_today(screening.id, kit, ZONE)) {
        Ok(planned) => planned,
        Err(knead_app::Error::Refused(refusal)) => {
            let said = match refusal.kind {
                "no-self-care" => "No self-massage today. Your answers are saved in your journal.".to_owned(),
                _ => format!("No session now: {}", refusal.detail),
            };
            print!("\n{}", text::wrap(&said, "", ""));
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    for line in &planned.still_allowed {
        print!("{}", text::wrap(line, "", "  "));
    }
    let plan = planned.plan;

    let asked = (|| -> Result<_, Cancelled> {
        let before = questionnaire::pain(
            &pack.questionnaire,
            "Your pain right now, before you start (0-10)?",
            Some(intake.pain.intensity),
        )?;
        let region = questionnaire::region()?;
        print!("\n{}", text::plan(&Ok(plan.clone()), pack, style));
        let go = Confirm::new("Start the guided session now?").with_default(true).prompt()?;
        Ok((before, region, go))
    })();
    let (before, region, go) = match asked {
        Ok(answers) => answers,
        Err(Cancelled::ByPerson) => {
            println!("Cancelled. Your screening is saved; no session was started.");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    if !go {
        println!("No session started. Your screening is saved.");
        return Ok(());
    }

    let started_at = now_utc();
    let record = SessionRecord {
        id: uuid::Uuid::now_v7(),
        screening_id: Some(screening.id),
        started_at,
        ended_at: None,
        status: SessionStatus::InProgress,
        stop_reason: None,
        plan: Some(serde_json::to_value(&plan)?),
        steps: Vec::new(),
        usage: BTreeMap::new(),
        pain_before: before,
        pain_after: None,
        region: Some(region),
        note: None,
        pack_version: pack.meta.version.clone(),
    };
    journal.block(journal.store().begin_session(journal.person(), &record))?;

    let tui_options = tui::Options { colour: style.colour(), time_scale: options.time_scale };
    let mut kept = 0;
    let finished = tui::run(pack, plan, &tui_options, &mut voice, |event, session| {
        keep_steps(journal, record.id, started_at, event, session, &mut kept)
    })?;

    after_session(pack, journal, &own, &screening, &record, &finished, style)
}

/// Write finished steps to the journal as soon as they end. `kept` counts
/// the records already written: several steps can end in one poll (a
/// clock that jumped), and each must be written once.
fn keep_steps(
    journal: &Journal,
    id: uuid::Uuid,
    started_at: DateTime<Utc>,
    event: &Event,
    session: &Session,
    kept: &mut usize,
) -> anyhow::Result<()> {
    if !matches!(event, Event::StepOver { .. }) {
        return Ok(());
    }
    for step in &session.records()[*kept..] {
        let at = |ms: u64| started_at + chrono::Duration::milliseconds(i64::try_from(ms).unwrap_or(i64::MAX));
        let done = StepDone {
            technique: step.technique,
            step_id: step.step_id.clone(),
            started_at: at(step.started_ms),
            ended_at: at(step.ended_ms),
            active_seconds: u32::try_from(step.active_ms / 1000).unwrap_or(u32::MAX),
            outcome: step.outcome,
        };
        journal
            .block(journal.store().add_step(journal.person(), id, &done))
            .context("writing a step to the journal")?;
        *kept += 1;
    }
    Ok(())
}

/// Where a clinician's clearance would lift what stands between this
/// screening and a session (its advice to see a doctor first, or §4's),
/// say why and ask about one, right here: the person is not sent away to
/// a screening that would not ask. The clearance is checked and kept by
/// the same use case as the web's; the new screening comes back.
fn offer_clearance(
    journal: &Journal,
    own: &Own<'_, SqliteStore>,
    screening: &ScreeningRecord,
    pack: &ContentPack,
    style: Style,
) -> anyhow::Result<Option<ScreeningRecord>> {
    if !matches!(journal.run(own.lift(screening, ZONE))?, Lift::Now(_)) {
        return Ok(None);
    }
    if let Err(knead_app::Error::Refused(stopped)) = journal.run(own.check_progress(ZONE)) {
        print!("\n{}", text::wrap(&stopped.detail, "! ", "  "));
    }
    let ask = || -> Result<Option<(String, NaiveDate)>, Cancelled> {
        if !questionnaire::cleared(&pack.questionnaire)? {
            return Ok(None);
        }
        let by = Text::new("Who cleared you?")
            .with_help_message("e.g. Dr Lee (GP), or the physiotherapy clinic")
            .with_validator(|t: &str| {
                Ok(if t.trim().is_empty() {
                    inquire::validator::Validation::Invalid("Please say who.".into())
                } else {
                    inquire::validator::Validation::Valid
                })
            })
            .prompt()?;
        let today = ZONE.day(now_utc());
        let on: NaiveDate = CustomType::<NaiveDate>::new("On what day? (YYYY-MM-DD)")
            .with_default(today)
            .with_error_message("Please give a date like 2026-11-24.")
            .with_validator(move |d: &NaiveDate| {
                Ok(if *d <= today {
                    inquire::validator::Validation::Valid
                } else {
                    inquire::validator::Validation::Invalid("That day has not come yet.".into())
                })
            })
            .prompt()?;
        Ok(Some((by, on)))
    };
    let (by, on) = match ask() {
        Ok(Some(answers)) => answers,
        Ok(None) | Err(Cancelled::ByPerson) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    match journal.run(own.clear_self(screening, &by, on, ZONE)) {
        Ok(cleared) => {
            let result = screening::screen(pack, &cleared.intake);
            print!("\n{}", text::screening(&result, pack, &Kit::of(&cleared.intake), style));
            Ok(Some(cleared))
        }
        Err(knead_app::Error::Invalid { message, .. }) => {
            print!("\n{}", text::wrap(&format!("The clearance was not recorded: {message}"), "", ""));
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// An emergency gets the whole screen.
fn clear_if_emergency(result: &ScreeningResult) {
    if result.disposition == Disposition::Emergency {
        print!("\x1b[2J\x1b[H");
    }
}

fn after_session(
    pack: &ContentPack,
    journal: &Journal,
    own: &Own<'_, SqliteStore>,
    screening: &ScreeningRecord,
    record: &SessionRecord,
    finished: &tui::Finished,
    style: Style,
) -> anyhow::Result<()> {
    let status = finished.reason.status();
    println!(
        "\n{}",
        style.bold(if status == SessionStatus::Completed { "SESSION COMPLETE" } else { "SESSION STOPPED" })
    );
    let answers = (|| -> Result<_, Cancelled> {
        let after =
            Some(questionnaire::pain(&pack.questionnaire, "Your pain now, after the session (0-10)?", None)?);
        let new = questionnaire::anything_new(&pack.questionnaire)?;
        let note = Text::new("A note for your journal? (optional)").prompt()?;
        Ok((after, new, note))
    })();
    let (after, new, note) = match answers {
        Ok(a) => a,
        Err(Cancelled::ByPerson) => (None, Default::default(), String::new()),
        Err(e) => return Err(e.into()),
    };
    let end = SessionEnd {
        ended_at: now_utc(),
        status,
        stop_reason: finished.stop_reason.clone().or(finished.reason.stop_reason().map(str::to_owned)),
        pain_after: after,
        note: Some(note.trim().to_owned()).filter(|n| !n.is_empty()),
    };
    journal.block(journal.store().finish_session(journal.person(), record.id, &end))?;

    if !new.is_empty() {
        let mut again = screening.intake.clone();
        again.symptoms.extend(new);
        // The clearance stands for the new answers too; new warning signs decide anyway.
        let (_, kept) = journal.run(own.screen(uuid::Uuid::now_v7(), again, screening.clearance.clone()))?;
        let result = screening::screen(pack, &kept.intake);
        clear_if_emergency(&result);
        print!("\n{}", text::screening(&result, pack, &Kit::of(&kept.intake), style));
        if result.disposition >= Disposition::SeeDoctorFirst {
            println!("Stop self-massage for now and follow the advice above.");
            return Ok(());
        }
    }

    let records = finished.session.records();
    let active: u64 = records.iter().map(|r| r.active_ms).sum();
    let massage = u32::try_from(active / 1000).unwrap_or(u32::MAX);
    let skipped = records.iter().filter(|r| r.outcome == Outcome::Skipped).count();
    let steps: usize = finished.session.plan().items.iter().map(|i| i.steps.len()).sum();
    println!("\nSummary");
    println!("  Time massaging: {}", knead_core::labels::duration(massage));
    println!(
        "  Steps done: {} of {steps}{}",
        records.len() - skipped,
        if skipped > 0 { format!(" ({skipped} skipped)") } else { String::new() }
    );
    if finished.reason == EndReason::TooShort {
        println!("  Too little massage to count as a session: kept as stopped early, with no pain change.");
    }
    if let Some(after) = after.filter(|_| status.counts(massage, pack.session_counted_min.value)) {
        let change = i16::from(after.get()) - i16::from(record.pain_before.get());
        let points = text::count(u64::from(change.unsigned_abs()), "point", "points");
        let words = match change {
            c if c < 0 => format!("{points} better"),
            0 => "no change".to_owned(),
            _ => format!("{points} worse"),
        };
        println!("  Pain: {} before, {} after ({words})", record.pain_before, after);
    }
    for flag in &journal.run(own.judge(ZONE))?.assessment.flags {
        print!("{}", text::wrap(&flag.message(), "! ", "  "));
    }
    weekly_checkin(pack, journal)?;
    println!("Saved in your journal. `knead progress` shows how it is going.");
    Ok(())
}

/// Once a week (counted from the first session), two questions on how it is going.
fn weekly_checkin(pack: &ContentPack, journal: &Journal) -> anyhow::Result<()> {
    let now = now_utc();
    let last = journal.block(journal.store().checkins(journal.person()))?.last().map(|c| c.at);
    let first = journal.summaries(knead_store::Period::default())?.first().map(|s| s.started_at);
    let due = match (last, first) {
        (Some(last), _) => now - last >= chrono::Duration::days(7),
        (None, Some(first)) => now - first >= chrono::Duration::days(7),
        (None, None) => false,
    };
    if !due {
        return Ok(());
    }
    println!(
        "
It has been a week: two quick questions for your record."
    );
    let asked = (|| -> Result<_, Cancelled> {
        let pain = questionnaire::pain(
            &pack.questionnaire,
            "Over the last week, how bad has your back pain been on average (0-10)?",
            None,
        )?;
        let change = questionnaire::change()?;
        Ok((pain, change))
    })();
    match asked {
        Ok((week_pain, change)) => {
            let record =
                knead_core::records::CheckIn { id: uuid::Uuid::now_v7(), at: now, week_pain, change };
            journal.block(journal.store().add_checkin(journal.person(), &record))?;
            Ok(())
        }
        Err(Cancelled::ByPerson) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
