//! The clinician's side through the API: invitations are single-use and
//! lapse, a revocation ends access at the next request, assignments keep to
//! the pack's limits and the patient's screening, red flags reach the
//! clinician's list first, and the patient's audit log records it all.

use crate::support::{
    TestApp, account, assert_problem, invite_and_accept, json_of, morning, self_care_intake, spawn_app,
    urgent_intake,
};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn hands_program() -> Value {
    json!({ "techniques": ["hands"], "sessions_per_day": 2, "days_per_week": 5, "weeks": 4, "note": " Go gently. " })
}

async fn assign(clinician: &TestApp, patient: &str, body: &Value) -> (StatusCode, Value) {
    json_of(clinician.put_json(&format!("/api/v1/patients/{patient}/program"), body).await).await
}

async fn delete(who: &TestApp, path: &str) -> StatusCode {
    who.client.delete(who.url(path)).header("x-csrf-token", &who.csrf).send().await.unwrap().status()
}

#[tokio::test]
async fn an_invitation_works_once_within_its_days_and_only_for_a_clinician() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let other = account(&app, "other@example.org", "clinician").await;

    let (status, invitation) = json_of(patient.post_json("/api/v1/invitations", &json!({})).await).await;
    assert_eq!(status, StatusCode::CREATED);
    let code = invitation["code"].as_str().unwrap();
    assert!(invitation["link"].as_str().unwrap().ends_with(code));
    // A patient cannot accept one.
    let (status, body) =
        json_of(patient.post_json("/api/v1/invitations/accept", &json!({ "code": code })).await).await;
    assert_problem(status, &body, StatusCode::FORBIDDEN, None);
    // Typed loosely: lower case, spaces instead of dashes.
    let typed = code.to_lowercase().replace('-', " ");
    let (status, granted) =
        json_of(clinician.post_json("/api/v1/invitations/accept", &json!({ "code": typed })).await).await;
    assert_eq!(status, StatusCode::CREATED, "{granted}");
    assert_eq!(granted["email"], "pat@example.org");
    // Used: no one else gets in with it.
    let (status, body) =
        json_of(other.post_json("/api/v1/invitations/accept", &json!({ "code": code })).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("code"));
    // Lapsed after 7 days.
    let (_, late) = json_of(patient.post_json("/api/v1/invitations", &json!({})).await).await;
    app.clock().advance(Duration::days(7) + Duration::seconds(1));
    let (status, body) =
        json_of(other.post_json("/api/v1/invitations/accept", &json!({ "code": late["code"] })).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("code"));
    let (_, list) = json_of(other.get("/api/v1/patients").await).await;
    assert_eq!(list, json!([]), "the other clinician sees no one");
}

#[tokio::test]
async fn revoking_ends_access_at_the_next_request_and_the_audit_log_tells_it_all() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    patient.record_session(morning(), 5).await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let granted = invite_and_accept(&patient, &clinician).await;
    let id = granted["patient"].as_str().unwrap();

    let (status, record) = json_of(clinician.get(&format!("/api/v1/patients/{id}")).await).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(record["summary"]["email"], "pat@example.org");

    let (_, grants) = json_of(patient.get("/api/v1/grants").await).await;
    assert_eq!(grants[0]["clinician_email"], "doc@example.org");
    assert!(grants[0]["revoked_at"].is_null());
    let grant = grants[0]["id"].as_str().unwrap();
    assert_eq!(delete(&patient, &format!("/api/v1/grants/{grant}")).await, StatusCode::NO_CONTENT);

    let (status, body) = json_of(clinician.get(&format!("/api/v1/patients/{id}")).await).await;
    assert_problem(status, &body, StatusCode::NOT_FOUND, None);
    let (status, body) = assign(&clinician, id, &hands_program()).await;
    assert_problem(status, &body, StatusCode::NOT_FOUND, None);
    let (_, list) = json_of(clinician.get("/api/v1/patients").await).await;
    assert_eq!(list, json!([]));

    let (_, log) = json_of(patient.get("/api/v1/audit").await).await;
    let actions: Vec<(&str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor_email"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("revoked", "pat@example.org"),
            ("viewed", "doc@example.org"),
            ("granted", "doc@example.org"),
            ("invited", "pat@example.org"),
        ],
        "{log}"
    );
    assert_eq!(log[1]["detail"], "record");
}

