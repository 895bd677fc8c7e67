//! The REST API under `/api/v1`: accounts, the screening gate, plans,
//! sessions and their limits, progress and check-ins.

use crate::support::{
    PASSWORD, TestApp, assert_problem, browser, emergency_intake, header, json_of, morning,
    see_doctor_first_intake, self_care_intake, session_from_plan, set_cookie, spawn_app, spawn_app_with,
    text_of, urgent_intake,
};
use chrono::Duration;
use knead_web::auth::SignUpAnswer;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

// ---------------------------------------------------------------------------
// Accounts.

/// A server that signs new accounts in at once and tells taken addresses
/// (`knead serve --tell-taken-addresses`).
async fn spawn_telling() -> TestApp {
    spawn_app_with(|config| config.sign_up = SignUpAnswer::TellTaken).await
}

#[tokio::test]
async fn sign_up_sets_a_locked_cookie_and_returns_the_csrf_token() {
    let app = spawn_telling().await;
    let response = app
        .post_json("/api/v1/accounts", &json!({ "email": " Ana@Example.org ", "password": PASSWORD }))
        .await;
    let cookie = set_cookie(&response).unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(cookie.starts_with("knead="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "no Secure without TLS: {cookie}");
    let csrf = body["csrf"].as_str().unwrap();
    assert!(csrf.len() >= 40, "a 256-bit token: {csrf}");
    assert!(Uuid::parse_str(body["person"].as_str().unwrap()).is_ok(), "{body}");

    // The cookie signs the browser in: who am I gives the same person and token.
    let (status, me) = json_of(app.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me, body);
}

#[tokio::test]
async fn when_told_to_an_address_signs_up_once_whatever_its_case() {
    let mut app = spawn_telling().await;
    app.sign_up_told("ana@example.org").await;
    let other = app.visitor();
    let (status, body) = json_of(
        other
            .post_json("/api/v1/accounts", &json!({ "email": "ANA@example.org", "password": PASSWORD }))
            .await,
    )
    .await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
    assert_eq!(body["type"], "/problems/email-taken", "{body}");
}

/// A sign-up's status, whether it set a cookie, and its body.
async fn sign_up_answer(app: &TestApp, email: &str, password: &str) -> (StatusCode, bool, Value) {
    let response = app.post_json("/api/v1/accounts", &json!({ "email": email, "password": password })).await;
    let cookie = set_cookie(&response).is_some();
    let (status, body) = json_of(response).await;
    (status, cookie, body)
}

#[tokio::test]
async fn sign_up_answers_the_same_whether_or_not_the_address_has_an_account() {
    let app = spawn_app().await;
    let new = sign_up_answer(&app, "ana@example.org", PASSWORD).await;
    assert_eq!((new.0, new.1), (StatusCode::ACCEPTED, false), "{}", new.2);
    assert!(new.2["detail"].as_str().unwrap().contains("sign in"), "{}", new.2);
    // Someone else tries the same address (another case) with their own password.
    let taken = sign_up_answer(&app.visitor(), "ANA@example.org", "mauve kettle on tuesdays").await;
    assert_eq!(taken, new, "nothing tells a taken address from a new one");

    // The account is Ana's, unchanged: her password signs in, the other does not.
    let mut ana = app.visitor();
    ana.sign_in("ana@example.org").await;
    let other = json!({ "email": "ana@example.org", "password": "mauve kettle on tuesdays" });
    let (status, body) = json_of(app.visitor().post_json("/api/v1/sign-in", &other).await).await;
    assert_problem(status, &body, StatusCode::UNAUTHORIZED, None);
}

#[tokio::test]
async fn a_bad_address_or_short_password_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let (status, body) = json_of(
        app.post_json("/api/v1/accounts", &json!({ "email": "not-an-address", "password": PASSWORD })).await,
    )
    .await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("email"));

    let (status, body) = json_of(
        app.post_json("/api/v1/accounts", &json!({ "email": "ana@example.org", "password": "short" })).await,
    )
    .await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("password"));
    assert!(!body["detail"].as_str().unwrap().contains("short"), "the password is never repeated: {body}");
    assert!(body["detail"].as_str().unwrap().contains("10"), "says what is allowed: {body}");

    // Nothing was made: the address is still free, and a sign-up says so at once.
    let app = spawn_telling().await;
    let (status, body) = json_of(
        app.post_json("/api/v1/accounts", &json!({ "email": "ana@example.org", "password": PASSWORD })).await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn common_and_breached_passwords_are_refused_with_the_reason() {
    let app = spawn_app().await;
    for (password, reason) in [
        ("password123", "common password"),
        ("qwertyuiop", "common password"),
        ("iloveyou123", "common password"),
        ("ana@example.org", ""),
    ] {
        let (status, _, body) = sign_up_answer(&app, "ana@example.org", password).await;
        assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("password"));
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains("hard to guess") && detail.contains(reason), "{password}: {detail}");
        assert!(!detail.contains(password), "the password is never repeated: {detail}");
    }
    // None of them made the account: a sign-in with any fails like an unknown address.
    let (status, body) = json_of(
        app.post_json("/api/v1/sign-in", &json!({ "email": "ana@example.org", "password": "password123" }))
            .await,
    )
    .await;
    assert_problem(status, &body, StatusCode::UNAUTHORIZED, None);
}

