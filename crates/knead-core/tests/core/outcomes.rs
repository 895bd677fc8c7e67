//! Escalation during a programme (§4 of the screening reference) and doses
//! across a day.

use crate::support::pack;
use chrono::NaiveDate;
use knead_core::limits;
use knead_core::outcomes::{Flag, PainReading, assess, raised};
use knead_core::units::PainScore;
use knead_core::vocab::{Disposition, TechniqueId};
use std::collections::BTreeMap;

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(n)
}

fn r(d: u64, before: u8, after: Option<u8>) -> PainReading {
    PainReading {
        day: day(d),
        before: PainScore::new(before.into()).unwrap(),
        after: after.map(|a| PainScore::new(a.into()).unwrap()),
    }
}

fn flags(readings: &[PainReading], today: u64) -> Vec<Flag> {
    assess(&pack().escalation, readings, day(today), None).flags
}

#[test]
fn worse_by_two_on_two_days_in_a_row() {
    let one_day = [r(0, 4, Some(3)), r(1, 6, None), r(2, 4, None), r(3, 6, None)];
    assert!(!flags(&one_day, 3).iter().any(|f| matches!(f, Flag::Worsening { .. })));
    let two_days = [r(0, 4, Some(3)), r(1, 6, None), r(2, 5, Some(6))];
    let f = flags(&two_days, 2);
    assert!(matches!(&f[0], Flag::Worsening { baseline: 4, days } if days == &[day(1), day(2)]), "{f:?}");
    assert_eq!(f[0].disposition(), Disposition::SeeDoctorFirst);
    // A rise of 1 is not worse.
    assert!(flags(&[r(0, 4, None), r(1, 5, None), r(2, 5, None)], 2).is_empty());
}

#[test]
fn seven_or_more_is_severe_at_once() {
    assert!(flags(&[r(0, 3, None), r(1, 3, Some(6))], 1).is_empty());
    let f = flags(&[r(0, 3, None), r(1, 3, Some(7))], 1);
    assert!(f.contains(&Flag::Severe { day: day(1), score: 7 }), "{f:?}");
}

#[test]
fn no_meaningful_improvement_after_two_then_four_weeks() {
    // Baseline 5; then 4 every day: 20 % better, not meaningful.
    let mut readings = vec![r(0, 5, None)];
    readings.extend((1..=30).map(|d| r(d, 4, None)));
    assert!(flags(&readings[..14], 13).is_empty(), "not before two weeks");
    let at_two = flags(&readings[..15], 14);
    assert_eq!(at_two, [Flag::NoImprovement { days: 14, reduction_percent: 20, see_doctor_first: false }]);
    assert_eq!(at_two[0].disposition(), Disposition::SelfCareWithLimits);
    let at_four = flags(&readings, 28);
    assert_eq!(at_four[0], Flag::NoImprovement { days: 28, reduction_percent: 20, see_doctor_first: true });
}

#[test]
fn thirty_percent_and_two_points_is_meaningful() {
    // Baseline 6 → 4: 33 % and 2 points.
    let mut readings = vec![r(0, 6, None)];
    readings.extend((1..=20).map(|d| r(d, 4, None)));
    let a = assess(&pack().escalation, &readings, day(20), None);
    assert!(a.meaningful && a.flags.is_empty(), "{a:?}");
    // Baseline 3 → 2: 33 %; points are not required below baseline 4.
    let mut low = vec![r(0, 3, None)];
    low.extend((1..=20).map(|d| r(d, 2, None)));
    assert!(assess(&pack().escalation, &low, day(20), None).meaningful);
    // Baseline 10 → 7: 30 % and 3 points, but 7 is still severe.
    let mut high = vec![r(0, 10, None)];
    high.extend((1..=20).map(|d| r(d, 7, None)));
    let a = assess(&pack().escalation, &high, day(20), None);
    assert!(a.meaningful);
    assert!(a.flags.iter().any(|f| matches!(f, Flag::Severe { .. })));
}

