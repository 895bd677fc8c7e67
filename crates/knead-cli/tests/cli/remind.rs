//! `knead remind`: writes an iCalendar file; refuses bad flags with exit 2.

use crate::support::knead;

/// Run `knead remind --ics DIR/r.ics ARGS`; returns (status, stderr, file).
fn remind(args: &[&str]) -> (i32, String, Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let ics = dir.path().join("r.ics");
    let out = knead()
        .args(["--data-dir", dir.path().to_str().unwrap(), "remind", "--ics", ics.to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    let file = std::fs::read_to_string(&ics).ok();
    (out.status.code().unwrap(), String::from_utf8(out.stderr).unwrap(), file)
}

#[test]
fn writes_one_event_per_time() {
    let (status, stderr, file) = remind(&["--times", "19:00,07:30", "--days", "14", "--start", "2026-11-24"]);
    assert_eq!(status, 0, "{stderr}");
    let file = file.expect("the file is written");
    assert!(file.starts_with("BEGIN:VCALENDAR\r\n"));
    assert_eq!(file.matches("BEGIN:VEVENT\r\n").count(), 2);
    assert_eq!(file.matches("BEGIN:VALARM\r\n").count(), 2);
    assert_eq!(file.matches("RRULE:FREQ=DAILY;COUNT=14\r\n").count(), 2);
    let first = file.find("DTSTART:20261124T073000").unwrap();
    assert!(first < file.find("DTSTART:20261124T190000").unwrap(), "sorted by time");
}

#[test]
fn defaults_to_three_times_for_28_days() {
    let (status, stderr, file) = remind(&[]);
    assert_eq!(status, 0, "{stderr}");
    let file = file.unwrap();
    assert_eq!(file.matches("RRULE:FREQ=DAILY;COUNT=28\r\n").count(), 3);
}

#[test]
fn more_times_than_the_daily_limit_are_refused() {
    let (status, stderr, file) = remind(&["--times", "07:00,10:00,13:00,19:00"]);
    assert_eq!(status, 2, "{stderr}");
    assert!(stderr.contains("--times") && stderr.contains("daily.sessions_max"), "{stderr}");
    assert!(stderr.contains(" 3 sessions a day"), "{stderr}");
    assert!(file.is_none(), "nothing is written");
}

#[test]
fn bad_values_are_refused_naming_the_flag() {
    for (args, flag) in [
        (&["--times", "8:00"][..], "--times"),
        (&["--times", "25:00"], "--times"),
        (&["--times", "08:00,08:00"], "--times"),
        (&["--times", ""], "--times"),
        (&["--days", "0"], "--days"),
        (&["--days", "366"], "--days"),
        (&["--start", "24/11/2026"], "--start"),
    ] {
        let (status, stderr, file) = remind(args);
        assert_eq!(status, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
        assert!(file.is_none(), "{args:?}: nothing is written");
    }
}