#[tokio::test]
async fn sign_in_needs_the_right_password_and_never_says_which_part_was_wrong() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let first_csrf = app.csrf.clone();

    let other = app.visitor();
    let (status, wrong_password) = json_of(
        other
            .post_json(
                "/api/v1/sign-in",
                &json!({ "email": "ana@example.org", "password": "wrong password!" }),
            )
            .await,
    )
    .await;
    assert_problem(status, &wrong_password, StatusCode::UNAUTHORIZED, None);
    let (status, unknown) = json_of(
        other
            .post_json("/api/v1/sign-in", &json!({ "email": "bob@example.org", "password": PASSWORD }))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown, wrong_password, "an unknown address and a wrong password look the same");
    let (status, _) = json_of(other.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a failed sign-in sets no cookie");

    let mut other = app.visitor();
    let body = other.sign_in("ANA@example.org").await;
    assert_ne!(body["csrf"], json!(first_csrf), "each sign-in has its own token");
    let (status, me) = json_of(other.get("/api/v1/me").await).await;
    assert_eq!((status, &me["person"]), (StatusCode::OK, &body["person"]), "{me}");
}

#[tokio::test]
async fn sign_out_ends_the_sign_in_for_the_old_cookie_too() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let token = app.token.clone();

    let response = app.post_json("/api/v1/sign-out", &json!({})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cleared = set_cookie(&response).unwrap();
    assert!(cleared.starts_with("knead=;") && cleared.contains("Max-Age=0"), "{cleared}");

    // The browser forgot the cookie; one who kept a copy gets nowhere with it.
    let (status, _) = json_of(app.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let response =
        browser().get(app.url("/api/v1/me")).header("cookie", format!("knead={token}")).send().await.unwrap();
    let (status, body) = json_of(response).await;
    assert_problem(status, &body, StatusCode::UNAUTHORIZED, None);
    assert_eq!(body["title"], "Sign in first", "{body}");
}

// ---------------------------------------------------------------------------
// Screening.

#[tokio::test]
async fn a_screening_is_judged_kept_and_idempotent_by_id() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let id = Uuid::now_v7();
    let new = json!({ "id": id, "intake": self_care_intake() });
    let (status, first) = json_of(app.post_json("/api/v1/screenings", &new).await).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["id"], json!(id));
    assert_eq!(first["disposition"], "self_care", "{first}");
    assert_eq!(first["result"]["disposition"], "self_care", "{first}");
    assert_eq!(first["at"], json!(morning()), "{first}");

    // A retry (its answer lost) is the same screening.
    app.clock().advance(Duration::minutes(1));
    let (status, again) = json_of(app.post_json("/api/v1/screenings", &new).await).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again, first);

    // The same id with other answers is refused, and the first is kept.
    let (status, body) =
        json_of(app.post_json("/api/v1/screenings", &json!({ "id": id, "intake": urgent_intake() })).await)
            .await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
    let (status, list) = json_of(app.get("/api/v1/screenings").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, json!([first]));
}

