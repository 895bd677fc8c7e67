//! knead-core's integration tests: one binary, one module per area.

mod intake;
mod pack;
mod properties;
mod rules;
mod session;
mod support;
