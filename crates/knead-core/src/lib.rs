//! Knead's pure domain.
//!
//! The core decides; it never reads files, the network or the clock. It
//! takes a content pack (as text), an intake (as JSON text) and moments in
//! time from its callers, and gives back screening results, plans and
//! session events for an interface to show.
//!
//! - [`pack`]: the content pack, checked at load.
//! - [`intake`]: the screening answers, strictly read.
//! - [`screening`]: intake in, result out; the only way to a [`screening::Permit`].
//! - [`planner`]: a permit and a kit in, a plan out.
//! - [`session`]: the guided session as a state machine on an injected clock.
//! - [`limits`]: doses across a day's sessions.
//! - [`outcomes`]: pain over time against the escalation thresholds.
//! - [`reminders`]: reminder times held to the day's limit, and a program's days.
//! - [`records`]: what the journal keeps (screenings, sessions, check-ins).
//! - [`handout`]: what a printed home-program handout holds.

pub mod attention;
pub mod clock;
pub mod handout;
pub mod intake;
pub mod labels;
pub mod limits;
pub mod outcomes;
pub mod pack;
pub mod planner;
pub mod program;
pub mod records;
pub mod reminders;
pub mod screening;
pub mod session;
pub mod units;
pub mod vocab;
