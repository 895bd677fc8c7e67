//! A home program: which techniques, how often, for how long, and who set it.
//!
//! A [`HomeProgram`] can only be built by [`HomeProgram::new`], which checks
//! it against the content pack and the person's screening: no more sessions
//! a day than the pack's `daily.sessions_max`, and no technique the
//! screening ruled out. A refusal names the field, the limit and where the
//! limit comes from (the pack's source text, or the screening rule and its
//! source), so the person or clinician setting it can see why.

use crate::pack::ContentPack;
use crate::screening::Permit;
use crate::vocab::{TechniqueId, Vocabulary};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::BTreeSet;

/// Days in a week: the most `days_per_week` can be.
const DAYS_IN_WEEK: u8 = 7;

/// The longest program, in weeks: a year. A home program is reviewed well
/// within that; a longer one is a new program.
pub const WEEKS_MAX: u16 = 52;

/// Who set the program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum SetBy {
    /// The person themselves.
    Myself,
    /// A clinician, by name as the person enters it.
    Clinician(String),
}

/// The last day of a program of `weeks` weeks that starts on `start`
/// (whole weeks: a 4-week program started on a Monday ends on a Sunday).
pub fn last_day(start: NaiveDate, weeks: u16) -> NaiveDate {
    start
        .checked_add_days(Days::new(u64::from(weeks) * u64::from(DAYS_IN_WEEK) - 1))
        .unwrap_or(NaiveDate::MAX)
}

impl SetBy {
    /// Who, in words: "set by you" or "set by NAME".
    pub fn described(&self) -> String {
        match self {
            SetBy::Myself => "set by you".to_owned(),
            SetBy::Clinician(name) => format!("set by {name}"),
        }
    }
}

/// What a program is asked to be, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramRequest {
    /// The techniques to use (at least one).
    pub techniques: BTreeSet<TechniqueId>,
    /// Sessions a day, 1 to the pack's `daily.sessions_max`.
    pub sessions_per_day: u32,
    /// Days a week with sessions, 1 to 7.
    pub days_per_week: u8,
    /// How many weeks the program runs, at least 1.
    pub weeks: u16,
    /// A note for the person (e.g. what to watch for).
    pub note: Option<String>,
    /// Who set it.
    pub set_by: SetBy,
}

/// A checked home program: only [`HomeProgram::new`] makes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HomeProgram {
    techniques: BTreeSet<TechniqueId>,
    sessions_per_day: u32,
    days_per_week: u8,
    weeks: u16,
    note: Option<String>,
    set_by: SetBy,
}

/// Why a program was refused. Each names the field and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgramError {
    /// No technique was given.
    #[error("techniques: none given; allowed: one or more of {allowed}")]
    NoTechniques {
        /// The technique words.
        allowed: String,
    },
    /// The screening ruled a technique out.
    #[error("techniques: {technique} is ruled out by the screening ({rules}); allowed: {allowed}")]
    TechniqueExcluded {
        /// The technique.
        technique: TechniqueId,
        /// The rules that exclude it, each with its source.
        rules: String,
        /// The techniques the screening allows.
        allowed: String,
    },
    /// Zero sessions a day, or more than the pack allows.
    #[error(
        "sessions_per_day: {value} is not allowed; allowed: 1 to {max} (daily.sessions_max in the content pack: {limit_source})"
    )]
    SessionsPerDay {
        /// The value given.
        value: u32,
        /// The pack's limit.
        max: u32,
        /// Where the limit comes from.
        limit_source: String,
    },
    /// Not 1 to 7 days a week.
    #[error("days_per_week: {value} is not allowed; allowed: 1 to {max}")]
    DaysPerWeek {
        /// The value given.
        value: u8,
        /// Days in a week.
        max: u8,
    },
    /// No weeks, or more than [`WEEKS_MAX`].
    #[error("weeks: allowed: 1 to {WEEKS_MAX}")]
    Weeks,
    /// A clinician without a name.
    #[error("set_by: the clinician's name is empty; allowed: a name, or set by the person themselves")]
    ClinicianName,
}

