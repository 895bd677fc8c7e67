//! Which calendar day a moment falls on, for the person. Daily limits,
//! "today's screening" and the days of §4 are all counted in the person's
//! days: the web knows the device's offset from UTC, the terminal the
//! computer's own zone (with its changes of summer time).

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveTime, TimeZone, Utc};
use knead_store::Period;

/// The person's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Zone {
    /// A fixed offset from UTC (what a browser sends).
    Fixed(FixedOffset),
    /// This computer's zone (the terminal).
    Local,
}

impl Zone {
    /// The person's day that `at` falls on.
    pub fn day(self, at: DateTime<Utc>) -> NaiveDate {
        match self {
            Zone::Fixed(offset) => at.with_timezone(&offset).date_naive(),
            Zone::Local => at.with_timezone(&Local).date_naive(),
        }
    }

    /// The moments of the person's `day`, `[start, next day's start)`.
    pub fn period(self, day: NaiveDate) -> Period {
        let start = |d: NaiveDate| self.start(d);
        Period { from: start(day), to: day.succ_opt().and_then(start) }
    }

    fn start(self, day: NaiveDate) -> Option<DateTime<Utc>> {
        let midnight = day.and_time(NaiveTime::MIN);
        match self {
            Zone::Fixed(offset) => offset.from_local_datetime(&midnight).earliest().map(|t| t.to_utc()),
            Zone::Local => Local.from_local_datetime(&midnight).earliest().map(|t| t.to_utc()),
        }
    }
}