#[tokio::test]
async fn bad_screenings_are_refused_naming_the_field() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;

    let mut intake = self_care_intake();
    intake["age_years"] = json!(300);
    let (status, body) = json_of(
        app.post_json("/api/v1/screenings", &json!({ "id": Uuid::now_v7(), "intake": intake })).await,
    )
    .await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("intake.age_years"));

    let mut intake = self_care_intake();
    intake["pain"]["favourite_colour"] = json!("blue");
    let (status, body) = json_of(
        app.post_json("/api/v1/screenings", &json!({ "id": Uuid::now_v7(), "intake": intake })).await,
    )
    .await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("intake.pain.favourite_colour"));
    assert!(body["detail"].as_str().unwrap().contains("unknown field `favourite_colour`"), "{body}");

    let (status, body) = json_of(
        app.post_json(
            "/api/v1/screenings",
            &json!({ "id": Uuid::now_v7(), "intake": self_care_intake(), "extra": 1 }),
        )
        .await,
    )
    .await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("extra"));
    assert!(body["detail"].as_str().unwrap().contains("unknown field `extra`"), "{body}");

    let response = app
        .client
        .post(app.url("/api/v1/screenings"))
        .header("x-csrf-token", &app.csrf)
        .header("content-type", "application/json")
        .body("{\"id\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_problem(status, &body, StatusCode::BAD_REQUEST, None);
    assert_eq!(body["type"], "/problems/malformed-body", "{body}");

    let text = json!({ "id": Uuid::now_v7(), "intake": self_care_intake() }).to_string();
    let response = app
        .client
        .post(app.url("/api/v1/screenings"))
        .header("x-csrf-token", &app.csrf)
        .header("content-type", "text/plain")
        .body(text)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_problem(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, None);
    assert!(body["detail"].as_str().unwrap().contains("application/json"), "{body}");

    let (status, list) = json_of(app.get("/api/v1/screenings").await).await;
    assert_eq!((status, list), (StatusCode::OK, json!([])), "nothing was kept");
}

/// A screening that does not allow self-care gives no plan.
async fn no_plan_after(intake: Value, disposition: &str) {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let screening = app.screen(&intake).await;
    assert_eq!(screening["disposition"], disposition, "{screening}");
    let (status, body) = app.plan(&screening["id"]).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
    assert_eq!(body["type"], "/problems/no-self-care", "{body}");
    assert!(body.get("plan").is_none() && body.get("timeline").is_none(), "no plan in a refusal: {body}");
}

#[tokio::test]
async fn an_emergency_screening_gives_no_plan() {
    no_plan_after(emergency_intake(), "emergency").await;
}

#[tokio::test]
async fn an_urgent_screening_gives_no_plan() {
    no_plan_after(urgent_intake(), "urgent").await;
}

#[tokio::test]
async fn a_see_doctor_first_screening_gives_no_plan() {
    no_plan_after(see_doctor_first_intake(), "see_doctor_first").await;
}

#[tokio::test]
async fn a_self_care_screening_gives_a_plan_that_starts_with_get_ready() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let screening = app.screen(&self_care_intake()).await;
    let (status, plan) = app.plan(&screening["id"]).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["screening"], screening["id"]);
    let timeline = plan["timeline"].as_array().unwrap();
    assert_eq!(timeline[0]["phase"], "get_ready", "{plan}");
    assert_eq!(timeline[0]["work"], false, "{plan}");
    assert_eq!(timeline[0]["seconds"], plan["plan"]["get_ready_seconds"], "{plan}");
    assert!(timeline.len() > 1, "{plan}");
    let items = plan["plan"]["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{plan}");
    assert!(items.iter().all(|i| i["technique"] == "hands"), "hands only without equipment: {plan}");
    let planned: i64 = timeline.iter().map(|s| s["seconds"].as_i64().unwrap()).sum();
    assert_eq!(json!(planned), plan["plan"]["total_seconds"], "{plan}");
    assert_eq!(plan["still_allowed"][0], "3 more sessions are allowed today.", "{plan}");
}

#[tokio::test]
async fn only_the_newest_screening_plans() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let older = app.screen(&self_care_intake()).await;
    app.clock().advance(Duration::minutes(5));
    let newer = app.screen(&self_care_intake()).await;
    let (status, body) = app.plan(&older["id"]).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
    assert_eq!(body["type"], "/problems/stale-screening", "{body}");
    let (status, body) = app.plan(&newer["id"]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // An emergency after a self-care screening closes the door.
    app.clock().advance(Duration::minutes(5));
    app.screen(&emergency_intake()).await;
    let (status, body) = app.plan(&newer["id"]).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);

    // Yesterday's screening is not today's.
    let mut app = spawn_app().await;
    app.sign_up("bob@example.org").await;
    let screening = app.screen(&self_care_intake()).await;
    app.clock().advance(Duration::days(1));
    let (status, body) = app.plan(&screening["id"]).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
    assert_eq!(body["type"], "/problems/stale-screening", "{body}");

    // Someone else's screening, or none, is not found.
    let (status, body) = app.plan(&json!(Uuid::now_v7())).await;
    assert_problem(status, &body, StatusCode::NOT_FOUND, None);
}

