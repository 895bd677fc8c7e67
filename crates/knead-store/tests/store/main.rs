//! knead-store's integration tests: one binary, one module per area.
//!
//! `contract` holds what every backend must do, written over `S: Store`;
//! a backend runs all of it with `contract::suite!(ItsBackend)`.
//! `sqlite` holds what only the SQLite file does (versions, crashes, settings).

// Tests unwrap: a panic in a test is a failure with its message.
#![allow(clippy::unwrap_used)]

mod contract;
mod sqlite;
