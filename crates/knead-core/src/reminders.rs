//! Reminder times for a calendar, and the days a home program has sessions.
//!
//! A reminder is a prompt to do a session, so a day's reminders are held to
//! the same limit as a day's sessions: the pack's `daily.sessions_max`, or a
//! home program's `sessions_per_day` when one is followed (never more than
//! the pack's, as [`HomeProgram::new`] checks). [`ReminderTimes::parse`] is
//! the one place that reads the times people type (`knead remind --times`,
//! the web's calendar form and API) and applies that limit, so the terminal
//! and the web cannot drift apart.
//!
//! A program says how many days a week, not which: [`is_session_day`]
//! spreads them through each week counted from the program's first day, so
//! that rest days fall between session days rather than all at the end.

use crate::pack::ContentPack;
use crate::program::HomeProgram;
use chrono::{NaiveDate, NaiveTime};

/// Days in a week.
const WEEK: u64 = 7;

/// Local times of day for reminders: at least one, each once, earliest
/// first, and no more than the day's limit. Only [`ReminderTimes::parse`]
/// makes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderTimes(Vec<NaiveTime>);

/// Why reminder times were refused. [`ReminderError::field`] names the
/// field; the message says what is wrong and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReminderError {
    /// No time was given.
    #[error("none given; allowed: 1 to {max} times of day as HH:MM, e.g. 08:00")]
    Empty {
        /// The day's limit.
        max: u32,
    },
    /// A time that is not `HH:MM`.
    #[error("`{text}` is not a time; allowed: HH:MM from 00:00 to 23:59, e.g. 08:00,13:00")]
    NotATime {
        /// What was given.
        text: String,
    },
    /// The same time twice.
    #[error("{text} is given twice; allowed: each time once")]
    Twice {
        /// The time, as given.
        text: String,
    },
    /// More times than sessions allowed a day.
    #[error("{count} reminders a day is more than the {max} sessions a day allowed ({limit_source})")]
    TooMany {
        /// How many times were given.
        count: usize,
        /// The day's limit.
        max: u32,
        /// Where the limit comes from: the pack's `daily.sessions_max` and
        /// its source, or the home program and who set it.
        limit_source: String,
    },
}

impl ReminderError {
    /// The field at fault: the times (`--times` on the command line).
    pub fn field(&self) -> &'static str {
        "times"
    }
}

/// The most reminders a day, and where that limit comes from.
fn daily_limit(pack: &ContentPack, program: Option<&HomeProgram>) -> (u32, String) {
    let daily = &pack.daily_sessions_max;
    match program {
        Some(p) if p.sessions_per_day() <= daily.value => {
            (p.sessions_per_day(), format!("sessions_per_day of the home program {}", p.set_by().described()))
        }
        _ => (daily.value, format!("daily.sessions_max: {}", daily.source)),
    }
}

impl ReminderTimes {
    /// Read `texts`, each `HH:MM` (two digits each, 00:00 to 23:59; spaces
    /// around are ignored), and hold them to the day's limit: the
    /// `program`'s sessions a day when one is followed, else the pack's
    /// `daily.sessions_max`.
    ///
    /// # Errors
    ///
    /// The first [`ReminderError`] found, in the order given.
    pub fn parse<'a>(
        texts: impl IntoIterator<Item = &'a str>,
        pack: &ContentPack,
        program: Option<&HomeProgram>,
    ) -> Result<Self, ReminderError> {
        let (max, limit_source) = daily_limit(pack, program);
        let mut times = Vec::new();
        for text in texts.into_iter().map(str::trim) {
            let time = parse_time(text).ok_or_else(|| ReminderError::NotATime { text: text.to_owned() })?;
            if times.contains(&time) {
                return Err(ReminderError::Twice { text: text.to_owned() });
            }
            times.push(time);
        }
        if times.is_empty() {
            return Err(ReminderError::Empty { max });
        }
        if times.len() > max as usize {
            return Err(ReminderError::TooMany { count: times.len(), max, limit_source });
        }
        times.sort();
        Ok(Self(times))
    }

    /// The times, earliest first.
    pub fn times(&self) -> &[NaiveTime] {
        &self.0
    }

    /// The times, earliest first.
    pub fn into_times(self) -> Vec<NaiveTime> {
        self.0
    }
}

/// `HH:MM`, two digits each, 00:00 to 23:59.
fn parse_time(text: &str) -> Option<NaiveTime> {
    let bytes = text.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return None;
    }
    NaiveTime::parse_from_str(text, "%H:%M").ok()
}

/// Whether `day` has sessions under `program` when it began on `start`:
/// within its weeks, and one of its days in that week. Day `i` of each
/// week (0 to 6, counted from `start`) is a session day when
/// `i * days_per_week mod 7 < days_per_week`; as 7 is prime that picks
/// exactly `days_per_week` days, day 0 always among them, spread out: 3
/// days a week are days 0, 3 and 5; 5 are all but days 1 and 4.
pub fn is_session_day(program: &HomeProgram, start: NaiveDate, day: NaiveDate) -> bool {
    let Ok(index) = u64::try_from(day.signed_duration_since(start).num_days()) else {
        return false;
    };
    let per_week = u64::from(program.days_per_week());
    index < u64::from(program.weeks()) * WEEK && (index % WEEK) * per_week % WEEK < per_week
}
