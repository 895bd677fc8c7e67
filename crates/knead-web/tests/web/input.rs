//! One input contract on both backends: text people type is trimmed, put
//! in NFC and refused with 422 naming the field when it holds a control
//! character or is too long; numbers keep to their ranges. A NUL used to
//! be kept by SQLite and a 500 on PostgreSQL.

use crate::support::{
    TestApp, account, assert_problem, invite_and_accept, json_of, morning, self_care_intake,
    session_from_plan, spawn_app, spawn_app_on,
};
use knead_testkit::postgres::{TestDatabase, server_url};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn refused(answer: (StatusCode, Value), field: &str) {
    let (status, body) = answer;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
}

async fn hostile_text_is_refused_alike(app: &TestApp) {
    let patient = account(app, "pat@example.org", "patient").await;
    let clinician = account(app, "doc@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();

    let messages = format!("/api/v1/patients/{id}/messages");
    for text in ["before\u{0}after".to_owned(), "a bell\u{7}".to_owned(), "x".repeat(2_001)] {
        refused(json_of(clinician.post_json(&messages, &json!({ "text": text })).await).await, "text");
    }
    // Line breaks are fine in a message; an accent typed as two code points is kept as one.
    let (status, sent) =
        json_of(clinician.post_json(&messages, &json!({ "text": " Cafe\u{301}?\nSee you. " })).await).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["text"], "Caf\u{e9}?\nSee you.");

    let program = format!("/api/v1/patients/{id}/program");
    let base = json!({ "techniques": ["hands"], "sessions_per_day": 1, "days_per_week": 5, "weeks": 4 });
    patient.screen(&self_care_intake()).await;
    let mut nul_note = base.clone();
    nul_note["note"] = json!("go\u{0}gently");
    refused(json_of(clinician.put_json(&program, &nul_note).await).await, "note");
    let mut huge_note = base.clone();
    huge_note["note"] = json!("x".repeat(2_000_001));
    let (status, _) = json_of(clinician.put_json(&program, &huge_note).await).await;
    assert!(matches!(status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::PAYLOAD_TOO_LARGE), "{status}");
    let mut forever = base.clone();
    forever["weeks"] = json!(65_535);
    refused(json_of(clinician.put_json(&program, &forever).await).await, "weeks");

    // A session's note, the same way; nothing is kept.
    let screening = patient.screen(&self_care_intake()).await;
    let (_, plan) = patient.plan(&screening["id"]).await;
    let mut session = session_from_plan(&plan, morning(), 5, Some(4));
    session["note"] = json!("sore\u{0}");
    refused(patient.put_session(&session).await, "note");
    let (_, kept) = json_of(patient.get("/api/v1/sessions").await).await;
    assert_eq!(kept, json!([]), "nothing was kept");
}

#[tokio::test]
async fn hostile_text_is_refused_naming_the_field_on_sqlite() {
    hostile_text_is_refused_alike(&spawn_app().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_is_refused_naming_the_field_on_postgres() {
    let Some(server) = server_url() else { return };
    let (db, url) = TestDatabase::create(&server).await;
    hostile_text_is_refused_alike(&spawn_app_on(&url, db).await).await;
}
