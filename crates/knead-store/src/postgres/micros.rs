//! PostgreSQL keeps times to the microsecond. Records are cut to that
//! before they are written or compared, so that a record sent again with
//! nanoseconds (a retry, a re-import from a SQLite journal) is recognised as
//! the same record instead of a conflict with what was kept.

use crate::calendars::CalendarFeed;
use crate::sharing::{Assignment, AuditEntry, Invitation, Message};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use knead_core::records::{CheckIn, ScreeningRecord, SessionEnd, SessionRecord, StepDone};

pub(super) fn cut(t: DateTime<Utc>) -> DateTime<Utc> {
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

pub(super) fn invitation(i: &Invitation) -> Invitation {
    Invitation { created_at: cut(i.created_at), expires_at: cut(i.expires_at), ..i.clone() }
}

pub(super) fn audit_entry(e: &AuditEntry) -> AuditEntry {
    AuditEntry { at: cut(e.at), ..e.clone() }
}

pub(super) fn assignment(a: &Assignment) -> Assignment {
    Assignment { assigned_at: cut(a.assigned_at), ..a.clone() }
}

pub(super) fn message(m: &Message) -> Message {
    Message { at: cut(m.at), ..m.clone() }
}

pub(super) fn feed(f: &CalendarFeed) -> CalendarFeed {
    CalendarFeed { created_at: cut(f.created_at), ..f.clone() }
}
