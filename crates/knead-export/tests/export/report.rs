//! The PDF report: its text, read back with poppler's `pdftotext` (an
//! independent PDF reader; `.ci/deps` installs it), holds the key figures.
//! `KNEAD_REPORT_DIR=/tmp cargo test -p knead-export report` also writes
//! `knead-report.pdf` (four weeks, notes, check-ins) there, to look at
//! (`pdftoppm -png -r 60 knead-report.pdf page`).

use crate::fixture::{self, at, pain};
use chrono::{NaiveDate, TimeDelta, Utc};
use knead_core::pack::ContentPack;
use knead_core::records::{CheckIn, Journal, SessionPain, SessionRecord, SessionStatus};
use knead_core::units::ChangeRating;
use knead_core::vocab::TechniqueId;
use knead_export::ExportError;
use knead_export::report::{self, ReportInput};
use std::process::Command;
use uuid::Uuid;

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// The PDF's text, as `pdftotext` reads it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed: run .ci/deps");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

pub fn pages(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdfinfo").arg(&file).output().expect("pdfinfo (poppler-utils) is installed");
    let info = String::from_utf8(out.stdout).unwrap();
    let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap();
    line.trim_start_matches("Pages:").trim().parse().unwrap()
}

/// Words as pdftotext gives them, on one line each way.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every session's pain, as a caller reads it from the store.
fn pains_of(journal: &Journal) -> Vec<SessionPain> {
    journal.sessions.iter().map(SessionPain::from).collect()
}

fn input<'a>(
    pack: &'a ContentPack,
    journal: &'a Journal,
    pains: &'a [SessionPain],
    name: Option<&'a str>,
) -> ReportInput<'a, Utc> {
    ReportInput { pack, journal, pains, name, from: date("2026-01-04"), to: date("2026-01-10"), zone: &Utc }
}

