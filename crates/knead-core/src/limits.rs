//! Doses across sessions: what today's journal allows, and which limits a
//! recorded session went past.
//!
//! The planner uses [`DayUsage`] to leave out what today's limits no longer
//! allow; `knead log` uses [`broken_limits`] to warn about (and still keep) a
//! session that went past a dose.

use crate::labels::duration;
use crate::pack::ContentPack;
use crate::planner::DayUsage;
use crate::program::HomeProgram;
use crate::vocab::TechniqueId;
use std::collections::BTreeMap;

/// Add up what one day's sessions used.
pub fn usage<'a>(sessions: impl IntoIterator<Item = &'a BTreeMap<TechniqueId, u32>>) -> DayUsage {
    let mut day = DayUsage::default();
    for usage in sessions {
        day.sessions += 1;
        for (technique, seconds) in usage {
            *day.seconds.entry(*technique).or_default() += seconds;
        }
    }
    day
}

/// A dose a session went past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLimit {
    /// The technique, or `None` for the daily number of sessions.
    pub technique: Option<TechniqueId>,
    /// What the limit is and where it comes from, in words.
    pub message: String,
}

/// The limits that a session with `usage`, added to `before` (the same
/// day's earlier sessions), goes past.
pub fn broken_limits(
    pack: &ContentPack,
    usage: &BTreeMap<TechniqueId, u32>,
    before: &DayUsage,
) -> Vec<BrokenLimit> {
    let mut broken = Vec::new();
    let daily = &pack.daily_sessions_max;
    if before.sessions + 1 > daily.value {
        broken.push(BrokenLimit {
            technique: None,
            message: format!(
                "this is session {} today; the limit is {} a day ({})",
                before.sessions + 1,
                daily.value,
                daily.source
            ),
        });
    }
    for (&id, &seconds) in usage {
        let doses = &pack.technique(id).doses;
        let session_max = &doses.session_max_seconds;
        if seconds > session_max.value {
            broken.push(BrokenLimit {
                technique: Some(id),
                message: format!(
                    "{id}: {} in one session; the limit is {} ({})",
                    duration(seconds),
                    duration(session_max.value),
                    session_max.source
                ),
            });
        }
        if let Some(day_max) = &doses.daily_max_seconds {
            let total = before.seconds.get(&id).copied().unwrap_or(0) + seconds;
            if total > day_max.value {
                broken.push(BrokenLimit {
                    technique: Some(id),
                    message: format!(
                        "{id}: {} today; the limit is {} a day ({})",
                        duration(total),
                        duration(day_max.value),
                        day_max.source
                    ),
                });
            }
        }
    }
    broken
}

/// What today still allows, in words, for the start screen: the pack's
/// daily limit or, when a home program sets fewer sessions a day, the
/// program's.
pub fn still_allowed(pack: &ContentPack, today: &DayUsage, program: Option<&HomeProgram>) -> Vec<String> {
    let mut lines = Vec::new();
    let daily = pack.daily_sessions_max.value;
    let by_program = program.map(HomeProgram::sessions_per_day).filter(|n| *n < daily);
    let left = by_program.unwrap_or(daily).saturating_sub(today.sessions);
    let by = if by_program.is_some() { " by your home program" } else { "" };
    lines.push(match (left, by_program) {
        (0, None) => format!(
            "You have done {} sessions today, the most for one day. Rest until tomorrow.",
            today.sessions
        ),
        (0, Some(n)) => format!(
            "You have done {} sessions today; your home program sets {n} a day. Rest until tomorrow.",
            today.sessions
        ),
        (1, _) => format!("One more session is allowed today{by}."),
        (n, _) => format!("{n} more sessions are allowed today{by}."),
    });
    for technique in &pack.techniques {
        if let Some(day_max) = &technique.doses.daily_max_seconds {
            let used = today.seconds.get(&technique.id).copied().unwrap_or(0);
            if used > 0 {
                let rest = day_max.value.saturating_sub(used);
                lines.push(format!("{}: {} left today.", technique.name, duration(rest)));
            }
        }
    }
    lines
}
