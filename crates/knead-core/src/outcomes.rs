//! Is it helping? Pain over time against the escalation rules of §4 of the
//! screening reference, with every threshold from the content pack.
//!
//! - Worse: the day's pain at least `rise_points` above the baseline on
//!   `consecutive_days` days in a row, or any reading at `severe_at` or more:
//!   stop and see a doctor first.
//! - Not better: after `review_after_days`, less than a meaningful fall from
//!   the baseline (`min_reduction_percent`, and from a baseline of
//!   `points_apply_from_baseline` also `min_reduction_points`): see a
//!   clinician; after `see_doctor_after_days`: see a doctor first.
//!
//! A clinician's clearance starts the count again: only readings after the
//! day of clearance are judged, and the baseline is the first of them.

use crate::pack::Escalation;
use crate::units::PainScore;
use crate::vocab::Disposition;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// One session's pain readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PainReading {
    /// The person's local day of the session.
    pub day: NaiveDate,
    /// Pain before.
    pub before: PainScore,
    /// Pain after, if given.
    pub after: Option<PainScore>,
}

/// Where things stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Assessment {
    /// The first pain-before of the period judged.
    pub baseline: Option<u8>,
    /// The typical pain now: the mean pain-before of the last 7 days with
    /// readings, in tenths of a point.
    pub current_tenths: Option<u32>,
    /// Days from the first reading judged to today.
    pub days: u32,
    /// Fall from the baseline, in percent (negative when worse).
    pub reduction_percent: Option<i32>,
    /// Whether the fall is a meaningful improvement.
    pub meaningful: bool,
    /// The pain (in tenths) at or below which the fall would be meaningful.
    pub target_tenths: Option<u32>,
    /// What needs acting on, most serious first.
    pub flags: Vec<Flag>,
}

/// Something that should send the person to a clinician.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Flag {
    /// Pain `rise` or more above the baseline on consecutive days.
    Worsening {
        /// The baseline.
        baseline: u8,
        /// The days it was up.
        days: Vec<NaiveDate>,
    },
    /// A reading at the severe threshold or above.
    Severe {
        /// The day.
        day: NaiveDate,
        /// The reading.
        score: u8,
    },
    /// No meaningful improvement after the review period.
    NoImprovement {
        /// Days so far.
        days: u32,
        /// Fall from the baseline in percent.
        reduction_percent: i32,
        /// Whether the doctor-first period has passed.
        see_doctor_first: bool,
    },
}

impl Flag {
    /// The flag's name, as its JSON and a refusal spell it.
    pub fn name(&self) -> &'static str {
        match self {
            Flag::Worsening { .. } => "worsening",
            Flag::Severe { .. } => "severe",
            Flag::NoImprovement { .. } => "no_improvement",
        }
    }

    /// What the flag means for self-massage: `see_doctor_first` stops it,
    /// `self_care_with_limits` means "carry on, but book a clinician".
    pub fn disposition(&self) -> Disposition {
        match self {
            Flag::Worsening { .. } | Flag::Severe { .. } => Disposition::SeeDoctorFirst,
            Flag::NoImprovement { see_doctor_first: true, .. } => Disposition::SeeDoctorFirst,
            Flag::NoImprovement { see_doctor_first: false, .. } => Disposition::SelfCareWithLimits,
        }
    }

    /// The day the flag was raised, in a period judged from `first_day`:
    /// the day the worsening had lasted long enough, the severe reading's
    /// day, or the day the review (or doctor-first) period ran out.
    pub fn raised_on(&self, rules: &Escalation, first_day: NaiveDate) -> NaiveDate {
        let needed = usize::try_from(rules.worsening_consecutive_days.value).unwrap_or(1).max(1);
        match self {
            Flag::Worsening { days, .. } => {
                days.get(needed - 1).or(days.last()).copied().unwrap_or(first_day)
            }
            Flag::Severe { day, .. } => *day,
            Flag::NoImprovement { see_doctor_first, .. } => {
                let after = if *see_doctor_first {
                    rules.see_doctor_after_days.value
                } else {
                    rules.review_after_days.value
                };
                first_day + chrono::Days::new(u64::from(after))
            }
        }
    }

    /// The flag in plain words.
    pub fn message(&self) -> String {
        match self {
            Flag::Worsening { baseline, days } => format!(
                "Your pain has been clearly worse than when you started (from {baseline}/10) on {} days in a row. \
                 Stop self-massage and see a doctor before going on.",
                days.len()
            ),
            Flag::Severe { day, score } => format!(
                "Your pain reached {score}/10 on {day}. Pain that severe should be checked by a doctor before \
                 more self-massage."
            ),
            Flag::NoImprovement { days, reduction_percent, see_doctor_first: true } => format!(
                "After {days} days your pain is not meaningfully better ({} than at the start). Please see a \
                 doctor before going on.",
                change_words(*reduction_percent)
            ),
            Flag::NoImprovement { days, reduction_percent, see_doctor_first: false } => format!(
                "After {days} days your pain is not meaningfully better ({} than at the start). Book an \
                 appointment with a doctor or physiotherapist.",
                change_words(*reduction_percent)
            ),
        }
    }
}

/// A fall from the baseline in words: "25% lower", "25% higher", "no lower".
pub fn change_words(reduction_percent: i32) -> String {
    match reduction_percent {
        0 => "no lower".to_owned(),
        p if p < 0 => format!("{}% higher", p.unsigned_abs()),
        p => format!("{p}% lower"),
    }
}