#[test]
fn the_fixture_report_holds_the_key_figures() {
    let pack = ContentPack::builtin().unwrap();
    let journal = fixture::journal();
    let pains = pains_of(&journal);
    let pdf = report::pdf(&input(&pack, &journal, &pains, Some("Alex Example"))).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(pages(&pdf), 1);
    let text = flat(&pdf_text(&pdf));
    for expected in [
        "Name: Alex Example",
        "Period: 2026-01-04 to 2026-01-10 (7 days)",
        // Four sessions on four of the seven days.
        "Sessions done: 4",
        "Days with a session: 4 of 7.",
        // Before: 6, 5, 4, 5; after: 4, 6, 3.
        "Average pain before a session: 5.0 (4 sessions); after: 5.0 (2 sessions, 1 under 60 s of massage left out).",
        // The screenings, newest first, with the rule that set a limit.
        "2026-01-08: self-care",
        "cleared by Dr Rivera on 2026-01-07",
        "history: anticoagulants, smoker",
        "LIM-01: Because you take a blood thinner",
        "2026-01-10: pain over the week 4/10; change since starting +2.",
        "stopped early: too sore",
        "Page 1 of 1.",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
    // The note's line break and quotes survive as text.
    assert!(text.contains("Tight after desk work, \"roll slowly\" helped second line"), "{text}");
}

#[test]
fn the_target_comes_from_the_pack() {
    let pack = ContentPack::builtin().unwrap();
    let journal = fixture::journal();
    let pains = pains_of(&journal);
    let text = flat(&pdf_text(&report::pdf(&input(&pack, &journal, &pains, None)).unwrap()));
    assert!(text.contains("Name: ____"), "{text}");
    // The clearance on 7 January starts the count again: the baseline is
    // the first score after it (4, on 8 January).
    assert!(text.contains("first score 4/10"), "{text}");
    let target = knead_core::outcomes::meaningful_target(&pack.escalation, 4).unwrap();
    let expected =
        format!("Meaningful improvement (at least {}% lower", pack.escalation.min_reduction_percent.value);
    assert!(text.contains(&expected), "{text}");
    assert!(text.contains(&format!("{:.1}/10 or less", f64::from(target) / 10.0)), "{text}");
}

#[test]
fn an_empty_period_says_so_and_a_reversed_one_is_refused() {
    let pack = ContentPack::builtin().unwrap();
    let journal = fixture::journal();
    let pains = pains_of(&journal);
    let later = ReportInput {
        from: date("2026-03-01"),
        to: date("2026-03-28"),
        ..input(&pack, &journal, &pains, None)
    };
    let text = flat(&pdf_text(&report::pdf(&later).unwrap()));
    assert!(text.contains("No sessions in this period."), "{text}");
    assert!(text.contains("Days with a session: 0 of 28."), "{text}");
    assert!(text.contains("(before this period)"), "the latest screening is shown: {text}");

    let reversed = ReportInput {
        from: date("2026-01-10"),
        to: date("2026-01-04"),
        ..input(&pack, &journal, &pains, None)
    };
    let error = report::pdf(&reversed).unwrap_err();
    assert!(
        matches!(&error, ExportError::Report(m) if m.contains("`from`") && m.contains("`to`")),
        "{error}"
    );
}

/// Four weeks of two or three sessions most days, with notes and check-ins.
fn four_weeks() -> Journal {
    let mut journal = fixture::journal();
    journal.sessions.clear();
    journal.checkins.clear();
    let start = at("2026-02-02T07:30:00Z");
    for (i, point) in crate::chart::sixty_days().into_iter().take(40).enumerate() {
        let id = Uuid::from_u128(0x0194_a000_0000_7000_8000_0000_0000_1000 + i as u128);
        let note = match i {
            3 => Some("Stiff after a long drive."),
            11 => Some("Roller felt too hard on the ribs; went back to hands."),
            20 => Some("Slept better."),
            _ => None,
        };
        let technique = if i % 3 == 0 { TechniqueId::FoamRoller } else { TechniqueId::Hands };
        journal.sessions.push(SessionRecord {
            id,
            screening_id: None,
            started_at: point.at,
            ended_at: Some(point.at + TimeDelta::minutes(10)),
            status: if i == 7 { SessionStatus::Stopped } else { SessionStatus::Completed },
            stop_reason: (i == 7).then(|| "pain went up".to_owned()),
            plan: None,
            steps: Vec::new(),
            usage: [(technique, 420)].into(),
            pain_before: point.before,
            pain_after: point.after,
            region: None,
            note: note.map(str::to_owned),
            pack_version: "midback-1".to_owned(),
        });
    }
    for week in 1..=4 {
        journal.checkins.push(CheckIn {
            id: Uuid::from_u128(0x0194_a000_0000_7000_8000_0000_0000_2000 + week),
            at: start + TimeDelta::days(7 * week as i64),
            week_pain: pain(7 - week as i64),
            change: ChangeRating::new(week as i64 - 1).unwrap(),
        });
    }
    journal
}

#[test]
fn four_weeks_fit_on_two_pages_at_most() {
    let pack = ContentPack::builtin().unwrap();
    let journal = four_weeks();
    let pains = pains_of(&journal);
    let input = ReportInput {
        pack: &pack,
        journal: &journal,
        pains: &pains,
        name: Some("Alex Example"),
        from: date("2026-02-02"),
        to: date("2026-03-01"),
        zone: &Utc,
    };
    let pdf = report::pdf(&input).unwrap();
    assert!(pages(&pdf) <= 2);
    let text = flat(&pdf_text(&pdf));
    assert!(text.contains("Period: 2026-02-02 to 2026-03-01 (28 days)"), "{text}");
    assert!(text.contains("Slept better.") && text.contains("stopped early: pain went up"), "{text}");
    if let Some(dir) = std::env::var_os("KNEAD_REPORT_DIR") {
        std::fs::write(std::path::Path::new(&dir).join("knead-report.pdf"), &pdf).unwrap();
        let fixture = report::pdf(&ReportInput { name: None, ..input_for(&pack, &journal, &pains) }).unwrap();
        std::fs::write(std::path::Path::new(&dir).join("knead-report-small.pdf"), fixture).unwrap();
    }
}

fn input_for<'a>(
    pack: &'a ContentPack,
    journal: &'a Journal,
    pains: &'a [SessionPain],
) -> ReportInput<'a, Utc> {
    ReportInput {
        pack,
        journal,
        pains,
        name: None,
        from: date("2026-02-16"),
        to: date("2026-03-01"),
        zone: &Utc,
    }
}

#[test]
fn the_fonts_are_embedded() {
    let pack = ContentPack::builtin().unwrap();
    let journal = fixture::journal();
    let pains = pains_of(&journal);
    let pdf = report::pdf(&input(&pack, &journal, &pains, None)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let out = Command::new("pdffonts").arg(&file).output().expect("pdffonts (poppler-utils) is installed");
    let fonts = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    // Columns: name type encoding emb sub uni ...: every font embedded and subset.
    for row in rows {
        assert!(row.contains("LiberationSans") && row.contains(" yes yes "), "{fonts}");
    }
}