#[test]
fn the_meaningful_target_follows_the_baseline() {
    let rules = &pack().escalation;
    assert_eq!(knead_core::outcomes::meaningful_target(rules, 0), None);
    assert_eq!(knead_core::outcomes::meaningful_target(rules, 3), Some(21), "30 % below 3");
    assert_eq!(knead_core::outcomes::meaningful_target(rules, 5), Some(30), "2 points below 5 is stricter");
    assert_eq!(knead_core::outcomes::meaningful_target(rules, 10), Some(70));
}

#[test]
fn clearance_restarts_the_count() {
    let readings = [r(0, 3, None), r(1, 8, None), r(5, 3, None), r(6, 3, None)];
    assert!(!flags(&readings, 6).is_empty());
    let cleared = assess(&pack().escalation, &readings, day(6), Some(day(2)));
    assert!(cleared.flags.is_empty());
    assert_eq!(cleared.baseline, Some(3));
}

/// A clearance lifts a flag for self-massage, but the flag was raised, on
/// its own day: worse on the second of two days, severe on its day, no
/// improvement when the review period ran out; newest first.
#[test]
fn flags_are_raised_on_their_day_and_stay_raised_past_a_clearance() {
    let rules = &pack().escalation;
    let readings = [r(0, 3, None), r(1, 8, None), r(5, 3, None), r(6, 3, None)];
    assert_eq!(
        raised(rules, &readings, day(6), &[day(2)]),
        [(day(1), Flag::Severe { day: day(1), score: 8 })]
    );
    // Without the clearance the flag is the same, raised on the same day.
    assert_eq!(raised(rules, &readings, day(6), &[]), [(day(1), Flag::Severe { day: day(1), score: 8 })]);

    let worse = [r(0, 4, None), r(1, 6, None), r(2, 6, None), r(3, 6, None)];
    let found = raised(rules, &worse, day(3), &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, day(2), "raised once two days in a row were up: {found:?}");

    // Baseline 5, then 4: no improvement raised at two weeks, doctor-first at four.
    let mut slow = vec![r(0, 5, None)];
    slow.extend((1..=30).map(|d| r(d, 4, None)));
    assert_eq!(raised(rules, &slow, day(20), &[])[0].0, day(14));
    assert_eq!(raised(rules, &slow, day(30), &[])[0].0, day(28));

    // Flags of two periods, newest first; a clearance on today ends no period.
    let twice = [r(0, 3, None), r(1, 8, None), r(5, 3, None), r(6, 9, None)];
    let days: Vec<NaiveDate> =
        raised(rules, &twice, day(6), &[day(2), day(6)]).into_iter().map(|(d, _)| d).collect();
    assert_eq!(days, [day(6), day(1)]);
}

#[test]
fn nothing_to_judge() {
    let a = assess(&pack().escalation, &[], day(0), None);
    assert!(a.flags.is_empty() && a.baseline.is_none());
}

#[test]
fn daily_usage_and_broken_limits() {
    let pack = pack();
    let s1: BTreeMap<_, _> = [(TechniqueId::ElectricMassager, 600), (TechniqueId::Hands, 120)].into();
    let s2: BTreeMap<_, _> = [(TechniqueId::ElectricMassager, 900)].into();
    let today = limits::usage([&s1, &s2]);
    assert_eq!(today.sessions, 2);
    assert_eq!(today.seconds[&TechniqueId::ElectricMassager], 1500);

    let third: BTreeMap<_, _> = [(TechniqueId::ElectricMassager, 720)].into();
    let broken = limits::broken_limits(&pack, &third, &today);
    let text: Vec<_> = broken.iter().map(|b| b.message.as_str()).collect();
    assert_eq!(broken.len(), 2, "{text:?}");
    assert!(text[0].contains("12 min in one session; the limit is 10 min"), "{text:?}");
    assert!(text[1].contains("37 min today; the limit is 30 min a day"), "{text:?}");

    let fourth = limits::broken_limits(&pack, &BTreeMap::new(), &limits::usage([&s1, &s2, &s1]));
    assert!(fourth[0].message.contains("session 4 today; the limit is 3 a day"));
    let words = limits::still_allowed(&pack, &today, None);
    assert_eq!(words[0], "One more session is allowed today.");
    assert!(words[1].contains("5 min left today"), "{words:?}");
}
