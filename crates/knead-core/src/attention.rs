//! Who needs a clinician's attention first: the order of a clinician's
//! patient list, and why.
//!
//! The concerns, most serious first: a screening that stopped self-care
//! (a red flag, which stays a concern, even under a later ordinary
//! screening, until the clinician acknowledges it), then the §4 flags of [`crate::outcomes`] (worse by the
//! pack's rise, a severe reading, no meaningful improvement at the review
//! points), then sessions missed against the assigned program. The order of
//! [`Concern`] is that ranking, and a list of patients sorts by
//! [`urgency`]: the worst concern first, then the lower share of sessions done.

use crate::outcomes::Flag;
use crate::program::HomeProgram;
use crate::vocab::Disposition;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Days the adherence window looks back (the week before today).
pub const ADHERENCE_WINDOW_DAYS: u32 = 7;

/// Sessions done against sessions assigned over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Adherence {
    /// Sessions done (at most the assigned sessions of each day count).
    pub done: u32,
    /// Sessions the program asked for.
    pub assigned: u32,
}

impl Adherence {
    /// Done as a share of assigned, in percent (100 when nothing was assigned).
    pub fn percent(&self) -> u32 {
        (self.done * 100).checked_div(self.assigned).map_or(100, |p| p.min(100))
    }
}

/// Adherence to `program` (assigned on `assigned_on`) over the days
/// `from..=to`, clipped to the program's own weeks. `sessions_on(day)`
/// gives the sessions done that day. Days a week are spread evenly: a
/// program of 5 days a week asks for 5/7 of its daily sessions per day on
/// average, rounded down over the period, so a person is never told they
/// missed a session they were free to skip.
pub fn adherence(
    program: &HomeProgram,
    assigned_on: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
    sessions_on: impl Fn(NaiveDate) -> u32,
) -> Adherence {
    let ends = program.last_day(assigned_on);
    let (from, to) = (from.max(assigned_on), to.min(ends));
    if from > to {
        return Adherence { done: 0, assigned: 0 };
    }
    let days = u32::try_from((to - from).num_days() + 1).unwrap_or(0);
    let per_day = program.sessions_per_day();
    let assigned = per_day * u32::from(program.days_per_week()) * days / 7;
    let done = from.iter_days().take_while(|d| *d <= to).map(|d| sessions_on(d).min(per_day)).sum();
    Adherence { done, assigned }
}

/// Adherence over `from..=today`: the days before today in full, and
/// today only as far as it is done. A day that is not over holds nothing
/// against anyone, while a session done today still counts; so the week
/// and the whole program, both read this way, agree on the first day and
/// nobody is told at breakfast that today's session is missing.
pub fn adherence_to_date(
    program: &HomeProgram,
    assigned_on: NaiveDate,
    from: NaiveDate,
    today: NaiveDate,
    sessions_on: impl Fn(NaiveDate) -> u32,
) -> Adherence {
    let before = match today.pred_opt() {
        Some(yesterday) => adherence(program, assigned_on, from, yesterday, &sessions_on),
        None => Adherence { done: 0, assigned: 0 },
    };
    let runs_today = from <= today && assigned_on <= today && today <= program.last_day(assigned_on);
    let today_done = if runs_today { sessions_on(today).min(program.sessions_per_day()) } else { 0 };
    Adherence { done: before.done + today_done, assigned: before.assigned + today_done }
}

/// A screening that stopped self-care.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RaisedFlag {
    /// The screening.
    pub screening: Uuid,
    /// When it was made.
    pub at: DateTime<Utc>,
    /// Its disposition.
    pub disposition: Disposition,
    /// Its headline.
    pub headline: String,
}

/// A §4 flag as raised (see [`crate::outcomes::raised`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RaisedPain {
    /// The patient's day it was raised.
    pub day: NaiveDate,
    /// The end of that day, what an acknowledgement covers.
    pub at: DateTime<Utc>,
    /// The flag.
    pub flag: Flag,
}

