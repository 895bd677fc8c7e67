//! The API answers as its OpenAPI document says. schemathesis, a tool that
//! knows nothing of Knead but the document, makes requests from its
//! schemas (valid ones, boundary cases and broken ones) and checks every
//! answer: no server error, a documented status, media type and headers,
//! a body that fits the schema, a broken request refused, a signed-in
//! operation refused without the sign-in. It runs on SQLite and on
//! PostgreSQL, signed in as a patient and as a clinician; any mismatch
//! fails the test with schemathesis's report.
//!
//! schemathesis lives in `tools/schemathesis/.venv`, made by `.ci/deps`
//! from the pinned `tools/schemathesis/requirements.txt`.

use crate::support::{TestApp, account, invite_and_accept, json_of, spawn_app, spawn_app_on};
use knead_testkit::postgres::{TestDatabase, server_url};
use reqwest::StatusCode;
use serde_json::json;
use std::path::PathBuf;
use std::process::Command;

/// The checks that hold for Knead. Left out: `positive_data_acceptance`
/// (a body valid by its schema may still be refused for what it means:
/// a session for a screening that is not the caller's is 404, a dose
/// past the day's limit is 422) and the stateful checks, which need links
/// between operations that the document does not declare.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance,negative_data_rejection,\
                      ignored_auth,missing_required_header,unsupported_method";

/// Cases per operation in the fuzzing phase, on top of the examples and
/// the boundary cases of the coverage phase; a fixed seed makes a failure
/// repeatable.
const FUZZED_PER_OPERATION: &str = "30";
const SEED: &str = "20261204";

fn schemathesis() -> PathBuf {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/schemathesis/.venv/bin/schemathesis");
    assert!(path.exists(), "schemathesis is not installed at {}: run `bash .ci/deps`", path.display());
    path
}

/// Run schemathesis against `app`'s server, with `app`'s sign-in, on the
/// operations whose path matches (or, with `exclude`, does not match)
/// `paths`.
async fn conforms(app: &TestApp, who: &str, paths: &str, exclude: bool) {
    let dir = tempfile::tempdir().unwrap();
    let filter = if exclude { "--exclude-path-regex" } else { "--include-path-regex" };
    let mut command = Command::new(schemathesis());
    command
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["run", &format!("{}/api/openapi.json", app.base)])
        .args(["--checks", CHECKS])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", FUZZED_PER_OPERATION, "--seed", SEED])
        .args(["--generation-database", "none", "--workers", "2", "--request-timeout", "30"])
        // The sign-in is the headers below; schemathesis still checks that
        // a signed-in operation refuses a request without it (`ignored_auth`).
        .args(["--generation-with-security-parameters", "false"])
        .args(["--header", &format!("Cookie: knead={}", app.token)])
        .args(["--header", &format!("X-CSRF-Token: {}", app.csrf)])
        .args([filter, paths]);
    let output = tokio::task::spawn_blocking(move || command.output()).await.unwrap().unwrap();
    let report =
        String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the API differs from its document ({who}):\n{report}");
    let summary = report.split_once("Test cases:").map_or("", |(_, rest)| rest.trim());
    assert!(!summary.starts_with('0'), "schemathesis ran no case ({who}):\n{report}");
    eprintln!("schemathesis, {who}: {}", summary.lines().next().unwrap_or_default());
}

/// Everything a patient and a clinician can call, then signing out (which
/// ends the sign-in the other operations need, so it comes last).
async fn whole_api(patient: TestApp) {
    patient.record_session(crate::support::morning(), 5).await;
    let clinician = account(&patient, "physio@example.org", "clinician").await;
    invite_and_accept(&patient, &clinician).await;
    let (status, _) = json_of(patient.post_json("/api/v1/messages", &json!({ "text": "hello" })).await).await;
    assert_eq!(status, StatusCode::CREATED);
    let sign_out = "sign-out";
    conforms(&patient, "a patient", sign_out, true).await;
    conforms(&clinician, "a clinician", sign_out, true).await;
    conforms(&patient, "a patient signing out", sign_out, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_as_its_document_says_on_sqlite() {
    let mut patient = spawn_app().await;
    patient.sign_up("ana@example.org").await;
    whole_api(patient).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_as_its_document_says_on_postgres() {
    let Some(server) = server_url() else { return };
    let (db, url) = TestDatabase::create(&server).await;
    let mut patient = spawn_app_on(&url, db).await;
    patient.sign_up("ana@example.org").await;
    whole_api(patient).await;
}
