//! knead-core's integration tests: one binary, one module per area.

// Test helpers unwrap too: a panic in a test is a failure with its message.
#![allow(clippy::unwrap_used)]

mod attention;
mod intake;
mod outcomes;
mod pack;
mod parity;
mod program;
mod properties;
mod questionnaire;
mod reminders;
mod rules;
mod session;
mod support;
