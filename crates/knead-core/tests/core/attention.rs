//! Who needs attention first: red flags, then §4 pain flags, then missed
//! sessions; adherence counted against the assigned program.

use crate::support::{pack, screen};
use chrono::{Datelike as _, NaiveDate, TimeZone as _};
use knead_core::attention::{self, Adherence, Concern, RaisedFlag, RaisedPain};
use knead_core::outcomes::Flag;
use knead_core::program::{HomeProgram, ProgramRequest, SetBy};
use knead_core::vocab::{Disposition, TechniqueId};
use serde_json::json;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn program(sessions_per_day: u32, days_per_week: u8, weeks: u16) -> HomeProgram {
    let request = ProgramRequest {
        techniques: [TechniqueId::Hands].into(),
        sessions_per_day,
        days_per_week,
        weeks,
        note: None,
        set_by: SetBy::Clinician("Dr Rivera".to_owned()),
    };
    HomeProgram::new(&pack(), &screen(json!({})).permit().unwrap(), request).unwrap()
}

#[test]
fn adherence_counts_assigned_days_spread_over_the_week_and_caps_each_day() {
    let p = program(2, 7, 4);
    // A week of two a day, except one day with none and one with five.
    let done = |d: NaiveDate| match d.day() {
        3 => 0,
        5 => 5,
        _ => 2,
    };
    let week = attention::adherence(&p, day(1), day(1), day(7), done);
    assert_eq!(week, Adherence { done: 12, assigned: 14 });
    assert_eq!(week.percent(), 85);

    // Five days a week: 2 x 5 = 10 asked in a full week.
    let five = attention::adherence(&program(2, 5, 4), day(1), day(1), day(7), |_| 2);
    assert_eq!(five.assigned, 10);
    assert_eq!(five.percent(), 100);

    // Before the assignment and after its weeks nothing is asked.
    let before = attention::adherence(&p, day(10), day(1), day(9), |_| 0);
    assert_eq!(before, Adherence { done: 0, assigned: 0 });
    let after = attention::adherence(&program(1, 7, 1), day(1), day(8), day(14), |_| 0);
    assert_eq!(after, Adherence { done: 0, assigned: 0 });
    // Three days into a program: three days are asked, not seven.
    let started = attention::adherence(&program(1, 7, 4), day(5), day(1), day(7), |_| 0);
    assert_eq!(started, Adherence { done: 0, assigned: 3 });
}

#[test]
fn adherence_to_date_holds_today_only_as_far_as_it_is_done() {
    let p = program(2, 7, 1);
    // The first day: nothing is due before a session, one done is one of one.
    let morning = attention::adherence_to_date(&p, day(1), day(1), day(1), |_| 0);
    assert_eq!(morning, Adherence { done: 0, assigned: 0 });
    let after_one = attention::adherence_to_date(&p, day(1), day(1), day(1), |_| 1);
    assert_eq!(after_one, Adherence { done: 1, assigned: 1 });
    // Three more a day than asked count as two.
    let keen = attention::adherence_to_date(&p, day(1), day(1), day(1), |_| 5);
    assert_eq!(keen, Adherence { done: 2, assigned: 2 });
    // Day three, none yet today: the two days before in full, today not due.
    let third = attention::adherence_to_date(&p, day(1), day(1), day(3), |d| if d == day(3) { 0 } else { 1 });
    assert_eq!(third, Adherence { done: 2, assigned: 4 });
    // After the program's last day (day 7), a later today adds nothing.
    let over = attention::adherence_to_date(&p, day(1), day(1), day(9), |_| 2);
    assert_eq!(over, attention::adherence(&p, day(1), day(1), day(8), |_| 2));
    assert_eq!(over, Adherence { done: 14, assigned: 14 });
    // Before the assignment nothing is asked or counted.
    let before = attention::adherence_to_date(&p, day(5), day(1), day(4), |_| 2);
    assert_eq!(before, Adherence { done: 0, assigned: 0 });
}

fn raised(disposition: Disposition, headline: &str, minute: u32) -> RaisedFlag {
    RaisedFlag {
        screening: uuid::Uuid::from_u128(u128::from(minute)),
        at: chrono::Utc.with_ymd_and_hms(2026, 11, 2, 9, minute, 0).unwrap(),
        disposition,
        headline: headline.to_owned(),
    }
}

/// A §4 flag raised at noon on March `d`.
fn pain(flag: Flag, d: u32) -> RaisedPain {
    RaisedPain { day: day(d), at: chrono::Utc.with_ymd_and_hms(2026, 3, d, 12, 0, 0).unwrap(), flag }
}