/// `intake` with `clinician_cleared` set.
fn cleared(mut intake: Value) -> Value {
    intake["clinician_cleared"] = json!(true);
    intake
}

#[tokio::test]
async fn a_clearance_comes_with_its_answers_and_lifts_see_a_doctor_first() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let before = app.screen(&see_doctor_first_intake()).await;
    assert_eq!(before["disposition"], "see_doctor_first");
    assert!(before["clearance"].is_null(), "{before}");
    let (status, body) = app.plan(&before["id"]).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);

    let post = |intake: Value, clearance: Value, query: &'static str| {
        let body = json!({ "id": Uuid::now_v7(), "intake": intake, "clearance": clearance });
        let app = &app;
        async move { json_of(app.post_json(&format!("/api/v1/screenings{query}"), &body).await).await }
    };
    let dr_lee = json!({ "by": "Dr Lee, my GP", "on": "2025-03-07" });
    // A clearance and clinician_cleared come together or not at all.
    let (status, body) = post(cleared(see_doctor_first_intake()), Value::Null, "").await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("clearance"));
    let (status, body) = post(see_doctor_first_intake(), dr_lee.clone(), "").await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("clearance"));
    // Who, in 1 to 120 characters; a day that has come (10 March 2025 on
    // the server's clock), read in the caller's time zone.
    for by in ["", "   ", &"x".repeat(121)] {
        let (status, body) =
            post(cleared(see_doctor_first_intake()), json!({ "by": by, "on": "2025-03-07" }), "").await;
        assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("clearance.by"));
    }
    for on in [json!("2025-03-11"), json!("2025-02-30"), json!(null)] {
        let (status, body) =
            post(cleared(see_doctor_first_intake()), json!({ "by": "Dr Lee", "on": on }), "").await;
        assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("clearance.on"));
    }
    let (status, body) =
        post(cleared(see_doctor_first_intake()), json!({ "by": "Dr Lee", "on": "2025-03-07", "why": 1 }), "")
            .await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("clearance.why"));
    let (_, list) = json_of(app.get("/api/v1/screenings").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "nothing more was kept: {list}");
    // Already the 11th fourteen hours east of UTC.
    let (status, body) = post(
        cleared(see_doctor_first_intake()),
        json!({ "by": "Dr Lee", "on": "2025-03-11" }),
        "?utc_offset_minutes=840",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let id = Uuid::now_v7();
    let new = json!({ "id": id, "intake": cleared(see_doctor_first_intake()), "clearance": { "by": " Dr Lee, my GP ", "on": "2025-03-07" } });
    let (status, after) = json_of(app.post_json("/api/v1/screenings", &new).await).await;
    assert_eq!(status, StatusCode::CREATED, "{after}");
    assert_eq!(after["disposition"], "self_care", "{after}");
    assert_eq!(after["result"]["cleared_by_clinician"], true, "{after}");
    let kept = json!({ "by": "Dr Lee, my GP", "on": "2025-03-07", "in_force": true });
    assert_eq!(after["clearance"], kept, "kept trimmed, the person's own word: {after}");
    let reasons: Vec<&str> =
        after["result"]["reasons"].as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
    assert!(reasons.contains(&"SD-01"), "the lifted rule is still a reason: {after}");
    let (status, plan) = app.plan(&json!(id)).await;
    assert_eq!(status, StatusCode::OK, "{plan}");

    // A retry is the same screening; the same id with another clearance is not.
    let (status, again) = json_of(app.post_json("/api/v1/screenings", &new).await).await;
    assert_eq!((status, &again), (StatusCode::OK, &after));
    let mut other = new.clone();
    other["clearance"]["by"] = json!("Dr Khan");
    let (status, body) = json_of(app.post_json("/api/v1/screenings", &other).await).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
}