#[tokio::test]
async fn an_assignment_keeps_to_the_pack_and_the_screening_and_the_plan_follows_it() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();

    // No screening yet: nothing can be assigned.
    let (status, body) = assign(&clinician, &id, &hands_program()).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
    let screening = patient.screen(&self_care_intake()).await;

    let mut too_many = hands_program();
    too_many["sessions_per_day"] = json!(9);
    let (status, body) = assign(&clinician, &id, &too_many).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("sessions_per_day"));
    assert!(body["detail"].as_str().unwrap().contains("daily.sessions_max"), "{body}");
    let mut unknown = hands_program();
    unknown["techniques"] = json!(["cupping"]);
    let (status, body) = assign(&clinician, &id, &unknown).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("techniques[0]"));

    let (status, program) = assign(&clinician, &id, &hands_program()).await;
    assert_eq!(status, StatusCode::OK, "{program}");
    assert_eq!(program["note"], "Go gently.");
    assert!(program["on_hold"].is_null());
    let (_, mine) = json_of(patient.get("/api/v1/program").await).await;
    assert_eq!(mine["techniques"], json!(["hands"]));
    assert_eq!(mine["clinician_email"], "doc@example.org");

    // The plan keeps to the program even with a foam roller to hand.
    let body = json!({ "screening": screening["id"], "equipment": ["foam_roller"] });
    let (status, plan) = json_of(patient.post_json("/api/v1/plans", &body).await).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let items: Vec<&str> =
        plan["plan"]["items"].as_array().unwrap().iter().map(|i| i["technique"].as_str().unwrap()).collect();
    assert_eq!(items, ["hands"]);

    // A red flag later still stops everything: the program is on hold and
    // the clinician's list puts the patient first.
    patient.screen(&urgent_intake()).await;
    let (_, mine) = json_of(patient.get("/api/v1/program").await).await;
    assert!(mine["on_hold"].as_str().is_some_and(|h| !h.is_empty()), "{mine}");
    let calm = account(&app, "calm@example.org", "patient").await;
    calm.screen(&self_care_intake()).await;
    invite_and_accept(&calm, &clinician).await;
    let (_, list) = json_of(clinician.get("/api/v1/patients").await).await;
    assert_eq!(list[0]["email"], "pat@example.org", "{list}");
    assert_eq!(list[0]["worst"], "red_flag");
    assert_eq!(list[0]["screening"], "urgent");
    assert_eq!(list[1]["email"], "calm@example.org");
    assert!(list[1]["concerns"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn messages_reach_the_patient_and_are_bounded() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/patients/{id}/messages");
    let (status, body) = json_of(clinician.post_json(&path, &json!({ "text": "   " })).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("text"));
    let long = "x".repeat(2_001);
    let (status, body) = json_of(clinician.post_json(&path, &json!({ "text": long })).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("text"));
    let (status, sent) =
        json_of(clinician.post_json(&path, &json!({ "text": "How did the week go?" })).await).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let (_, inbox) = json_of(patient.get("/api/v1/messages").await).await;
    assert_eq!(inbox[0]["text"], "How did the week go?");
    assert_eq!(inbox[0]["author_email"], "doc@example.org");
}

#[tokio::test]
async fn the_list_follows_every_change_to_a_journal_between_visits() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    patient.record_session(morning(), 4).await;
    invite_and_accept(&patient, &clinician).await;
    let list = || async { json_of(clinician.get("/api/v1/patients").await).await.1 };
    let first = list().await;
    assert!(first[0]["concerns"].as_array().unwrap().is_empty(), "{first}");
    assert_eq!(list().await, first, "nothing changed: the same answer");

    // A session at 8/10: a severe reading, seen on the next visit.
    patient.record_session(morning() + Duration::hours(2), 8).await;
    let second = list().await;
    assert_eq!(second[0]["worst"], "pain", "{second}");
    assert!(second[0]["last_session"] != first[0]["last_session"]);
    // A red-flag screening outranks it.
    patient.screen(&urgent_intake()).await;
    assert_eq!(list().await[0]["worst"], "red_flag");
}