#[test]
fn concerns_come_red_flag_first_then_pain_then_missed_sessions() {
    let flags = [
        pain(Flag::NoImprovement { days: 15, reduction_percent: 5, see_doctor_first: false }, 16),
        pain(Flag::Severe { day: day(3), score: 8 }, 3),
    ];
    let missed = Adherence { done: 3, assigned: 14 };
    let all = attention::concerns(
        &[raised(Disposition::Urgent, "Get checked today", 0)],
        None,
        &flags,
        Some(missed),
    );
    let kinds: Vec<&str> = all
        .iter()
        .map(|c| match c {
            Concern::RedFlag { .. } => "red",
            Concern::Pain { disposition: Disposition::SeeDoctorFirst, .. } => "pain-doctor",
            Concern::Pain { .. } => "pain",
            Concern::Missed { .. } => "missed",
        })
        .collect();
    assert_eq!(kinds, ["red", "pain-doctor", "pain", "missed"]);
    assert!(all[3].message().contains("3 of 14"));

    // Self-care screenings and kept programs raise nothing.
    let calm = attention::concerns(
        &[raised(Disposition::SelfCareWithLimits, "Go gently", 0)],
        None,
        &[],
        Some(Adherence { done: 14, assigned: 14 }),
    );
    assert!(calm.is_empty());
}

#[test]
fn patients_sort_by_their_worst_concern_then_by_the_share_of_sessions_done() {
    let red = attention::concerns(&[raised(Disposition::SeeDoctorFirst, "See a doctor", 0)], None, &[], None);
    let emergency = attention::concerns(&[raised(Disposition::Emergency, "Call now", 0)], None, &[], None);
    let severe = attention::concerns(&[], None, &[pain(Flag::Severe { day: day(3), score: 9 }, 3)], None);
    let half = attention::concerns(&[], None, &[], Some(Adherence { done: 7, assigned: 14 }));
    let little = attention::concerns(&[], None, &[], Some(Adherence { done: 1, assigned: 14 }));
    let fine = attention::concerns(&[], None, &[], None);
    let mut patients = [
        ("fine", &fine),
        ("half", &half),
        ("severe", &severe),
        ("red", &red),
        ("little", &little),
        ("emergency", &emergency),
    ];
    patients.sort_by_key(|(_, c)| attention::urgency(c));
    let order: Vec<&str> = patients.iter().map(|(n, _)| *n).collect();
    assert_eq!(order, ["emergency", "red", "severe", "little", "half", "fine"]);
}

#[test]
fn a_red_flag_stays_a_concern_until_acknowledged_and_a_newer_one_is_news_again() {
    let emergency = raised(Disposition::Emergency, "Call an ambulance", 10);
    let urgent = raised(Disposition::Urgent, "Get checked today", 20);
    let both = [emergency.clone(), urgent.clone()];
    let kept = attention::concerns(&both, None, &[], None);
    assert_eq!(kept, [Concern::RedFlag(emergency.clone()), Concern::RedFlag(urgent.clone())]);
    assert!(kept[0].message().contains("2026-11-02") && kept[0].message().contains("Call an ambulance"));
    // Acknowledged through the emergency: the later urgent one still shows.
    let seen = attention::concerns(&both, Some(emergency.at), &[], None);
    assert_eq!(seen, [Concern::RedFlag(urgent.clone())]);
    // Acknowledged through both: nothing left.
    assert!(attention::concerns(&both, Some(urgent.at), &[], None).is_empty());
}

#[test]
fn a_pain_flag_stays_a_concern_until_acknowledged_with_the_red_flags() {
    let severe = pain(Flag::Severe { day: day(3), score: 9 }, 3);
    let worse = pain(Flag::Worsening { baseline: 3, days: vec![day(8), day(9)] }, 9);
    let both = [worse.clone(), severe.clone()];
    assert_eq!(attention::concerns(&[], None, &both, None).len(), 2);
    let days = |c: Vec<Concern>| -> Vec<NaiveDate> {
        c.iter().filter_map(|c| if let Concern::Pain { day, .. } = c { Some(*day) } else { None }).collect()
    };
    // Seen through the severe day: the later worsening still shows.
    assert_eq!(days(attention::concerns(&[], Some(severe.at), &both, None)), [day(9)]);
    // A red flag acknowledged after both covers them too: one line of "seen".
    let later = chrono::Utc.with_ymd_and_hms(2026, 3, 10, 8, 0, 0).unwrap();
    assert!(attention::concerns(&[], Some(later), &both, None).is_empty());
}

#[test]
fn a_clinician_reads_higher_pain_as_higher_not_as_a_negative_fall() {
    let worse = Flag::NoImprovement { days: 28, reduction_percent: -25, see_doctor_first: true };
    let said = attention::for_clinician(&worse);
    assert!(said.contains("(25% higher than at the start)"), "{said}");
    let better = Flag::NoImprovement { days: 15, reduction_percent: 10, see_doctor_first: false };
    assert!(attention::for_clinician(&better).contains("(10% lower than at the start)"));
}
