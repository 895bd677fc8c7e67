//! knead-export's integration tests: one binary (each `tests/*.rs` file would
//! be a separate link), one module per export.

// A test that unwraps fails with the value's message, which is what a test
// should do; the workspace warns on unwrap for library code only.
#![allow(clippy::unwrap_used)]

mod chart;
mod csv;
mod fhir;
mod fixture;
mod handout;
mod ical;
mod json;
mod report;