impl ProgramError {
    /// The field at fault, as [`ProgramRequest`] names it.
    pub fn field(&self) -> &'static str {
        match self {
            ProgramError::NoTechniques { .. } | ProgramError::TechniqueExcluded { .. } => "techniques",
            ProgramError::SessionsPerDay { .. } => "sessions_per_day",
            ProgramError::DaysPerWeek { .. } => "days_per_week",
            ProgramError::Weeks => "weeks",
            ProgramError::ClinicianName => "set_by",
        }
    }
}

impl HomeProgram {
    /// Check `request` against the pack's dose limits and the screening's
    /// `permit`. A blank note is dropped; names and notes are trimmed.
    ///
    /// # Errors
    ///
    /// The first [`ProgramError`] found, in the order of the request's fields.
    pub fn new(pack: &ContentPack, permit: &Permit, request: ProgramRequest) -> Result<Self, ProgramError> {
        if request.techniques.is_empty() {
            return Err(ProgramError::NoTechniques { allowed: TechniqueId::allowed() });
        }
        for &technique in &request.techniques {
            if !permit.allows(technique) {
                let rules: Vec<String> = permit
                    .excluded_by(technique)
                    .iter()
                    .map(|id| match pack.screening.rules.iter().find(|r| &r.id == id) {
                        Some(rule) => format!("rule {id}: {}", rule.source),
                        None => format!("rule {id}"),
                    })
                    .collect();
                let allowed: Vec<&str> =
                    TechniqueId::ALL.iter().filter(|t| permit.allows(**t)).map(|t| t.as_str()).collect();
                return Err(ProgramError::TechniqueExcluded {
                    technique,
                    rules: if rules.is_empty() {
                        "no technique is allowed".to_owned()
                    } else {
                        rules.join("; ")
                    },
                    allowed: if allowed.is_empty() { "none".to_owned() } else { allowed.join(", ") },
                });
            }
        }
        let daily = &pack.daily_sessions_max;
        if !(1..=daily.value).contains(&request.sessions_per_day) {
            return Err(ProgramError::SessionsPerDay {
                value: request.sessions_per_day,
                max: daily.value,
                limit_source: daily.source.clone(),
            });
        }
        if !(1..=DAYS_IN_WEEK).contains(&request.days_per_week) {
            return Err(ProgramError::DaysPerWeek { value: request.days_per_week, max: DAYS_IN_WEEK });
        }
        if !(1..=WEEKS_MAX).contains(&request.weeks) {
            return Err(ProgramError::Weeks);
        }
        let set_by = match request.set_by {
            SetBy::Clinician(name) if name.trim().is_empty() => return Err(ProgramError::ClinicianName),
            SetBy::Clinician(name) => SetBy::Clinician(name.trim().to_owned()),
            SetBy::Myself => SetBy::Myself,
        };
        Ok(HomeProgram {
            techniques: request.techniques,
            sessions_per_day: request.sessions_per_day,
            days_per_week: request.days_per_week,
            weeks: request.weeks,
            note: request.note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
            set_by,
        })
    }

    /// The techniques (never empty).
    pub fn techniques(&self) -> &BTreeSet<TechniqueId> {
        &self.techniques
    }

    /// Sessions a day.
    pub fn sessions_per_day(&self) -> u32 {
        self.sessions_per_day
    }

    /// Days a week with sessions, 1 to 7.
    pub fn days_per_week(&self) -> u8 {
        self.days_per_week
    }

    /// Weeks the program runs, at least 1.
    pub fn weeks(&self) -> u16 {
        self.weeks
    }

    /// Its last day when it starts on `start`.
    pub fn last_day(&self, start: NaiveDate) -> NaiveDate {
        last_day(start, self.weeks)
    }

    /// The note, if any.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// Who set it.
    pub fn set_by(&self) -> &SetBy {
        &self.set_by
    }
}