#[tokio::test]
async fn a_clearance_never_lifts_an_emergency_or_an_urgent_screening() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    for (intake, disposition) in [(emergency_intake(), "emergency"), (urgent_intake(), "urgent")] {
        // With a see-a-doctor-first rule too (7/10): only that one is lifted.
        let mut intake = cleared(intake);
        intake["pain"]["intensity"] = json!(7);
        let clearance = json!({ "by": "Dr Lee", "on": "2025-03-09" });
        let (status, kept) = json_of(
            app.post_json(
                "/api/v1/screenings",
                &json!({ "id": Uuid::now_v7(), "intake": intake, "clearance": clearance }),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "the answers are kept whatever they decide: {kept}");
        assert_eq!(kept["disposition"], disposition, "{kept}");
        assert_eq!(kept["result"]["disposition"], disposition, "{kept}");
        assert_eq!(kept["result"]["cleared_by_clinician"], false, "{kept}");
        let (status, body) = app.plan(&kept["id"]).await;
        assert_problem(status, &body, StatusCode::CONFLICT, None);
        assert_eq!(body["type"], "/problems/no-self-care", "{body}");
    }
}

// ---------------------------------------------------------------------------
// Sessions.

/// A signed-up visitor, a self-care screening and a plan from it.
async fn planned() -> (crate::support::TestApp, Value) {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let screening = app.screen(&self_care_intake()).await;
    let (status, plan) = app.plan(&screening["id"]).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    (app, plan)
}

#[tokio::test]
async fn a_whole_session_is_kept_once_however_often_it_is_sent() {
    let (app, plan) = planned().await;
    let session = session_from_plan(&plan, morning() + Duration::minutes(2), 5, Some(3));
    let (status, body) = app.put_session(&session).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({ "id": session["id"] }));
    let (status, body) = app.put_session(&session).await;
    assert_eq!(status, StatusCode::OK, "a resend changes nothing: {body}");

    let (status, list) = json_of(app.get("/api/v1/sessions").await).await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["id"], session["id"]);
    assert_eq!(list[0]["usage"], session["usage"]);
    assert_eq!(list[0]["pain_before"], 5);
    assert_eq!(list[0]["pain_after"], 3);

    let id = session["id"].as_str().unwrap();
    let (status, kept) = json_of(app.get(&format!("/api/v1/sessions/{id}")).await).await;
    assert_eq!(status, StatusCode::OK, "{kept}");
    assert_eq!(kept, session, "kept as sent");

    // The same id with other content is refused; the first stays.
    let mut changed = session.clone();
    changed["pain_after"] = json!(1);
    let (status, body) = app.put_session(&changed).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
    let (_, kept) = json_of(app.get(&format!("/api/v1/sessions/{id}")).await).await;
    assert_eq!(kept["pain_after"], 3);
}

/// A client that says "completed" for a session with every step skipped
/// (an older player, another app) is not believed: it is kept as stopped
/// early, the same on every resend, and its pain after is no effect.
#[tokio::test]
async fn a_session_sent_as_completed_with_no_massage_is_kept_as_stopped_early() {
    let (app, plan) = planned().await;
    let mut session = session_from_plan(&plan, morning() + Duration::minutes(2), 5, Some(1));
    for step in session["steps"].as_array_mut().unwrap() {
        step["active_seconds"] = json!(0);
        step["outcome"] = json!("skipped");
    }
    for seconds in session["usage"].as_object_mut().unwrap().values_mut() {
        *seconds = json!(0);
    }
    for _ in 0..2 {
        let (status, body) = app.put_session(&session).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let id = session["id"].as_str().unwrap();
    let (_, kept) = json_of(app.get(&format!("/api/v1/sessions/{id}")).await).await;
    assert_eq!(kept["status"], "stopped", "{kept}");
    assert_eq!(kept["stop_reason"], "too little massage to count as a session");
    let (_, progress) = json_of(app.get("/api/v1/progress").await).await;
    let days = progress["days"].as_array().unwrap();
    assert_eq!(days.len(), 1, "{progress}");
    assert_eq!(days[0]["before"], 5.0, "the pain before is a reading all the same");
    assert_eq!(days[0]["after"], Value::Null, "no effect shown for no massage: {progress}");
}

#[tokio::test]
async fn a_session_must_be_whole_and_at_its_own_address() {
    let (app, plan) = planned().await;
    let session = session_from_plan(&plan, morning(), 5, None);

    let other = Uuid::now_v7();
    let (status, body) = json_of(app.put_json(&format!("/api/v1/sessions/{other}"), &session).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("id"));

    let mut open = session.clone();
    open["status"] = json!("in_progress");
    open["ended_at"] = json!(null);
    let (status, body) = app.put_session(&open).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("status"));

    let mut no_screening = session.clone();
    no_screening["screening_id"] = json!(null);
    let (status, body) = app.put_session(&no_screening).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("screening_id"));

    let mut bad_pain = session.clone();
    bad_pain["pain_before"] = json!(11);
    let (status, body) = app.put_session(&bad_pain).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("pain_before"));

    let (status, list) = json_of(app.get("/api/v1/sessions").await).await;
    assert_eq!((status, list), (StatusCode::OK, json!([])), "nothing was kept");
}

