//! Words in plain language that are not answers to the screening questions:
//! where the pain is during a session, how it has changed since, and how
//! long a step or a dose lasts.
//!
//! The answers' labels are in the content pack (`questionnaire.toml`), with
//! the questions, so every interface shows them in the same words. The
//! words for times and doses are here, once, so the terminal's plan, its
//! list of techniques and the printed handout say a dose alike.

use crate::pack::{TechniqueDoses, Timing};
use crate::vocab::Region;

/// A plain-language label for a word.
pub trait Label {
    /// The label.
    fn label(self) -> &'static str;
}

impl Label for Region {
    fn label(self) -> &'static str {
        match self {
            Region::Left => "Left of the spine",
            Region::Right => "Right of the spine",
            Region::Centre => "In the middle",
            Region::BothSides => "Both sides",
        }
    }
}

/// The global rating of change (-3 to +3) in words.
pub fn change(value: i8) -> &'static str {
    match value {
        ..=-3 => "very much worse",
        -2 => "much worse",
        -1 => "a little worse",
        0 => "no change",
        1 => "a little better",
        2 => "much better",
        3.. => "very much better",
    }
}

/// `45 s`, `2 min`, `2 min 40 s`.
pub fn duration(seconds: u32) -> String {
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// How long a step lasts, short: `2 min`, `1-2 min`, `3 x 30 s`.
pub fn timing(t: Timing) -> String {
    match t {
        Timing::Fixed { seconds } => duration(seconds),
        Timing::Range { min_seconds, max_seconds } if min_seconds % 60 == 0 && max_seconds % 60 == 0 => {
            format!("{}-{} min", min_seconds / 60, max_seconds / 60)
        }
        Timing::Range { min_seconds, max_seconds } => {
            format!("{}-{}", duration(min_seconds), duration(max_seconds))
        }
        Timing::Bouts { count, work_seconds, .. } => format!("{count} x {work_seconds} s"),
    }
}

/// A technique's limits in words, each with where it comes from: at most
/// so long a session, bouts and rests, the lowest setting first, at most so
/// long a day (those the technique has, in that order).
pub fn doses(d: &TechniqueDoses) -> Vec<(String, &str)> {
    let mut lines = vec![(
        format!("at most {} a session", duration(d.session_max_seconds.value)),
        &*d.session_max_seconds.source,
    )];
    if let Some(b) = &d.bout_max_seconds {
        lines.push((format!("bouts of at most {} s", b.value), &b.source));
    }
    if let Some(r) = &d.rest_min_seconds {
        lines.push((format!("rests of at least {} s between bouts", r.value), &r.source));
    }
    if let Some(r) = &d.ramp_seconds {
        lines.push((format!("lowest setting for {} to {} s before more pressure", r.min, r.max), &r.source));
    }
    if let Some(m) = &d.daily_max_seconds {
        lines.push((format!("at most {} a day", duration(m.value)), &m.source));
    }
    lines
}

/// The pack's daily number of sessions in words.
pub fn daily_sessions(max: u32) -> String {
    format!("At most {max} sessions a day.")
}
