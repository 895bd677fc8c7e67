//! The journal commands through the binary: log, checkin, history,
//! progress, export and import, on a fresh data directory each.

use crate::support::knead;

fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = knead().arg("--data-dir").arg(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn ok(dir: &std::path::Path, args: &[&str]) -> String {
    let (status, stdout, stderr) = run(dir, args);
    assert_eq!(status, 0, "{args:?}: {stderr}");
    stdout
}

fn log(dir: &std::path::Path, technique: &str, minutes: &str, before: &str, after: &str, at: &str) -> String {
    let (status, _, stderr) = run(
        dir,
        &[
            "log",
            "--technique",
            technique,
            "--minutes",
            minutes,
            "--pain-before",
            before,
            "--pain-after",
            after,
            "--at",
            at,
        ],
    );
    assert_eq!(status, 0, "{stderr}");
    stderr
}

#[test]
fn a_logged_session_past_a_dose_is_kept_with_a_warning_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let warning = log(dir.path(), "electric_massager", "15", "5", "3", "2026-11-01 09:00");
    assert!(warning.contains("15 min in one session; the limit is 10 min"), "{warning}");
    assert!(warning.contains("up to 10 minutes"), "the source is named: {warning}");
    let quiet = log(dir.path(), "hands", "5", "4", "3", "2026-11-01 12:00");
    assert!(quiet.is_empty(), "{quiet}");
    let history = ok(dir.path(), &["history", "--format", "json"]);
    let sessions: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 2);
    assert_eq!(sessions[0]["usage"]["electric_massager"], 900);
    assert_eq!(sessions[0]["status"], "logged");
}

#[test]
fn log_refuses_bad_values_and_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (args, says) in [
        (
            vec!["--technique", "feet", "--minutes", "5", "--pain-before", "4", "--pain-after", "3"],
            "allowed: electric_massager",
        ),
        (
            vec!["--technique", "hands", "--minutes", "0", "--pain-before", "4", "--pain-after", "3"],
            "--minutes",
        ),
        (
            vec!["--technique", "hands", "--minutes", "5", "--pain-before", "11", "--pain-after", "3"],
            "0 to 10",
        ),
        (
            vec![
                "--technique",
                "hands",
                "--minutes",
                "5",
                "--pain-before",
                "4",
                "--pain-after",
                "3",
                "--at",
                "soon",
            ],
            "not a time",
        ),
        (
            vec![
                "--technique",
                "hands",
                "--minutes",
                "5",
                "--pain-before",
                "4",
                "--pain-after",
                "3",
                "--at",
                "2999-01-01 10:00",
            ],
            "future",
        ),
        (
            vec![
                "--technique",
                "hands",
                "--minutes",
                "5",
                "--pain-before",
                "4",
                "--pain-after",
                "3",
                "--region",
                "up",
            ],
            "both_sides",
        ),
    ] {
        let mut full = vec!["log"];
        full.extend(args);
        let (status, stdout, stderr) = run(dir.path(), &full);
        assert_eq!(status, 2, "{full:?}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(says), "{says} in {stderr}");
    }
    assert!(ok(dir.path(), &["history"]).contains("No sessions yet"));
}

#[test]
fn json_export_imports_back_without_loss() {
    let a = tempfile::tempdir().unwrap();
    log(a.path(), "foam_roller", "4", "6", "4", "2026-10-01 08:00");
    log(a.path(), "hands", "3", "5", "4", "2026-10-02 08:00");
    ok(a.path(), &["checkin", "--pain", "5", "--change", "-1"]);
    let file = a.path().join("export.json");
    ok(a.path(), &["export", "--format", "json", "--output", file.to_str().unwrap()]);

    let b = tempfile::tempdir().unwrap();
    let first = ok(b.path(), &["import", file.to_str().unwrap()]);
    assert!(first.contains("Imported 3 new records; 0 records were already"), "{first}");
    let again = ok(b.path(), &["import", file.to_str().unwrap()]);
    assert!(again.contains("Imported 0 new records; 3 records were already"), "{again}");

    let strip = |text: String| -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v.as_object_mut().unwrap().remove("exported_at");
        v
    };
    assert_eq!(
        strip(ok(a.path(), &["export", "--format", "json"])),
        strip(ok(b.path(), &["export", "--format", "json"]))
    );
}

#[test]
fn a_malformed_import_is_refused_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    log(dir.path(), "hands", "3", "5", "4", "2026-10-02 08:00");
    let file = dir.path().join("bad.json");
    let good = ok(dir.path(), &["export", "--format", "json"]);
    let other = tempfile::tempdir().unwrap();
    // A valid session followed by one with a pain score of 12.
    let mut journal: serde_json::Value = serde_json::from_str(&good).unwrap();
    let mut broken = journal["sessions"][0].clone();
    broken["id"] = serde_json::json!("01a00000-0000-7000-8000-000000000001");
    broken["pain_before"] = serde_json::json!(12);
    journal["sessions"].as_array_mut().unwrap().push(broken);
    std::fs::write(&file, journal.to_string()).unwrap();
    let (status, _, stderr) = run(other.path(), &["import", file.to_str().unwrap()]);
    assert_eq!(status, 2);
    assert!(
        stderr.contains("sessions[1].pain_before") && stderr.contains("nothing was imported"),
        "{stderr}"
    );
    assert!(ok(other.path(), &["history"]).contains("No sessions yet"));

    std::fs::write(&file, "{ not json").unwrap();
    let (status, _, stderr) = run(other.path(), &["import", file.to_str().unwrap()]);
    assert_eq!(status, 2, "{stderr}");
}

#[test]
fn history_csv_and_fhir_exports() {
    let dir = tempfile::tempdir().unwrap();
    log(dir.path(), "foam_roller", "4", "6", "4", "2026-10-01 08:00");
    let csv = ok(dir.path(), &["history", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 2);
    assert!(csv.starts_with("id,started_at"));
    let fhir: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["export", "--format", "fhir"])).unwrap();
    assert_eq!(fhir["resourceType"], "Bundle");
    assert_eq!(fhir["entry"].as_array().unwrap().len(), 2, "before and after");
    assert_eq!(fhir["entry"][0]["resource"]["code"]["coding"][0]["code"], "72514-3");
}

#[test]
fn progress_flags_a_worsening_and_writes_charts() {
    let dir = tempfile::tempdir().unwrap();
    log(dir.path(), "hands", "3", "3", "3", "2026-10-01 08:00");
    log(dir.path(), "hands", "3", "5", "5", "2026-10-02 08:00");
    log(dir.path(), "hands", "3", "5", "6", "2026-10-03 08:00");
    let png = dir.path().join("p.png");
    let svg = dir.path().join("p.svg");
    let text = ok(
        dir.path(),
        &["progress", "--days", "3650", "--png", png.to_str().unwrap(), "--svg", svg.to_str().unwrap()],
    );
    assert!(text.contains("clearly worse than when you started"), "{text}");
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
}

#[test]
fn progress_says_higher_when_pain_rose() {
    let dir = tempfile::tempdir().unwrap();
    log(dir.path(), "hands", "3", "4", "4", "2026-10-01 08:00");
    log(dir.path(), "hands", "3", "5", "5", "2026-10-02 08:00");
    log(dir.path(), "hands", "3", "5", "5", "2026-10-03 08:00");
    let text = ok(dir.path(), &["progress", "--days", "3650"]);
    assert!(text.contains("% higher) after"), "{text}");
    assert!(!text.contains("lower)"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 76), "lines are wrapped between words: {text}");
}