/// Judge the readings up to `today`. Readings on or before `cleared_on`
/// (the day a clinician cleared the person) are not judged.
pub fn assess(
    rules: &Escalation,
    readings: &[PainReading],
    today: NaiveDate,
    cleared_on: Option<NaiveDate>,
) -> Assessment {
    let mut judged: Vec<PainReading> =
        readings.iter().copied().filter(|r| cleared_on.is_none_or(|c| r.day > c) && r.day <= today).collect();
    judged.sort_by_key(|r| r.day);
    let Some(first) = judged.first().copied() else {
        return Assessment {
            baseline: None,
            current_tenths: None,
            days: 0,
            reduction_percent: None,
            meaningful: false,
            target_tenths: None,
            flags: Vec::new(),
        };
    };
    let baseline = first.before.get();
    let days = u32::try_from((today - first.day).num_days()).unwrap_or(0);

    // The worst reading of each day.
    let mut worst: BTreeMap<NaiveDate, u8> = BTreeMap::new();
    for r in &judged {
        let high = r.after.map_or(r.before.get(), |a| a.get().max(r.before.get()));
        let entry = worst.entry(r.day).or_default();
        *entry = (*entry).max(high);
    }

    let mut flags = Vec::new();
    let rise = rules.worsening_rise_points.value;
    let needed = usize::try_from(rules.worsening_consecutive_days.value).unwrap_or(usize::MAX);
    let mut run: Vec<NaiveDate> = Vec::new();
    let mut worsening = None;
    for (&day, &score) in &worst {
        let up = u32::from(score) >= u32::from(baseline) + rise;
        let follows = run.last().is_some_and(|last| last.succ_opt() == Some(day));
        match (up, follows) {
            (true, true) => run.push(day),
            (true, false) => run = vec![day],
            (false, _) => run.clear(),
        }
        if run.len() >= needed {
            worsening = Some(run.clone());
        }
    }
    if let Some(days) = worsening {
        flags.push(Flag::Worsening { baseline, days });
    }
    if let Some((&day, &score)) = worst.iter().rev().find(|(_, s)| u32::from(**s) >= rules.severe_at.value) {
        flags.push(Flag::Severe { day, score });
    }

    // Typical pain now: mean pain-before over the last 7 days that have readings.
    let week_start = judged.last().map_or(today, |r| r.day) - chrono::Days::new(6);
    let recent: Vec<u32> =
        judged.iter().filter(|r| r.day >= week_start).map(|r| u32::from(r.before.get())).collect();
    let count = u32::try_from(recent.len()).unwrap_or(u32::MAX).max(1);
    let current_tenths = (recent.iter().sum::<u32>() * 10 + count / 2) / count;
    let base_tenths = u32::from(baseline) * 10;
    let reduction_percent = if baseline == 0 {
        None
    } else {
        let fall = i64::from(base_tenths) - i64::from(current_tenths);
        i32::try_from(fall * 100 / i64::from(base_tenths)).ok()
    };
    let percent_ok = reduction_percent
        .is_some_and(|p| p >= i32::try_from(rules.min_reduction_percent.value).unwrap_or(100));
    let points_ok = u32::from(baseline) < rules.points_apply_from_baseline.value
        || i64::from(base_tenths) - i64::from(current_tenths)
            >= i64::from(rules.min_reduction_points.value) * 10;
    let meaningful = percent_ok && points_ok;
    if baseline > 0 && !meaningful && days >= rules.review_after_days.value {
        flags.push(Flag::NoImprovement {
            days,
            reduction_percent: reduction_percent.unwrap_or(0),
            see_doctor_first: days >= rules.see_doctor_after_days.value,
        });
    }
    flags.sort_by_key(|f| std::cmp::Reverse(f.disposition()));

    let target_tenths = meaningful_target(rules, baseline);
    Assessment {
        baseline: Some(baseline),
        current_tenths: Some(current_tenths),
        days,
        reduction_percent,
        meaningful,
        target_tenths,
        flags,
    }
}

/// Every flag raised up to `today`, with the day it was raised, newest
/// first: each period between clearances (`cleared_on`, the days a
/// clinician cleared the person) is judged to its end as [`assess`] judged
/// it then. A clearance lifts a flag for self-massage, but the flag was
/// still raised: a clinician who did not see it should.
pub fn raised(
    rules: &Escalation,
    readings: &[PainReading],
    today: NaiveDate,
    cleared_on: &[NaiveDate],
) -> Vec<(NaiveDate, Flag)> {
    let mut ends: Vec<NaiveDate> = cleared_on.iter().copied().filter(|d| *d < today).collect();
    ends.sort_unstable();
    ends.dedup();
    let starts = std::iter::once(None).chain(ends.iter().copied().map(Some));
    let mut found: Vec<(NaiveDate, Flag)> = starts
        .zip(ends.iter().copied().chain(std::iter::once(today)))
        .flat_map(|(start, end)| {
            let judged = assess(rules, readings, end, start);
            let first_day = end - chrono::Days::new(u64::from(judged.days));
            judged.flags.into_iter().map(move |f| (f.raised_on(rules, first_day), f))
        })
        .collect();
    found.sort_by_key(|(day, _)| std::cmp::Reverse(*day));
    found
}

/// The highest pain, in tenths, that would count as a meaningful fall from
/// `baseline`: `min_reduction_percent` lower, and from
/// `points_apply_from_baseline` also `min_reduction_points` lower.
pub fn meaningful_target(rules: &Escalation, baseline: u8) -> Option<u32> {
    if baseline == 0 {
        return None;
    }
    let base = u32::from(baseline) * 10;
    let by_percent = base * (100 - rules.min_reduction_percent.value.min(100)) / 100;
    let by_points = if u32::from(baseline) >= rules.points_apply_from_baseline.value {
        base.saturating_sub(rules.min_reduction_points.value * 10)
    } else {
        base
    };
    Some(by_percent.min(by_points))
}
