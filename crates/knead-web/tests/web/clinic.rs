//! The clinician's side through the API: invitations are single-use and
//! lapse, a revocation ends access at the next request, assignments keep to
//! the pack's limits and the patient's screening, red flags reach the
//! clinician's list first, a clearance lifts only see-a-doctor-first
//! advice, and the patient's audit log records it all.

use crate::support::{
    TestApp, account, assert_problem, emergency_intake, fhir_resources, invite_and_accept, json_of, morning,
    see_doctor_first_intake, self_care_intake, spawn_app, text_of, urgent_intake,
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

/// A clinician's clearance of `patient`'s screening through the API.
async fn clear(clinician: &TestApp, patient: &str, screening: &Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/patients/{patient}/clearance");
    json_of(clinician.post_json(&path, &json!({ "screening": screening })).await).await
}

#[tokio::test]
async fn a_clinician_clears_a_granted_patient_who_can_then_plan_and_the_log_says_so() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let stranger = account(&app, "stranger@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();
    let before = patient.screen(&see_doctor_first_intake()).await;
    let (status, _) = patient.plan(&before["id"]).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The record page offers the clearance of the newest screening.
    let record = format!("/clinic/patients/{id}");
    let (status, _, page) = text_of(clinician.get(&record).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("action=\"{record}/clearance\"")), "{page}");
    assert!(
        page.contains(&format!("name=\"screening\" value=\"{}\"", before["id"].as_str().unwrap())),
        "{page}"
    );
    assert!(page.contains("I have assessed this back pain: self-massage is fine."), "{page}");

    // A clinician without a grant gets what a patient who does not exist gets.
    let (status, theirs) = clear(&stranger, &id, &before["id"]).await;
    assert_problem(status, &theirs, StatusCode::NOT_FOUND, None);
    let (_, nobody) = clear(&stranger, &uuid::Uuid::now_v7().to_string(), &before["id"]).await;
    assert_eq!(theirs, nobody);
    let form = [("csrf", stranger.csrf.as_str()), ("screening", before["id"].as_str().unwrap())];
    let (status, _, theirs) = text_of(stranger.post_form(&format!("{record}/clearance"), &form).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let missing = format!("/clinic/patients/{}/clearance", uuid::Uuid::now_v7());
    assert_eq!(theirs, text_of(stranger.post_form(&missing, &form).await).await.2);
    // Only a screening of this patient.
    let (status, body) = clear(&clinician, &id, &json!(uuid::Uuid::now_v7())).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("screening"));

    // Through the page's form.
    let form = [("csrf", clinician.csrf.as_str()), ("screening", before["id"].as_str().unwrap())];
    let (status, _, page) = text_of(clinician.post_form(&format!("{record}/clearance"), &form).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Cleared."), "{page}");
    assert!(page.contains("(cleared by doc@example.org, on 2025-03-10)"), "{page}");
    assert!(!page.contains("id=\"clear\""), "nothing more to clear: {page}");
    let (_, list) = json_of(patient.get("/api/v1/screenings").await).await;
    let after = &list[0];
    assert_ne!(after["id"], before["id"]);
    assert_eq!(after["intake"]["clinician_cleared"], true, "{after}");
    assert_eq!(after["result"]["cleared_by_clinician"], true, "{after}");
    let doc = after["clearance"]["recorded_by"].clone();
    assert!(doc.is_string(), "recorded by the clinician, not the patient's word: {after}");
    let recorded =
        |on: &str| json!({ "by": "doc@example.org", "on": on, "recorded_by": doc, "in_force": true });
    assert_eq!(after["clearance"], recorded("2025-03-10"));
    let (status, plan) = patient.plan(&after["id"]).await;
    assert_eq!(status, StatusCode::OK, "{plan}");

    // Through the API, the next day's screening.
    app.clock().advance(Duration::days(1));
    let again = patient.screen(&see_doctor_first_intake()).await;
    let (status, made) = clear(&clinician, &id, &again["id"]).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["clearance"], recorded("2025-03-11"));
    assert_eq!(made["result"]["cleared_by_clinician"], true, "{made}");
    let (status, plan) = patient.plan(&made["id"]).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    // Not the newest any more; and the new one needs no clearance.
    let (status, body) = clear(&clinician, &id, &again["id"]).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
    assert_eq!(body["type"], "/problems/stale-screening", "{body}");
    let (status, body) = clear(&clinician, &id, &made["id"]).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
    assert_eq!(body["type"], "/problems/nothing-to-clear", "{body}");

    // The patient's log says who cleared them, in the API and in words.
    let (_, log) = json_of(patient.get("/api/v1/audit").await).await;
    let cleared: Vec<&Value> = log.as_array().unwrap().iter().filter(|e| e["action"] == "cleared").collect();
    assert_eq!(cleared.len(), 2, "{log}");
    assert!(cleared.iter().all(|e| e["actor_email"] == "doc@example.org"), "{log}");
    let (status, _, page) = text_of(patient.get("/sharing").await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("said they assessed your back pain and self-massage is fine"), "{page}");

    // After a revocation: the same 404 as for no one.
    let (_, grants) = json_of(patient.get("/api/v1/grants").await).await;
    let grant = grants[0]["id"].as_str().unwrap();
    assert_eq!(delete(&patient, &format!("/api/v1/grants/{grant}")).await, StatusCode::NO_CONTENT);
    let later = patient.screen(&see_doctor_first_intake()).await;
    let (status, body) = clear(&clinician, &id, &later["id"]).await;
    assert_problem(status, &body, StatusCode::NOT_FOUND, None);
    let (_, list) = json_of(patient.get("/api/v1/screenings").await).await;
    assert_eq!(list[0]["id"], later["id"], "nothing was kept");
}