#[tokio::test]
async fn a_session_after_an_emergency_screening_is_refused() {
    let (app, plan) = planned().await;
    let emergency = app.screen(&emergency_intake()).await;
    let mut session = session_from_plan(&plan, morning(), 5, None);
    session["screening_id"] = emergency["id"].clone();
    let (status, body) = app.put_session(&session).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
    assert_eq!(body["type"], "/problems/no-self-care", "{body}");
    let (_, list) = json_of(app.get("/api/v1/sessions").await).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn a_session_past_a_dose_limit_is_refused_naming_the_limit() {
    let (app, plan) = planned().await;
    let mut session = session_from_plan(&plan, morning(), 5, None);
    // doses.toml: electric_massager session_max_seconds = 600. Logged
    // without steps, so the usage alone is what is judged.
    session["steps"] = json!([]);
    session["usage"] = json!({ "electric_massager": 700 });
    let (status, body) = app.put_session(&session).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("usage"));
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("electric_massager") && detail.contains("the limit is 10 min"), "{body}");
    let (_, list) = json_of(app.get("/api/v1/sessions").await).await;
    assert_eq!(list, json!([]));

    session["usage"] = json!({ "electric_massager": 600 });
    let (status, body) = app.put_session(&session).await;
    assert_eq!(status, StatusCode::OK, "the limit itself is allowed: {body}");
}

