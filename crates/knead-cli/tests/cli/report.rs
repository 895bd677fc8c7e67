//! `knead report --pdf`: a PDF whose text (read back with poppler's
//! `pdftotext`, installed by `.ci/deps`) holds the journal's figures;
//! bad dates are refused with exit 2 and nothing is written.

use crate::support::knead;
use std::path::Path;
use std::process::Command;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = knead().arg("--data-dir").arg(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn ok(dir: &Path, args: &[&str]) {
    let (status, _, stderr) = run(dir, args);
    assert_eq!(status, 0, "{args:?}: {stderr}");
}

pub fn pdf_text(file: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed: run .ci/deps");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn writes_the_period_the_sessions_and_the_averages() {
    let dir = tempfile::tempdir().unwrap();
    for (technique, before, after, at) in [
        ("hands", "6", "4", "2026-10-01 08:00"),
        ("foam_roller", "5", "3", "2026-10-01 19:00"),
        ("hands", "5", "4", "2026-10-03 08:00"),
        // Outside the period: not counted.
        ("hands", "9", "9", "2026-09-01 08:00"),
    ] {
        let args = ["log", "--technique", technique, "--minutes", "5", "--pain-before", before];
        ok(dir.path(), &[&args[..], &["--pain-after", after, "--at", at]].concat());
    }
    let pdf = dir.path().join("report.pdf");
    let (status, stdout, stderr) = run(
        dir.path(),
        &[
            "report",
            "--pdf",
            pdf.to_str().unwrap(),
            "--from",
            "2026-09-28",
            "--to",
            "2026-10-04",
            "--name",
            "Sam",
        ],
    );
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.contains("2026-09-28 to 2026-10-04") && stdout.contains("report.pdf"), "{stdout}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    for expected in [
        "Name: Sam",
        "Period: 2026-09-28 to 2026-10-04 (7 days)",
        "Sessions done: 3 (logged 3). Days with a session: 2 of 7.",
        // Before 6, 5, 5; after 4, 3, 4.
        "Average pain before a session: 5.3 (3 sessions); after: 3.7 (3 sessions).",
        "Knuckle massage: 2 sessions, 10 min",
    ] {
        assert!(text.contains(expected), "no {expected:?} in:\n{text}");
    }
}

#[test]
fn defaults_to_the_last_four_weeks_and_a_blank_name() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("r.pdf");
    ok(dir.path(), &["report", "--pdf", pdf.to_str().unwrap()]);
    let text = pdf_text(&pdf);
    assert!(text.contains("Name: ____") && text.contains("(28 days)"), "{text}");
    assert!(text.contains("No sessions in this period."), "{text}");
}

#[test]
fn bad_dates_are_refused_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("r.pdf");
    let path = pdf.to_str().unwrap();
    for (args, flag) in [
        (&["--from", "2026-10-05", "--to", "2026-10-01"][..], "--from"),
        (&["--from", "5 Oct"], "--from"),
        (&["--to", "2026-13-01"], "--to"),
    ] {
        let (status, _, stderr) = run(dir.path(), &[&["report", "--pdf", path][..], args].concat());
        assert_eq!(status, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
        assert!(!pdf.exists(), "{args:?}: nothing is written");
    }
}
