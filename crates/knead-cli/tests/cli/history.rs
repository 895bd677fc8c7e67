//! `knead history`: a person reads the last screens, not ten years. The
//! table shows the newest 30 and says how many older sessions there are
//! and how to see them; `--all`, `--since` and `--limit` ask for more or
//! fewer; JSON and CSV stay complete unless narrowed.

use crate::support::knead;
use crate::tmux::journal;
use chrono::{DateTime, Duration, TimeZone, Utc};
use knead_core::records::{SessionRecord, SessionStatus};
use knead_core::units::PainScore;
use knead_core::vocab::TechniqueId;
use knead_store::Store;
use std::collections::BTreeMap;
use std::path::Path;

/// The first session: noon UTC, so its local day is the same nearly anywhere.
fn first() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
}

/// A journal of `days` sessions, one a day at noon from 2026-01-01, pain
/// before 5 and after 3.
fn journal_of(dir: &Path, days: i64) {
    let (rt, store) = journal(dir);
    let me = rt.block_on(store.local_person()).unwrap();
    for day in 0..days {
        let at = first() + Duration::days(day);
        let session = SessionRecord {
            id: uuid::Uuid::now_v7(),
            screening_id: None,
            started_at: at,
            ended_at: Some(at + Duration::minutes(8)),
            status: SessionStatus::Logged,
            stop_reason: None,
            plan: None,
            steps: vec![],
            usage: BTreeMap::from([(TechniqueId::Hands, 300)]),
            pain_before: PainScore::new(5).unwrap(),
            pain_after: Some(PainScore::new(3).unwrap()),
            region: None,
            note: None,
            pack_version: "test".to_owned(),
        };
        rt.block_on(store.record_session(me, &session)).unwrap();
    }
    rt.block_on(store.close());
}

fn history(dir: &Path, args: &[&str]) -> String {
    let out = knead().arg("--data-dir").arg(dir).arg("history").args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The table's rows (those that start with a date).
fn rows(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("2026-") || l.starts_with("2027-")).collect()
}

#[test]
fn shows_the_last_30_and_says_how_many_older_ones_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    journal_of(dir.path(), 100);
    let text = history(dir.path(), &[]);
    let shown = rows(&text);
    assert_eq!(shown.len(), 30, "{text}");
    assert!(shown[29].starts_with("2026-04-10"), "the newest comes last: {text}");
    assert!(shown[0].starts_with("2026-03-12"), "{text}");
    assert!(text.contains("70 older sessions are not shown"), "{text}");
    assert!(text.contains("knead history --all"), "says how to see them: {text}");
}

#[test]
fn all_since_and_limit_ask_for_more_or_fewer() {
    let dir = tempfile::tempdir().unwrap();
    journal_of(dir.path(), 40);
    let all = history(dir.path(), &["--all"]);
    assert_eq!(rows(&all).len(), 40);
    assert!(!all.contains("not shown"), "{all}");

    let five = history(dir.path(), &["--limit", "5"]);
    assert_eq!(rows(&five).len(), 5);
    assert!(five.contains("35 older sessions are not shown"), "{five}");

    // From 2026-02-01 on: the last nine days of the forty, all of them.
    let since = history(dir.path(), &["--since", "2026-02-01"]);
    assert_eq!(rows(&since).len(), 9, "{since}");
    assert!(rows(&since)[0].starts_with("2026-02-01"), "{since}");
    assert!(!since.contains("not shown"), "{since}");
    let since_two = history(dir.path(), &["--since", "2026-02-01", "--limit", "2"]);
    assert_eq!(rows(&since_two).len(), 2);
    assert!(since_two.contains("7 older sessions are not shown"), "{since_two}");

    let one_older = history(dir.path(), &["--limit", "39"]);
    assert!(one_older.contains("1 older session is not shown"), "{one_older}");
    let none = history(dir.path(), &["--since", "2027-01-01"]);
    assert!(none.starts_with("No sessions from 2027-01-01 on."), "{none}");
}

#[test]
fn json_and_csv_hold_every_session_unless_narrowed() {
    let dir = tempfile::tempdir().unwrap();
    journal_of(dir.path(), 45);
    let json: serde_json::Value = serde_json::from_str(&history(dir.path(), &["--format", "json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 45);
    let csv = history(dir.path(), &["--format", "csv"]);
    assert_eq!(csv.lines().count(), 46, "a header and every session");
    let json: serde_json::Value =
        serde_json::from_str(&history(dir.path(), &["--format", "json", "--limit", "3"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    assert_eq!(json[2]["started_at"], "2026-02-14T12:00:00Z", "the newest three, oldest first");
}

#[test]
fn bad_flags_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (args, says) in [
        (&["--all", "--limit", "3"][..], "cannot be used with"),
        (&["--limit", "0"][..], "--limit"),
        (&["--since", "yesterday"][..], "YYYY-MM-DD"),
    ] {
        let out = knead().arg("--data-dir").arg(dir.path()).arg("history").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}
