//! knead-web's integration tests: one binary, one module per area.
//!
//! Every test starts the whole app on `127.0.0.1:0` with a fresh database
//! (a SQLite file in a temporary folder, or a fresh PostgreSQL database
//! from `KNEAD_TEST_POSTGRES_URL`) and talks to it over HTTP, as a browser
//! or a client would. `support` starts servers and holds the helpers;
//! `api` covers the REST API, `security` the locks on it, `connections`
//! the trusted proxies and the limits on connections, `calendar` the
//! private calendar address and the program's CarePlan, `pages` the
//! form flow without JavaScript, `openapi` the committed document and
//! `postgres` the API on PostgreSQL, with two servers on one database,
//! `browser` the patient's path in headless Chromium, `a11y` the pages
//! audited for WCAG 2.2 AA in that browser with axe-core (installed by
//! `bash .ci/deps`), and `parity` the page's session engine against
//! knead-core's, under Node (no server).

// Tests unwrap: a panic in a test is a failure with its message.
#![allow(clippy::unwrap_used)]

mod a11y;
mod access;
mod account;
mod api;
mod browser;
mod calendar;
mod clinic;
mod conformance;
mod connections;
mod handout;
mod input;
mod mail;
mod openapi;
mod pages;
mod parity;
mod postgres;
mod push;
mod security;
mod support;
