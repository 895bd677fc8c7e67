//! Reminder times: read strictly, held to the day's limit (the pack's, or a
//! program's), each refusal naming the field and the limit's source; and a
//! program's days spread through each week.

use crate::support::{pack, screen};
use chrono::{Days, NaiveDate, NaiveTime};
use knead_core::program::{HomeProgram, ProgramRequest, SetBy};
use knead_core::reminders::{ReminderError, ReminderTimes, is_session_day};
use knead_core::vocab::TechniqueId;
use serde_json::json;

fn program(sessions_per_day: u32, days_per_week: u8, weeks: u16) -> HomeProgram {
    let permit = screen(json!({})).permit().unwrap();
    let request = ProgramRequest {
        techniques: [TechniqueId::Hands].into(),
        sessions_per_day,
        days_per_week,
        weeks,
        note: None,
        set_by: SetBy::Clinician("Dr Rivera".to_owned()),
    };
    HomeProgram::new(&pack(), &permit, request).unwrap()
}

fn time(text: &str) -> NaiveTime {
    NaiveTime::parse_from_str(text, "%H:%M").unwrap()
}

#[test]
fn times_are_read_sorted() {
    let times = ReminderTimes::parse(["19:00", " 07:30 "], &pack(), None).unwrap();
    assert_eq!(times.times(), [time("07:30"), time("19:00")]);
    assert_eq!(times.into_times(), [time("07:30"), time("19:00")]);
}

#[test]
fn bad_times_are_refused_naming_the_field_and_what_is_allowed() {
    for (texts, wanted) in [
        (&["8:00"][..], "`8:00` is not a time; allowed: HH:MM"),
        (&["25:00"], "`25:00` is not a time"),
        (&["08:00:00"], "is not a time"),
        (&[""], "`` is not a time"),
        (&["08:00", "08:00"], "08:00 is given twice; allowed: each time once"),
        (&[], "none given; allowed: 1 to 3 times"),
    ] {
        let error = ReminderTimes::parse(texts.iter().copied(), &pack(), None).unwrap_err();
        assert_eq!(error.field(), "times");
        assert!(error.to_string().contains(wanted), "{texts:?}: {error}");
    }
}

#[test]
fn no_more_times_than_the_packs_daily_sessions() {
    let pack = pack();
    let max = pack.daily_sessions_max.value;
    let texts: Vec<String> = (0..=max).map(|h| format!("{:02}:00", h + 7)).collect();
    let error = ReminderTimes::parse(texts.iter().map(String::as_str), &pack, None).unwrap_err();
    assert!(matches!(error, ReminderError::TooMany { max: m, .. } if m == max), "{error}");
    let message = error.to_string();
    assert!(message.contains(&format!("the {max} sessions a day allowed")), "{message}");
    assert!(message.contains("daily.sessions_max: ") && message.contains(&pack.daily_sessions_max.source));
    let at_the_limit = &texts[..max as usize];
    assert!(ReminderTimes::parse(at_the_limit.iter().map(String::as_str), &pack, None).is_ok());
}

#[test]
fn a_program_holds_the_times_to_its_sessions_a_day() {
    let program = program(1, 5, 4);
    let error = ReminderTimes::parse(["08:00", "13:00"], &pack(), Some(&program)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "2 reminders a day is more than the 1 sessions a day allowed \
         (sessions_per_day of the home program set by Dr Rivera)"
    );
    assert!(ReminderTimes::parse(["08:00"], &pack(), Some(&program)).is_ok());
}

#[test]
fn a_programs_days_are_spread_through_each_week_and_end_with_it() {
    let start = NaiveDate::from_ymd_opt(2025, 3, 10).unwrap();
    let day = |i: u64| start.checked_add_days(Days::new(i)).unwrap();
    for per_week in 1..=7 {
        let program = program(1, per_week, 2);
        for week in 0..2 {
            let days: Vec<u64> =
                (0..7).filter(|i| is_session_day(&program, start, day(week * 7 + i))).collect();
            assert_eq!(days.len(), usize::from(per_week), "{per_week} a week: {days:?}");
            assert_eq!(days[0], 0, "the first day of each week has sessions");
        }
        assert!(!is_session_day(&program, start, day(14)), "after its last week");
        assert!(!is_session_day(&program, start, start.pred_opt().unwrap()), "before it starts");
    }
    let three: Vec<u64> = (0..7).filter(|i| is_session_day(&program(1, 3, 1), start, day(*i))).collect();
    assert_eq!(three, [0, 3, 5]);
    let five: Vec<u64> = (0..7).filter(|i| is_session_day(&program(1, 5, 1), start, day(*i))).collect();
    assert_eq!(five, [0, 2, 3, 5, 6]);
}