#[tokio::test]
async fn the_daily_session_limit_holds_across_puts_and_plans() {
    let (app, plan) = planned().await;
    // doses.toml: daily.sessions_max = 3.
    let yesterday = morning() - Duration::days(1);
    for hour in 0..3 {
        let session = session_from_plan(&plan, yesterday + Duration::hours(hour), 4, Some(3));
        let (status, body) = app.put_session(&session).await;
        assert_eq!(status, StatusCode::OK, "session {hour}: {body}");
    }
    let fourth = session_from_plan(&plan, yesterday + Duration::hours(4), 4, Some(3));
    let (status, body) = app.put_session(&fourth).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("usage"));
    assert!(body["detail"].as_str().unwrap().contains("the limit is 3 a day"), "{body}");

    // Today is another day: plans and sessions are allowed again, up to three.
    for minutes in [1, 20, 40] {
        let (status, plan) = app.plan(&plan["screening"]).await;
        assert_eq!(status, StatusCode::OK, "{plan}");
        let session = session_from_plan(&plan, morning() + Duration::minutes(minutes), 4, Some(3));
        let (status, body) = app.put_session(&session).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app.plan(&plan["screening"]).await;
    assert_problem(status, &body, StatusCode::CONFLICT, None);
    assert_eq!(body["type"], "/problems/no-plan", "{body}");
    assert!(body.get("plan").is_none(), "{body}");

    let (_, list) = json_of(app.get("/api/v1/sessions").await).await;
    assert_eq!(list.as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn another_persons_session_is_not_found_like_a_random_id() {
    let (ana, plan) = planned().await;
    let session = session_from_plan(&plan, morning(), 5, None);
    let (status, _) = ana.put_session(&session).await;
    assert_eq!(status, StatusCode::OK);
    let id = session["id"].as_str().unwrap();

    let mut bob = ana.visitor();
    bob.sign_up("bob@example.org").await;
    let (status, theirs) = json_of(bob.get(&format!("/api/v1/sessions/{id}")).await).await;
    assert_problem(status, &theirs, StatusCode::NOT_FOUND, None);
    let (status, random) = json_of(bob.get(&format!("/api/v1/sessions/{}", Uuid::now_v7())).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(theirs, random, "not yours and not there look the same");
    let (_, list) = json_of(bob.get("/api/v1/sessions").await).await;
    assert_eq!(list, json!([]));

    // Nor can Bob overwrite it, or plan from Ana's screening.
    let (status, body) = bob.put_session(&session).await;
    assert_problem(status, &body, StatusCode::NOT_FOUND, None);
    let (status, body) = bob.plan(&plan["screening"]).await;
    assert_problem(status, &body, StatusCode::NOT_FOUND, None);
    let (status, kept) = json_of(ana.get(&format!("/api/v1/sessions/{id}")).await).await;
    assert_eq!((status, kept), (StatusCode::OK, session));
}

// ---------------------------------------------------------------------------
// Progress and check-ins.

#[tokio::test]
async fn progress_flags_pain_that_stays_two_points_worse() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let (status, empty) = json_of(app.get("/api/v1/progress").await).await;
    assert_eq!(status, StatusCode::OK, "{empty}");
    assert_eq!(empty["days"], json!([]));
    assert_eq!(empty["flags"], json!([]));

    // escalation.toml: 2 points above the baseline on 2 days in a row.
    app.record_session(morning() - Duration::days(3), 3).await;
    app.record_session(morning() - Duration::days(2), 5).await;
    let (status, one_day) = json_of(app.get("/api/v1/progress").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one_day["flags"], json!([]), "one worse day is not a trend: {one_day}");
    assert_eq!(one_day["disposition"], json!(null));

    app.record_session(morning() - Duration::days(1), 5).await;
    let (status, progress) = json_of(app.get("/api/v1/progress").await).await;
    assert_eq!(status, StatusCode::OK, "{progress}");
    assert_eq!(progress["baseline"], 3, "{progress}");
    assert_eq!(progress["days"].as_array().unwrap().len(), 3, "{progress}");
    assert_eq!(progress["days"][1]["before"], 5.0, "{progress}");
    assert_eq!(progress["meaningful"], false);
    let flags = progress["flags"].as_array().unwrap();
    assert_eq!(flags.len(), 1, "{progress}");
    assert!(
        flags[0].as_str().unwrap().contains("worse than when you started (from 3/10) on 2 days"),
        "{progress}"
    );
    assert_eq!(progress["disposition"], "see_doctor_first", "{progress}");
}

#[tokio::test]
async fn checkins_are_kept_listed_and_checked() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let checkin = json!({ "id": Uuid::now_v7(), "at": morning(), "week_pain": 4, "change": 1 });
    let (status, body) = json_of(app.post_json("/api/v1/checkins", &checkin).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body, json!({ "id": checkin["id"] }));
    let (status, _) = json_of(app.post_json("/api/v1/checkins", &checkin).await).await;
    assert_eq!(status, StatusCode::CREATED, "a resend is the same check-in");

    let mut bad = checkin.clone();
    bad["id"] = json!(Uuid::now_v7());
    bad["week_pain"] = json!(11);
    let (status, body) = json_of(app.post_json("/api/v1/checkins", &bad).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("week_pain"));

    let (status, list) = json_of(app.get("/api/v1/checkins").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, json!([checkin]));

    let mut bob = app.visitor();
    bob.sign_up("bob@example.org").await;
    let (_, list) = json_of(bob.get("/api/v1/checkins").await).await;
    assert_eq!(list, json!([]), "check-ins are the person's own");
}

#[tokio::test]
async fn the_fhir_bundle_holds_only_the_callers_screenings_and_pain() {
    let mut app = spawn_app().await;
    let (status, _) = json_of(app.get("/api/v1/me/fhir").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.sign_up("fay@example.org").await;
    app.record_session(morning(), 6).await;
    let mut other = app.visitor();
    other.sign_up("gus@example.org").await;
    other.record_session(morning(), 3).await;

    let response = app.get("/api/v1/me/fhir").await;
    assert_eq!(header(&response, "content-type"), "application/fhir+json");
    let (status, bundle) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{bundle}");
    assert_eq!(bundle["resourceType"], "Bundle");
    let kinds: Vec<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "Questionnaire").count(), 1, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "QuestionnaireResponse").count(), 1, "{kinds:?}");
    assert!(kinds.contains(&"Observation"), "{kinds:?}");
    let text = bundle.to_string();
    assert!(!text.contains("gus@example.org"), "no address in the bundle");
    let values: Vec<i64> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"]["resourceType"] == "Observation")
        .filter_map(|e| e["resource"]["valueInteger"].as_i64())
        .collect();
    assert!(values.contains(&6) && !values.contains(&3), "only this person's pain: {values:?}");
}

