//! PostgreSQL keeps times to the microsecond. Records are cut to that
//! before they are written or compared, so that a record sent again with
//! nanoseconds (a retry, a re-import from a SQLite journal) is recognised as
//! the same record instead of a conflict with what was kept.

use crate::records::{CheckIn, ScreeningRecord, SessionEnd, SessionRecord, StepDone};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};

fn cut(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}

pub(super) fn screening(s: &ScreeningRecord) -> ScreeningRecord {
    ScreeningRecord { at: cut(s.at), ..s.clone() }
}

pub(super) fn step(s: &StepDone) -> StepDone {
    StepDone { started_at: cut(s.started_at), ended_at: cut(s.ended_at), ..s.clone() }
}

pub(super) fn session(s: &SessionRecord) -> SessionRecord {
    SessionRecord {
        started_at: cut(s.started_at),
        ended_at: s.ended_at.map(cut),
        steps: s.steps.iter().map(step).collect(),
        ..s.clone()
    }
}

pub(super) fn checkin(c: &CheckIn) -> CheckIn {
    CheckIn { at: cut(c.at), ..c.clone() }
}

pub(super) fn end(e: &SessionEnd) -> SessionEnd {
    SessionEnd { ended_at: cut(e.ended_at), ..e.clone() }
}
