//! `knead handout --pdf`: the home program to print from the journal's
//! newest screening, in the kit it names; refused, writing nothing, while
//! that screening stops self-massage. The PDF's text is read back with
//! poppler's `pdftotext` (installed by `.ci/deps`).

use crate::report::pdf_text as words;
use crate::support::knead;
use std::path::Path;

/// A journal to import with one screening of `intake` (JSON), judged
/// `disposition`: what `knead start` would have kept.
fn journal_with(dir: &Path, intake: &str, disposition: &str) -> std::path::PathBuf {
    let file = dir.join("journal.json");
    let id = uuid::Uuid::now_v7();
    let text = format!(
        r#"{{"format": "knead-journal", "version": 1, "exported_at": "2026-01-01T00:00:00Z",
            "screenings": [{{"id": "{id}", "at": "2026-01-01T00:00:00Z", "intake": {intake},
                "result": {{}}, "disposition": "{disposition}", "pack_version": "test", "clearance": null}}],
            "sessions": [], "checkins": []}}"#
    );
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn writes_what_the_newest_screening_allows_with_its_kit() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    let pdf = data.path().join("handout.pdf");
    let path = pdf.to_str().unwrap();

    // No screening yet: nothing is written.
    let out = knead().args(["--data-dir", d, "handout", "--pdf", path]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no handout: No screening yet"));
    assert!(!pdf.exists());

    let intake =
        r#"{"age_years": 40, "pain": {"intensity": 4, "duration_days": 10}, "equipment": ["foam_roller"]}"#;
    let file = journal_with(data.path(), intake, "self_care");
    knead().args(["--data-dir", d, "import", file.to_str().unwrap()]).assert().success();
    let out = knead().args(["--data-dir", d, "handout", "--pdf", path, "--name", "Sam"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Handout written to"));
    let text = words(&pdf);
    assert!(
        text.contains("For: Sam") && text.contains("Foam roller") && text.contains("Knuckle massage"),
        "{text}"
    );
    assert!(!text.contains("Massage gun"), "{text}");
}

#[test]
fn a_warning_sign_writes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    let intake = r#"{"age_years": 40, "pain": {"intensity": 4, "duration_days": 1}, "symptoms": ["fever"]}"#;
    let file = journal_with(data.path(), intake, "urgent");
    knead().args(["--data-dir", d, "import", file.to_str().unwrap()]).assert().success();
    let pdf = data.path().join("handout.pdf");
    let out = knead().args(["--data-dir", d, "handout", "--pdf", pdf.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("This screening does not allow a massage session"), "{stderr}");
    assert!(!pdf.exists());
}