#[tokio::test]
async fn a_clinician_cannot_clear_warning_signs_or_yesterdays_answers() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();
    let record = format!("/clinic/patients/{id}");

    for intake in [emergency_intake(), urgent_intake(), self_care_intake()] {
        let screening = patient.screen(&intake).await;
        let (_, _, page) = text_of(clinician.get(&record).await).await;
        assert!(!page.contains("/clearance\""), "{page}");
        let (status, body) = clear(&clinician, &id, &screening["id"]).await;
        assert_problem(status, &body, StatusCode::CONFLICT, None);
        assert_eq!(body["type"], "/problems/nothing-to-clear", "{body}");
        let (status, _) = patient.plan(&screening["id"]).await;
        assert_eq!(status == StatusCode::OK, intake == self_care_intake());
    }

    let old = patient.screen(&see_doctor_first_intake()).await;
    app.clock().advance(Duration::days(1));
    let (_, _, page) = text_of(clinician.get(&record).await).await;
    assert!(!page.contains("/clearance\""), "{page}");
    assert!(page.contains("once the patient has answered the questions again today"), "{page}");
    let (status, body) = clear(&clinician, &id, &old["id"]).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
    assert_eq!(body["type"], "/problems/stale-screening", "{body}");

    let (_, log) = json_of(patient.get("/api/v1/audit").await).await;
    assert!(log.as_array().unwrap().iter().all(|e| e["action"] != "cleared"), "{log}");
    let (_, list) = json_of(patient.get("/api/v1/screenings").await).await;
    assert_eq!(list.as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn a_red_flag_stays_first_under_a_later_ordinary_screening_until_the_clinician_acknowledges_it() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let mut colleague = account(&app, "colleague@example.org", "clinician").await;
    let calm = account(&app, "calm@example.org", "patient").await;
    calm.record_session(morning(), 6).await;
    invite_and_accept(&calm, &clinician).await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();
    invite_and_accept(&patient, &colleague).await;

    // An emergency, then an ordinary screening the next hour.
    let emergency = patient.screen(&emergency_intake()).await;
    app.clock().advance(Duration::hours(1));
    let ordinary = patient.screen(&self_care_intake()).await;
    let first = patients_of(&clinician).await;
    assert_eq!(first[0]["email"], "pat@example.org", "the earlier emergency keeps them first: {first}");
    assert_eq!(first[0]["worst"], "red_flag");
    assert_eq!(first[0]["screening"], "self_care", "the newest screening is still told as it is");
    let said = first[0]["concerns"][0].as_str().unwrap();
    assert!(said.starts_with("Screening of "), "{said}");

    // Only a red-flag screening of this patient can be acknowledged.
    let path = format!("/api/v1/patients/{id}/acknowledgements");
    let (status, body) =
        json_of(clinician.post_json(&path, &json!({ "screening": ordinary["id"] })).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("screening"));
    let (status, body) =
        json_of(clinician.post_json(&path, &json!({ "screening": uuid::Uuid::now_v7() })).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("screening"));
    let long = json!({ "screening": emergency["id"], "note": "x".repeat(2_001) });
    let (status, body) = json_of(clinician.post_json(&path, &long).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("note"));

    // The record opens the emergency screening: its answers, and the rules that fired with their sources.
    let record = format!("/clinic/patients/{id}");
    let (_, _, page) = text_of(clinician.get(&record).await).await;
    let opened = format!("{record}/screenings/{}", emergency["id"].as_str().unwrap());
    assert!(page.contains(&format!("href=\"{opened}\"")), "{page}");
    let (status, _, page) = text_of(clinician.get(&opened).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Emergency: get help now"), "{page}");
    assert!(page.contains("<strong>EM-") && page.contains("Source:"), "{page}");
    assert!(page.contains("<td>How old are you?</td>"), "{page}");
    let nobody = format!("{record}/screenings/{}", uuid::Uuid::now_v7());
    assert_eq!(clinician.get(&nobody).await.status(), StatusCode::NOT_FOUND);

    let seen =
        json!({ "screening": emergency["id"], "note": "Phoned: seen in A&E, cardiac causes ruled out." });
    let (status, ack) = json_of(clinician.post_json(&path, &seen).await).await;
    assert_eq!(status, StatusCode::CREATED, "{ack}");
    assert_eq!(ack["through"], emergency["at"]);
    let after = patients_of(&clinician).await;
    assert_eq!(after[0]["email"], "calm@example.org", "acknowledged: no longer first: {after}");
    let pat = after.as_array().unwrap().iter().find(|r| r["email"] == "pat@example.org").unwrap();
    assert!(pat["concerns"].as_array().unwrap().is_empty(), "{pat}");
    // Each clinician acknowledges for themselves.
    assert_eq!(patients_of(&colleague).await[0]["worst"], "red_flag");

    // The audit log tells of it; the note stays out of it.
    let (_, audit) = json_of(patient.get("/api/v1/audit").await).await;
    let line = audit.as_array().unwrap().iter().find(|e| e["action"] == "acknowledged").expect("audited");
    assert_eq!(line["actor_email"], "doc@example.org");
    assert!(!audit.to_string().contains("A&E"), "no note in the audit log");

    // A new red flag is news again; the record page offers to mark it seen.
    app.clock().advance(Duration::hours(1));
    let urgent = patient.screen(&urgent_intake()).await;
    let record = format!("/clinic/patients/{id}");
    let (_, _, page) = text_of(colleague.get(&record).await).await;
    assert_eq!(page.matches(&format!("action=\"{record}/acknowledgement\"")).count(), 2, "{page}");
    let form =
        [("csrf", colleague.csrf.as_str()), ("screening", urgent["id"].as_str().unwrap()), ("note", "")];
    let (status, _, page) =
        text_of(colleague.post_form(&format!("{record}/acknowledgement"), &form).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Marked as seen."), "{page}");
    assert!(!page.contains("/acknowledgement\""), "the newest covers the earlier one too: {page}");
    let again = patients_of(&clinician).await;
    assert_eq!(again[0]["email"], "pat@example.org", "{again}");
    assert_eq!(again[0]["concerns"].as_array().unwrap().len(), 1, "only the new one: {again}");

    // Past the pack's days (84), an old red flag no longer counts.
    app.clock().advance(Duration::days(85));
    colleague.sign_in("colleague@example.org").await;
    let later = patients_of(&colleague).await;
    assert!(later[0]["concerns"].as_array().unwrap().is_empty(), "{later}");
}

/// A §4 pain flag keeps the patient first until the clinician marks it
/// seen (by its day, through the API or the record page), better pain the
/// next days does not hide it, and clearing the patient counts as seeing
/// what came before.
#[tokio::test]
async fn a_pain_flag_stays_first_until_acknowledged_and_a_clearance_counts_as_seen() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let calm = account(&app, "calm@example.org", "patient").await;
    calm.record_session(morning(), 6).await;
    invite_and_accept(&calm, &clinician).await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();

    // Severe pain (8/10) on the first day; the next days are calm.
    patient.record_session(morning(), 8).await;
    let first = patients_of(&clinician).await;
    assert_eq!(first[0]["email"], "pat@example.org", "{first}");
    assert_eq!(first[0]["worst"], "pain");
    let day = morning().date_naive().to_string();
    assert_eq!(first[0]["unseen"], json!([{ "kind": "pain", "pain_day": day }]), "{first}");
    app.clock().advance(Duration::days(1));
    let (status, _) = patient.plan(&patient.screen(&self_care_intake()).await["id"]).await;
    assert_eq!(status, StatusCode::CONFLICT, "severe pain stops self-massage");
    assert_eq!(patients_of(&clinician).await[0]["worst"], "pain", "a day on, still first");

    // Only a day a pain flag was raised, and only one kind of flag at a time.
    let path = format!("/api/v1/patients/{id}/acknowledgements");
    let other = (morning() - Duration::days(3)).date_naive().to_string();
    let (status, body) = json_of(clinician.post_json(&path, &json!({ "pain_day": other })).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("pain_day"));
    let screening = patient.screen(&self_care_intake()).await;
    let both = json!({ "pain_day": day, "screening": screening["id"] });
    let (status, body) = json_of(clinician.post_json(&path, &both).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("screening"));

    // Marked seen on the record page, by its day.
    let record = format!("/clinic/patients/{id}");
    let (_, _, page) = text_of(clinician.get(&record).await).await;
    assert!(page.contains(&format!("name=\"pain_day\" value=\"{day}\"")), "{page}");
    let form =
        [("csrf", clinician.csrf.as_str()), ("pain_day", day.as_str()), ("note", "Phoned; booked in.")];
    let (status, _, page) =
        text_of(clinician.post_form(&format!("{record}/acknowledgement"), &form).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Marked as seen."), "{page}");
    let after = patients_of(&clinician).await;
    assert_eq!(after[0]["email"], "calm@example.org", "{after}");

    // A clinician's clearance counts as seeing the red flag before it.
    let doctor_first = patient.screen(&see_doctor_first_intake()).await;
    assert_eq!(patients_of(&clinician).await[0]["worst"], "red_flag");
    let (status, body) = clear(&clinician, &id, &doctor_first["id"]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let cleared = patients_of(&clinician).await;
    let pat = cleared.as_array().unwrap().iter().find(|r| r["email"] == "pat@example.org").unwrap();
    assert_eq!(pat["unseen"], json!([]), "{cleared}");
}

/// A message the clinician marks to read before the next session holds
/// the plan back until the patient has read it (shown on their home
/// page); an ordinary one does not. The patient answers, and the
/// clinician reads the answer on the record.
#[tokio::test]
async fn a_message_to_read_first_holds_the_plan_until_read_and_the_patient_answers() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();
    let post = |body: Value| {
        let path = format!("/api/v1/patients/{id}/messages");
        let clinician = &clinician;
        async move { json_of(clinician.post_json(&path, &body).await).await }
    };

    let (status, plain) = post(json!({ "text": "Good work this week." })).await;
    assert_eq!(status, StatusCode::CREATED, "{plain}");
    assert_eq!((plain["before_session"].clone(), plain["read_at"].clone()), (json!(false), Value::Null));
    let screening = patient.screen(&self_care_intake()).await;
    assert_eq!(patient.plan(&screening["id"]).await.0, StatusCode::OK, "an ordinary message holds nothing");

    let (status, _) =
        post(json!({ "text": "Please pause the massage gun until we talk.", "before_session": true })).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, refused) = patient.plan(&screening["id"]).await;
    assert_problem(status, &refused, StatusCode::CONFLICT, None);
    assert_eq!(refused["type"], "/problems/read-messages-first", "{refused}");
    let (_, _, home) = text_of(patient.get("/").await).await;
    assert!(
        home.contains("Read this before your next session") && home.contains("pause the massage gun"),
        "{home}"
    );

    // Read on the home page, up to the newest shown: one sent meanwhile stays unread and still holds the plan.
    let through = home.split("name=\"through\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
    app.clock().advance(Duration::minutes(1));
    let (status, _) = post(json!({ "text": "And no foam roller either.", "before_session": true })).await;
    assert_eq!(status, StatusCode::CREATED);
    let form = [("csrf", patient.csrf.as_str()), ("through", through)];
    let response = patient.post_form("/messages/read", &form).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(patient.plan(&screening["id"]).await.0, StatusCode::CONFLICT, "the newer one is unread");
    let (_, _, home) = text_of(patient.get("/").await).await;
    assert!(home.contains("no foam roller") && !home.contains("pause the massage gun"), "{home}");
    let through = home.split("name=\"through\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
    let form = [("csrf", patient.csrf.as_str()), ("through", through)];
    let response = patient.post_form("/messages/read", &form).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(patient.plan(&screening["id"]).await.0, StatusCode::OK);
    let (_, _, home) = text_of(patient.get("/").await).await;
    assert!(!home.contains("id=\"unread\""), "{home}");
    let (_, messages) = json_of(patient.get("/api/v1/messages").await).await;
    assert!(messages.as_array().unwrap().iter().all(|m| !m["read_at"].is_null()), "{messages}");

    // The answer, through the API; the clinician reads it on the record, marked as the patient's.
    let (status, reply) =
        json_of(patient.post_json("/api/v1/messages", &json!({ "text": "Paused. Thanks!" })).await).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(reply["mine"], true);
    let (status, body) = json_of(patient.post_json("/api/v1/messages", &json!({ "text": "  " })).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("text"));
    let (_, _, page) = text_of(clinician.get(&format!("/clinic/patients/{id}")).await).await;
    assert!(page.contains("The patient, ") && page.contains("Paused. Thanks!"), "{page}");
    assert!(page.contains("To read before the next session; read "), "{page}");

    // Both go with the patient's FHIR bundle, from whoever sent them.
    let (_, bundle) = json_of(patient.get("/api/v1/me/fhir").await).await;
    let sent = fhir_resources(&bundle, "Communication");
    let (answer, theirs) = sent.split_last().unwrap();
    assert_eq!(theirs.len(), 3, "oldest first: {bundle}");
    assert!(theirs.iter().all(|r| r["sender"]["display"] == "doc@example.org" && r["received"].is_string()));
    assert!(answer["sender"]["reference"].is_string(), "{answer}");
    assert_eq!(answer["payload"][0]["contentString"], "Paused. Thanks!");
}

async fn patients_of(clinician: &TestApp) -> Value {
    json_of(clinician.get("/api/v1/patients").await).await.1
}

/// A clinician's `what` (`confirm` or `withdraw`) of the clearance kept
/// with the patient's `screening`: status and body.
async fn review(who: &TestApp, patient: &str, what: &str, screening: &Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/patients/{patient}/clearance/{what}");
    json_of(who.post_json(&path, &json!({ "screening": screening })).await).await
}

/// The patient reports a clearance with today's answers (their own word);
/// the physio confirms it, then withdraws it: the patient is back to see a
/// doctor first, their own word counts again only from a later day, and the
/// patient's log tells both. Through the API and the record page's forms.
#[tokio::test]
async fn a_reported_clearance_is_confirmed_then_withdrawn_and_the_patient_is_back_to_see_a_doctor_first() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let stranger = account(&app, "stranger@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();
    let report = |on: &str| {
        let mut intake = see_doctor_first_intake();
        intake["clinician_cleared"] = json!(true);
        json!({ "id": uuid::Uuid::now_v7(), "intake": intake, "clearance": { "by": "Dr Lee", "on": on } })
    };
    let (status, reported) =
        json_of(patient.post_json("/api/v1/screenings", &report("2025-03-09")).await).await;
    assert_eq!(status, StatusCode::CREATED, "{reported}");
    assert!(reported["clearance"].get("recorded_by").is_none(), "the patient's own word: {reported}");
    assert_eq!(patient.plan(&reported["id"]).await.0, StatusCode::OK);

    // The record shows whose word it is and offers both.
    let record = format!("/clinic/patients/{id}");
    let (_, _, page) = text_of(clinician.get(&record).await).await;
    assert!(
        page.contains("Cleared by Dr Lee on Sun") && page.contains("Mar, as the patient reported it."),
        "{page}"
    );
    assert!(
        page.contains("Confirm this clearance") && page.contains("class=\"withdraw-clearance\""),
        "{page}"
    );

    // No grant: what no patient gets. Not a clearance: named.
    let (status, theirs) = review(&stranger, &id, "withdraw", &reported["id"]).await;
    assert_problem(status, &theirs, StatusCode::NOT_FOUND, None);
    let plain = patient.screen(&self_care_intake()).await;
    let (status, body) = review(&clinician, &id, "confirm", &plain["id"]).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("screening"));
    let (status, reported) =
        json_of(patient.post_json("/api/v1/screenings", &report("2025-03-09")).await).await;
    assert_eq!(status, StatusCode::CREATED, "{reported}");

    // Confirmed, through the page: once, however often asked.
    let form = [("csrf", clinician.csrf.as_str()), ("screening", reported["id"].as_str().unwrap())];
    let (status, _, page) =
        text_of(clinician.post_form(&format!("{record}/clearance/confirm"), &form).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("as the patient reported it; confirmed by you on"), "{page}");
    assert_eq!(page.matches("Confirm this clearance").count(), 1, "only the earlier one's: {page}");
    let (status, again) = review(&clinician, &id, "confirm", &reported["id"]).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert!(
        again["clearance"]["confirmed"]["by"].is_string() && again["clearance"]["in_force"] == true,
        "{again}"
    );
    assert_eq!(
        patient.plan(&reported["id"]).await.0,
        StatusCode::OK,
        "confirming changes nothing for the plan"
    );

    // Withdrawn: the newest screening stood on it, so its answers are
    // judged again without it, and no plan is given.
    let (status, withdrawn) = review(&clinician, &id, "withdraw", &reported["id"]).await;
    assert_eq!(status, StatusCode::OK, "{withdrawn}");
    assert_eq!(withdrawn["clearance"]["in_force"], false, "{withdrawn}");
    let back = &withdrawn["screening"];
    assert_eq!(back["disposition"], "see_doctor_first", "{withdrawn}");
    assert_eq!(back["intake"]["clinician_cleared"], false, "{withdrawn}");
    let (_, list) = json_of(patient.get("/api/v1/screenings").await).await;
    assert_eq!(list[0]["id"], back["id"], "the newest now");
    let (status, refused) = patient.plan(&back["id"]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let (status, refused) = patient.plan(&reported["id"]).await;
    assert_eq!(status, StatusCode::CONFLICT, "the withdrawn one is not the newest: {refused}");
    let (status, same) = review(&clinician, &id, "withdraw", &reported["id"]).await;
    assert_eq!((status, same.get("screening")), (StatusCode::OK, None), "once: {same}");
    let (status, body) = review(&clinician, &id, "confirm", &reported["id"]).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
    assert_eq!(body["type"], "/problems/clearance-withdrawn", "{body}");

    // The patient's own word counts again only for a later day.
    let (status, body) = json_of(patient.post_json("/api/v1/screenings", &report("2025-03-10")).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("clearance.on"));
    assert!(body["detail"].as_str().unwrap().contains("withdrew your clearance on 2025-03-10"), "{body}");
    let (_, _, page) = text_of(clinician.get(&record).await).await;
    assert!(page.contains("; withdrawn by you on"), "{page}");
    app.clock().advance(Duration::days(1));
    let (status, later) = json_of(patient.post_json("/api/v1/screenings", &report("2025-03-11")).await).await;
    assert_eq!(status, StatusCode::CREATED, "a new assessment after it: {later}");
    assert_eq!(patient.plan(&later["id"]).await.0, StatusCode::OK);

    // The patient's log says both, in the API and in words.
    let (_, log) = json_of(patient.get("/api/v1/audit").await).await;
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"confirmed") && actions.contains(&"withdrew"), "{log}");
    let (_, _, page) = text_of(patient.get("/sharing").await).await;
    assert!(
        page.contains("confirmed the clearance you reported") && page.contains("withdrew a clearance"),
        "{page}"
    );
}

/// The record shows the patient's pain chart: the very one their Progress
/// page draws, at both sizes, and only to a clinician they share with.
#[tokio::test]
async fn the_record_shows_the_chart_the_patients_progress_page_shows() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let stranger = account(&app, "stranger@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();
    patient.record_session(morning(), 6).await;
    patient.record_session(morning() + Duration::days(1), 4).await;
    let record = format!("/clinic/patients/{id}");
    let (_, _, page) = text_of(clinician.get(&record).await).await;
    assert!(page.contains(&format!("<img src=\"{record}/progress.svg\"")), "{page}");
    for size in ["", "?size=phone"] {
        let (status, kind, theirs) = text_of(patient.get(&format!("/progress.svg{size}")).await).await;
        assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/svg+xml"));
        let (status, _, seen) = text_of(clinician.get(&format!("{record}/progress.svg{size}")).await).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(seen, theirs, "the same chart {size}");
        assert!(seen.contains("<svg"), "{seen}");
        let (status, _, _) = text_of(stranger.get(&format!("{record}/progress.svg{size}")).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

/// A patient with two clinicians: a thread with each. Each clinician's
/// record holds their thread only, a reply to one is not in the other's,
/// and the unread counts go up and back to 0 as each side reads, through
/// the API and the pages alike.
#[tokio::test]
async fn two_clinicians_each_have_their_own_thread_with_the_patient() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let doc = account(&app, "doc@example.org", "clinician").await;
    let cleo = account(&app, "cleo@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &doc).await["patient"].as_str().unwrap().to_owned();
    invite_and_accept(&patient, &cleo).await;
    let to_patient = format!("/api/v1/patients/{id}/messages");
    let write = |who: &'static str, text: &'static str| {
        let (clinician, path) = (if who == "doc" { &doc } else { &cleo }, to_patient.clone());
        async move { json_of(clinician.post_json(&path, &json!({ "text": text })).await).await }
    };
    let (_, from_doc) = write("doc", "Pause the massage, please.").await;
    write("cleo", "How was the week?").await;
    let (doc_id, cleo_id) = (from_doc["clinician"].clone(), {
        let (_, threads) = json_of(patient.get("/api/v1/threads").await).await;
        threads.as_array().unwrap().iter().find(|t| t["clinician_email"] == "cleo@example.org").unwrap()["clinician"]
            .clone()
    });
    let unread_of = |threads: &Value, email: &str| {
        threads.as_array().unwrap().iter().find(|t| t["clinician_email"] == email).unwrap()["unread"].clone()
    };
    let (_, threads) = json_of(patient.get("/api/v1/threads").await).await;
    assert_eq!(threads.as_array().unwrap().len(), 2, "{threads}");
    assert_eq!(
        (unread_of(&threads, "doc@example.org"), unread_of(&threads, "cleo@example.org")),
        (json!(1), json!(1))
    );

    // A reply names its clinician when there are two.
    let (status, body) =
        json_of(patient.post_json("/api/v1/messages", &json!({ "text": "Which?" })).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("clinician"));
    let stranger = json!({ "text": "Hi", "clinician": id });
    let (status, body) = json_of(patient.post_json("/api/v1/messages", &stranger).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("clinician"));
    let to_doc = json!({ "text": "Paused. Thanks!", "clinician": doc_id });
    let (status, reply) = json_of(patient.post_json("/api/v1/messages", &to_doc).await).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    // And by the page's form, to cleo.
    let form =
        [("csrf", patient.csrf.as_str()), ("clinician", cleo_id.as_str().unwrap()), ("text", "A good week.")];
    assert!(patient.post_form("/messages/reply", &form).await.status().is_redirection());

    // Each clinician's list counts the patient's message to them.
    assert_eq!((unread_listed(&doc).await, unread_listed(&cleo).await), (json!(1), json!(1)));
    let (_, _, list) = text_of(doc.get("/clinic").await).await;
    assert!(list.contains("1 new"), "{list}");

    // Each record holds its own thread only, and reading it clears that count.
    let record = format!("/api/v1/patients/{id}");
    let (_, seen) = json_of(doc.get(&record).await).await;
    let texts: Vec<&str> =
        seen["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Paused. Thanks!", "Pause the massage, please."]);
    assert_eq!(seen["summary"]["unread_messages"], 1);
    assert_eq!((unread_listed(&doc).await, unread_listed(&cleo).await), (json!(0), json!(1)));
    let (_, _, page) = text_of(cleo.get(&format!("/clinic/patients/{id}")).await).await;
    assert!(page.contains("A good week.") && page.contains("How was the week?"), "{page}");
    assert!(!page.contains("Paused. Thanks!") && !page.contains("Pause the massage"), "not cleo's: {page}");
    assert!(page.contains("1 new"), "{page}");
    assert_eq!(unread_listed(&cleo).await, json!(0));
    let (_, _, list) = text_of(cleo.get("/clinic").await).await;
    assert!(list.contains("none new"), "{list}");
    // The patient sees that doc read theirs.
    let (_, threads) = json_of(patient.get("/api/v1/threads").await).await;
    let doc_thread = threads.as_array().unwrap().iter().find(|t| t["clinician"] == doc_id).unwrap();
    assert!(doc_thread["messages"][0]["mine"] == true && doc_thread["messages"][0]["read_at"].is_string());

    // The patient reads doc's thread by the API, cleo's on the Sharing page.
    let (_, _, sharing) = text_of(patient.get("/sharing").await).await;
    assert!(
        sharing.contains("With doc@example.org") && sharing.contains("With cleo@example.org"),
        "{sharing}"
    );
    assert_eq!(sharing.matches("1 new").count(), 2, "{sharing}");
    // An array is not read as the fields in order.
    let (status, body) =
        json_of(patient.post_json("/api/v1/messages/read", &json!([null, doc_id])).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("body"));
    let read_doc = json!({ "clinician": doc_id });
    assert_eq!(patient.post_json("/api/v1/messages/read", &read_doc).await.status(), StatusCode::NO_CONTENT);
    let (_, threads) = json_of(patient.get("/api/v1/threads").await).await;
    assert_eq!(
        (unread_of(&threads, "doc@example.org"), unread_of(&threads, "cleo@example.org")),
        (json!(0), json!(1))
    );
    let cleo_thread = format!("id=\"thread-{}\"", cleo_id.as_str().unwrap());
    let section = sharing.split(&cleo_thread).nth(1).unwrap();
    let through =
        section.split("name=\"through\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
    let form =
        [("csrf", patient.csrf.as_str()), ("clinician", cleo_id.as_str().unwrap()), ("through", through)];
    assert!(patient.post_form("/messages/read", &form).await.status().is_redirection());
    let (_, threads) = json_of(patient.get("/api/v1/threads").await).await;
    assert_eq!(
        (unread_of(&threads, "doc@example.org"), unread_of(&threads, "cleo@example.org")),
        (json!(0), json!(0))
    );
}

/// How many messages from the first patient on `clinician`'s list they have not read.
async fn unread_listed(clinician: &TestApp) -> Value {
    patients_of(clinician).await[0]["unread_messages"].clone()
}
