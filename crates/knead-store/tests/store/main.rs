//! knead-store's integration tests: one binary, one module per area.
//!
//! `contract` holds what every backend must do, written over `S: Store`;
//! a backend runs all of it with `contract::suite!(ItsBackend)`.
//! `sqlite` holds what only the SQLite file does (versions, crashes, settings);
//! `postgres` runs the contract on a fresh PostgreSQL database per test, from
//! `KNEAD_TEST_POSTGRES_URL` (missing fails, unless `KNEAD_TEST_POSTGRES=skip`).

// Tests unwrap: a panic in a test is a failure with its message.
#![allow(clippy::unwrap_used)]

mod contract;
mod postgres;
mod sqlite;