#[tokio::test]
async fn a_session_with_a_technique_the_screening_ruled_out_is_refused() {
    let mut app = spawn_app().await;
    app.sign_up("hal@example.org").await;
    let mut intake = self_care_intake();
    intake["history"] = json!(["pacemaker_or_implant"]);
    let screening = app.screen(&intake).await;
    let (status, plan) = app.plan(&screening["id"]).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let mut session = session_from_plan(&plan, morning(), 5, Some(4));
    session["steps"] = json!([]);
    session["usage"]["electric_massager"] = json!(120);
    let (status, body) = app.put_session(&session).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("usage"));
    assert!(body["detail"].as_str().unwrap().contains("electric_massager"), "{body}");
}

#[tokio::test]
async fn a_session_whose_usage_understates_its_steps_is_refused() {
    let mut app = spawn_app().await;
    app.sign_up("ivy@example.org").await;
    let screening = app.screen(&self_care_intake()).await;
    let (_, plan) = app.plan(&screening["id"]).await;
    let mut session = session_from_plan(&plan, morning(), 5, Some(4));
    let technique = session["steps"][0]["technique"].as_str().unwrap().to_owned();
    session["usage"][&technique] = json!(1);
    let (status, body) = app.put_session(&session).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("usage"));
    assert!(body["detail"].as_str().unwrap().contains("add up"), "{body}");
}

#[tokio::test]
async fn an_address_with_an_id_that_is_not_a_uuid_gets_a_problem_naming_id() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    for path in ["/api/v1/sessions/not-a-uuid", "/api/v1/sessions/0190a0a0"] {
        let (status, body) = json_of(app.get(path).await).await;
        assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("id"));
    }
    let response = app
        .client
        .delete(app.url("/api/v1/grants/x"))
        .header("x-csrf-token", &app.csrf)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("id"));
    // A page is simply not there.
    let (status, _, page) = text_of(app.get("/result/not-a-uuid").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("<html"), "a page, not plain text: {page}");
}

#[tokio::test]
async fn history_answers_304_while_nothing_changed_and_the_new_list_after_a_session() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    app.record_session(morning(), 5).await;
    let first = app.get("/api/v1/sessions").await;
    let etag = header(&first, "etag");
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(header(&first, "cache-control"), "private, no-store");
    let (_, sessions) = json_of(first).await;
    assert_eq!(sessions.as_array().unwrap().len(), 1);

    let again =
        app.client.get(app.url("/api/v1/sessions")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    // Kept on the server too: the same bytes without the header.
    let (_, same) = json_of(app.get("/api/v1/sessions").await).await;
    assert_eq!(same, sessions);

    app.record_session(morning() + Duration::hours(3), 3).await;
    let changed =
        app.client.get(app.url("/api/v1/sessions")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(header(&changed, "etag"), etag);
    let (_, now) = json_of(changed).await;
    assert_eq!(now.as_array().unwrap().len(), 2, "the kept answer is not served after a write");
    // Another period is another answer.
    let (_, later) = json_of(app.get("/api/v1/sessions?from=2025-03-10T12:00:00Z").await).await;
    assert_eq!(later.as_array().unwrap().len(), 1);
}

/// `GET /health` is for a reverse proxy and a service manager: `ok` while
/// the database answers, a 503 problem once it does not; it tells nothing
/// else, and needs no sign-in.
#[tokio::test]
async fn health_says_whether_the_database_answers() {
    let dir = tempfile::tempdir().unwrap();
    let store = knead_store::any::AnyStore::open(&format!("sqlite://{}", dir.path().join("k.db").display()))
        .await
        .unwrap();
    let clock = std::sync::Arc::new(crate::support::TestClock::at(morning()));
    let (base, _stop) = crate::support::serve(crate::support::test_config(clock), store.clone()).await;
    let client = browser();
    let response = client.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.text().await.unwrap(), "ok\n");
    store.close().await;
    let (status, body) = json_of(client.get(format!("{base}/health")).send().await.unwrap()).await;
    assert_problem(status, &body, StatusCode::SERVICE_UNAVAILABLE, None);
}