/// One reason to look at a patient; the variants are in order of seriousness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "concern", rename_all = "snake_case")]
pub enum Concern {
    /// A screening stopped self-care (emergency, urgent or see a doctor
    /// first), and the clinician has not acknowledged it yet.
    RedFlag(RaisedFlag),
    /// A §4 flag (worse, severe, or no meaningful improvement), and the
    /// clinician has not acknowledged it yet.
    Pain {
        /// The patient's day it was raised.
        day: NaiveDate,
        /// What it calls for.
        disposition: Disposition,
        /// The flag in words.
        message: String,
    },
    /// Fewer sessions than assigned in the last week.
    Missed {
        /// The week's adherence.
        adherence: Adherence,
    },
}

impl Concern {
    /// The concern in words, for the clinician.
    pub fn message(&self) -> String {
        match self {
            Concern::RedFlag(flag) => format!("Screening of {}: {}", flag.at.date_naive(), flag.headline),
            Concern::Pain { message, .. } => message.clone(),
            Concern::Missed { adherence } => format!(
                "{} of {} assigned sessions done in the last {ADHERENCE_WINDOW_DAYS} days",
                adherence.done, adherence.assigned
            ),
        }
    }

    fn rank(&self) -> (u8, std::cmp::Reverse<Disposition>) {
        match self {
            Concern::RedFlag(flag) => (0, std::cmp::Reverse(flag.disposition)),
            Concern::Pain { disposition, .. } => (1, std::cmp::Reverse(*disposition)),
            Concern::Missed { .. } => (2, std::cmp::Reverse(Disposition::SelfCare)),
        }
    }
}

/// A §4 flag in the words a clinician reads (the patient's own words are
/// [`Flag::message`]).
pub fn for_clinician(flag: &Flag) -> String {
    match flag {
        Flag::Worsening { baseline, days } => format!(
            "Pain worse: {} days in a row clearly above the starting {baseline}/10 (since {})",
            days.len(),
            days.first().map_or_else(String::new, ToString::to_string)
        ),
        Flag::Severe { day, score } => format!("Severe pain: {score}/10 on {day}"),
        Flag::NoImprovement { days, reduction_percent, see_doctor_first } => format!(
            "No meaningful improvement after {days} days ({} than at the start){}",
            crate::outcomes::change_words(*reduction_percent),
            if *see_doctor_first {
                "; told to see a doctor before going on"
            } else {
                "; told to book a review"
            }
        ),
    }
}

/// What a patient's concerns are, in order, from what is known of them:
/// the red flags and §4 flags not yet acknowledged (those raised after
/// `acknowledged_through`), and the week's adherence.
pub fn concerns(
    red_flags: &[RaisedFlag],
    acknowledged_through: Option<DateTime<Utc>>,
    pain: &[RaisedPain],
    week: Option<Adherence>,
) -> Vec<Concern> {
    let unseen = |at: DateTime<Utc>| acknowledged_through.is_none_or(|through| at > through);
    let mut found: Vec<Concern> = red_flags
        .iter()
        .filter(|f| f.disposition >= Disposition::SeeDoctorFirst && unseen(f.at))
        .cloned()
        .map(Concern::RedFlag)
        .collect();
    found.extend(pain.iter().filter(|p| unseen(p.at)).map(|p| Concern::Pain {
        day: p.day,
        disposition: p.flag.disposition(),
        message: for_clinician(&p.flag),
    }));
    if let Some(adherence) = week.filter(|a| a.done < a.assigned) {
        found.push(Concern::Missed { adherence });
    }
    found.sort_by_key(Concern::rank);
    found
}

/// The sort key of a patient with `concerns` (as [`concerns`] orders
/// them): the worst first; a patient with none last.
pub fn urgency(concerns: &[Concern]) -> impl Ord + use<> {
    concerns.first().map_or((3, std::cmp::Reverse(Disposition::SelfCare), 0), |c| {
        let (rank, disposition) = c.rank();
        let missed_percent = match c {
            Concern::Missed { adherence } => adherence.percent(),
            _ => 0,
        };
        (rank, disposition, missed_percent)
    })
}
