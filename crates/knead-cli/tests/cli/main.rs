//! The `knead` binary's integration tests: one binary, one module per area.

// Test helpers unwrap too: a panic in a test is a failure with its message.
#![allow(clippy::unwrap_used)]

mod backup;
mod errors;
mod generated;
mod handout;
mod history;
mod journal;
mod multi;
mod output;
mod parity;
mod questionnaire;
mod remind;
mod report;
mod serve;
mod soak;
mod start;
mod support;
mod tmux;
mod vignettes;
