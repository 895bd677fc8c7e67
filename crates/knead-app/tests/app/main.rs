//! knead-app's tests: the use cases over a real SQLite journal, with the
//! clock fixed. One integration-test binary, a module per use case.

// Test helpers unwrap too: a panic in a test is a failure with its message.
#![allow(clippy::unwrap_used)]

mod handout;
mod password;
mod progress;
mod section4;
mod support;
mod threads;
