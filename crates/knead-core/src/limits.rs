//! Doses across sessions: what today's journal allows, and which limits a
//! recorded session went past.
//!
//! The planner uses [`DayUsage`] to leave out what today's limits no longer
//! allow; `knead log` uses [`broken_limits`] to warn about (and still keep) a
//! session that went past a dose; a store keeps a session only where its
//! [`DayRoom`] admits the day.

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

/// The daily limits for one session, restated as the most its day may
/// hold before it: what a store checks, with the person's day locked,
/// while it keeps the session. It says whether, not why: the words come
/// from [`broken_limits`], which refuses exactly what this does not admit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayRoom {
    /// The most sessions the day may hold before this one.
    pub sessions_before: u32,
    /// For each technique of the session that has a daily limit, the most
    /// active seconds of it the day may hold before this session.
    pub seconds_before: BTreeMap<TechniqueId, u32>,
}

impl DayRoom {
    /// Whether a session fits in a day that held `before`.
    pub fn admits(&self, before: &DayUsage) -> bool {
        before.sessions <= self.sessions_before
            && self
                .seconds_before
                .iter()
                .all(|(technique, most)| before.seconds.get(technique).copied().unwrap_or(0) <= *most)
    }
}

/// The room a session that used `usage` needs in its day, or `None` when
/// it goes past a limit whatever the day held (its own dose, or a daily
/// limit on its own).
pub fn day_room(pack: &ContentPack, usage: &BTreeMap<TechniqueId, u32>) -> Option<DayRoom> {
    let sessions_before = pack.daily_sessions_max.value.checked_sub(1)?;
    let mut seconds_before = BTreeMap::new();
    for (&id, &seconds) in usage {
        let doses = &pack.technique(id).doses;
        if seconds > doses.session_max_seconds.value {
            return None;
        }
        if let Some(day_max) = &doses.daily_max_seconds {
            seconds_before.insert(id, day_max.value.checked_sub(seconds)?);
        }
    }
    Some(DayRoom { sessions_before, seconds_before })
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
