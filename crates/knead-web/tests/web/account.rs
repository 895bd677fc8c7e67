//! The account: taking the data away, and deleting the account with all
//! that is in it, through the API and the page alike.

use crate::support::{
    PASSWORD, TestApp, account, assert_problem, invite_and_accept, json_of, morning, spawn_app, text_of,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// `DELETE /api/v1/me` with this address and password: status and body.
async fn erase(who: &TestApp, email: &str, password: &str) -> (StatusCode, Value, Option<String>) {
    let response = who
        .client
        .request(Method::DELETE, who.url("/api/v1/me"))
        .header("x-csrf-token", &who.csrf)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    let cookie = response.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_owned());
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, cookie)
}

#[tokio::test]
async fn a_patient_downloads_their_data_then_deletes_everything_and_every_sign_in_ends() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let mut phone = app.visitor();
    phone.sign_in("pat@example.org").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();
    patient.record_session(morning(), 5).await;

    // The data first: the journal as a file to save.
    let response = patient.get("/api/v1/me/journal").await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(saved.starts_with("attachment"), "{saved}");
    let journal: Value = response.json().await.unwrap();
    assert_eq!(journal["sessions"].as_array().map(Vec::len), Some(1), "{journal}");

    // Only the person's own address and password delete it.
    let (status, body, _) = erase(&patient, "pat@example.org", "not the password").await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("password"));
    let (status, body, _) = erase(&patient, "doc@example.org", PASSWORD).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("password"));
    assert_eq!(clinician.get("/api/v1/me").await.status(), StatusCode::OK, "the clinician is still there");

    let (status, _, cookie) = erase(&patient, "pat@example.org", PASSWORD).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(cookie.is_some_and(|c| c.contains("Max-Age=0")), "the cookie is cleared");
    for who in [&patient, &phone] {
        assert_eq!(who.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED, "every sign-in ends");
    }
    let mut again = app.visitor();
    let response = again
        .client
        .post(again.url("/api/v1/sign-in"))
        .json(&json!({ "email": "pat@example.org", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // The clinician's access ended with it.
    let (_, list) = json_of(clinician.get("/api/v1/patients").await).await;
    assert_eq!(list, json!([]));
    assert_eq!(clinician.get(&format!("/api/v1/patients/{id}")).await.status(), StatusCode::NOT_FOUND);
    // The address can be used again, for a new and empty account.
    again.sign_up("pat@example.org").await;
    again.sign_in("pat@example.org").await;
    let (status, sessions) = json_of(again.get("/api/v1/sessions").await).await;
    assert_eq!((status, sessions), (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn a_clinician_deletes_their_account_on_the_page_and_the_patient_keeps_their_record() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    invite_and_accept(&patient, &clinician).await;

    let (status, _, page) = text_of(clinician.get("/account").await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("action=\"/account/erase\"") && page.contains("href=\"/clinic\""), "{page}");
    assert!(!page.contains("/api/v1/me/journal"), "a clinician keeps no journal: {page}");

    // Not ticked: nothing happens.
    let form = [("csrf", clinician.csrf.as_str()), ("email", "doc@example.org"), ("password", PASSWORD)];
    let (status, _, page) = text_of(clinician.post_form("/account/erase", &form).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("cannot be undone"), "{page}");
    assert_eq!(clinician.get("/api/v1/me").await.status(), StatusCode::OK);

    let ticked = [form.as_slice(), &[("understood", "yes")]].concat();
    let (status, _, page) = text_of(clinician.post_form("/account/erase", &ticked).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Account deleted"), "{page}");
    assert_eq!(clinician.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);

    // The patient's sharing shows no live access; their log keeps the lines, without the address.
    let (_, grants) = json_of(patient.get("/api/v1/grants").await).await;
    assert_eq!(grants, json!([]), "the grant to the deleted clinician is gone");
    let (_, log) = json_of(patient.get("/api/v1/audit").await).await;
    assert!(!log.as_array().unwrap().is_empty(), "{log}");
    assert!(!log.to_string().contains("doc@example.org"), "{log}");
}

#[tokio::test]
async fn a_new_password_ends_the_other_sign_ins_and_signing_out_everywhere_ends_them_all() {
    let app = spawn_app().await;
    let mut here = account(&app, "pat@example.org", "patient").await;
    let mut phone = app.visitor();
    phone.sign_in("pat@example.org").await;
    let change = |current: &str, new: &str| json!({ "email": "pat@example.org", "password": current, "new_password": new });
    let put = |who: &TestApp, body: Value| {
        who.client
            .put(who.url("/api/v1/me/password"))
            .header("x-csrf-token", who.csrf.clone())
            .json(&body)
            .send()
    };
    // The current password must be right, and the new one allowed.
    let (status, body) =
        json_of(put(&here, change("wrong one", "orbit lantern meadow quietly")).await.unwrap()).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("password"));
    let (status, body) = json_of(put(&here, change(PASSWORD, "password123")).await.unwrap()).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("new_password"));
    assert_eq!(phone.get("/api/v1/me").await.status(), StatusCode::OK, "nothing changed yet");

    let response = put(&here, change(PASSWORD, "orbit lantern meadow quietly")).await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(here.get("/api/v1/me").await.status(), StatusCode::OK, "this sign-in stays");
    assert_eq!(phone.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED, "the phone's ended");
    let old = app.visitor();
    let response = old
        .client
        .post(old.url("/api/v1/sign-in"))
        .json(&json!({ "email": "pat@example.org", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "the old password is gone");

    // On the page: sign out everywhere, this browser too.
    let mut laptop = app.visitor();
    let response = laptop
        .client
        .post(laptop.url("/api/v1/sign-in"))
        .json(&json!({ "email": "pat@example.org", "password": "orbit lantern meadow quietly" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    laptop.csrf = laptop.csrf().await;
    here.csrf = here.csrf().await;
    let response = here.post_form("/account/sign-out-everywhere", &[("csrf", here.csrf.as_str())]).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    for who in [&here, &laptop] {
        assert_eq!(who.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    }
}

/// A patient chooses the name their clinicians see, on the account page or
/// through the API; the list, the record and the API show it with the
/// address, escaped; empty shows the address alone again.
#[tokio::test]
async fn a_patient_chooses_the_name_their_clinicians_see() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();

    let form = [("csrf", patient.csrf.as_str()), ("display_name", "  Ana <b>Ruiz</b> ")];
    let (status, _, page) = text_of(patient.post_form("/account/name", &form).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Your clinicians see this name."), "{page}");
    assert!(
        page.contains("value=\"Ana &#60;b&#62;Ruiz&#60;/b&#62;\"")
            || page.contains("value=\"Ana &lt;b&gt;Ruiz&lt;/b&gt;\""),
        "{page}"
    );
    let (_, _, list) = text_of(clinician.get("/clinic").await).await;
    assert!(list.contains("(pat@example.org)") && !list.contains("<b>Ruiz"), "shown, escaped: {list}");
    let (_, _, record) = text_of(clinician.get(&format!("/clinic/patients/{id}")).await).await;
    assert!(record.contains("(pat@example.org)</h1>"), "{record}");

    let (status, kept) =
        json_of(patient.put_json("/api/v1/me/name", &json!({ "display_name": " Ana Ruiz " })).await).await;
    assert_eq!((status, kept), (StatusCode::OK, json!({ "display_name": "Ana Ruiz" })));
    let (_, patients) = json_of(clinician.get("/api/v1/patients").await).await;
    assert_eq!(patients[0]["name"], "Ana Ruiz", "{patients}");
    let (status, body) =
        json_of(patient.put_json("/api/v1/me/name", &json!({ "display_name": "Ana\nRuiz" })).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("display_name"));
    let (status, body) =
        json_of(patient.put_json("/api/v1/me/name", &json!({ "display_name": "a".repeat(81) })).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("display_name"));
    let (_, patients) = json_of(clinician.get("/api/v1/patients").await).await;
    assert_eq!(patients[0]["name"], "Ana Ruiz", "a refused name changes nothing");

    let (status, kept) =
        json_of(patient.put_json("/api/v1/me/name", &json!({ "display_name": "" })).await).await;
    assert_eq!((status, kept), (StatusCode::OK, json!({ "display_name": null })));
    let (_, _, record) = text_of(clinician.get(&format!("/clinic/patients/{id}")).await).await;
    assert!(record.contains("<h1>pat@example.org</h1>"), "{record}");
}
