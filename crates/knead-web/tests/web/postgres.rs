//! The app on PostgreSQL, one fresh database per test; and two servers on
//! one database, serving the same people (nothing that matters is kept in
//! a server's memory).
//!
//! The server comes from `KNEAD_TEST_POSTGRES_URL`
//! (`postgres://postgres@127.0.0.1:5432/postgres`). When it is not set these
//! tests fail: a Postgres run that silently did not happen is worse than a
//! red one. A developer without PostgreSQL opts out knowingly with
//! `KNEAD_TEST_POSTGRES=skip`; CI never sets it.

use crate::support::{
    PASSWORD, browser, emergency_intake, header, json_of, morning, self_care_intake, session_from_plan,
    spawn_app_on, spawn_app_on_with, spawn_app_on_with_clock,
};
use knead_app::attempts::{Allowance, Allowances};
use knead_testkit::postgres::{TestDatabase, server_url};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

/// Failed sign-ins one email address may have, and for how long they count.
const PER_ACCOUNT: Allowance = Allowances::DEFAULT.sign_in_per_account;

/// A fresh database for one test, or `None` when skipping was asked for.
async fn fresh_database() -> Option<(TestDatabase, String)> {
    let server = server_url()?;
    Some(TestDatabase::create(&server).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_happy_path_on_postgres() {
    let Some((db, url)) = fresh_database().await else { return };
    let mut app = spawn_app_on(&url, db).await;
    app.sign_up("ana@example.org").await;
    let (status, _) = json_of(
        app.post_json(
            "/api/v1/accounts",
            &json!({ "email": "ana@example.org", "password": "mauve kettle on tuesdays" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "a taken address is not told on PostgreSQL either");

    let emergency = app.screen(&emergency_intake()).await;
    assert_eq!(emergency["disposition"], "emergency");
    let (status, _) = app.plan(&emergency["id"]).await;
    assert_eq!(status, StatusCode::CONFLICT);

    app.clock().advance(chrono::Duration::minutes(1));
    let id = Uuid::now_v7();
    let new = json!({ "id": id, "intake": self_care_intake() });
    let (status, screening) = json_of(app.post_json("/api/v1/screenings", &new).await).await;
    assert_eq!(status, StatusCode::CREATED, "{screening}");
    let (status, again) = json_of(app.post_json("/api/v1/screenings", &new).await).await;
    assert_eq!((status, &again), (StatusCode::OK, &screening));

    let (status, plan) = app.plan(&screening["id"]).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["timeline"][0]["phase"], "get_ready");
    let session = session_from_plan(&plan, morning() + chrono::Duration::minutes(2), 5, Some(3));
    for _ in 0..2 {
        let (status, body) = app.put_session(&session).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, list) = json_of(app.get("/api/v1/sessions").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let sid = session["id"].as_str().unwrap();
    let (status, kept) = json_of(app.get(&format!("/api/v1/sessions/{sid}")).await).await;
    assert_eq!((status, kept), (StatusCode::OK, session.clone()));

    let mut changed = session.clone();
    changed["pain_after"] = json!(0);
    let (status, _) = app.put_session(&changed).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let checkin = json!({ "id": Uuid::now_v7(), "at": morning(), "week_pain": 4, "change": 1 });
    let (status, _) = json_of(app.post_json("/api/v1/checkins", &checkin).await).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = json_of(app.get("/api/v1/checkins").await).await;
    assert_eq!(list, json!([checkin]));
    let (status, progress) = json_of(app.get("/api/v1/progress").await).await;
    assert_eq!(status, StatusCode::OK, "{progress}");
    assert_eq!(progress["baseline"], 5);

    let response = app.post_json("/api/v1/sign-out", &json!({})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _) = json_of(app.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_database_serve_the_same_people() {
    let Some((db, url)) = fresh_database().await else { return };
    let mut a = spawn_app_on(&url, db).await;
    let b = spawn_app_on_with_clock(&url, (), a.server.clock.clone()).await;
    assert_ne!(a.base, b.base);

    a.sign_up("ana@example.org").await;
    // Ana's cookie, carried to server B (one site behind a load balancer).
    let on_b = |path: &str| {
        browser().get(format!("{}{path}", b.base)).header("cookie", format!("knead={}", a.token)).send()
    };
    let (status, me) = json_of(on_b("/api/v1/me").await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["csrf"], json!(a.csrf));

    let screening = a.screen(&self_care_intake()).await;
    let (status, plan) = a.plan(&screening["id"]).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let session = session_from_plan(&plan, morning(), 5, Some(3));
    let (status, body) = a.put_session(&session).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, list) = json_of(on_b("/api/v1/sessions").await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["id"], session["id"]);
    // Server B judges the same screening the same way.
    let response = browser()
        .post(format!("{}/api/v1/plans", b.base))
        .header("cookie", format!("knead={}", a.token))
        .header("x-csrf-token", &a.csrf)
        .json(&json!({ "screening": screening["id"] }))
        .send()
        .await
        .unwrap();
    let (status, plan_b) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{plan_b}");
    assert_eq!(plan_b["timeline"], plan["timeline"]);

    // Signing out on B ends the sign-in on A.
    let response = browser()
        .post(format!("{}/api/v1/sign-out", b.base))
        .header("cookie", format!("knead={}", a.token))
        .header("x-csrf-token", &a.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = json_of(a.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = json_of(a.get("/api/v1/sessions").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_the_count_of_failed_sign_ins() {
    let Some((db, url)) = fresh_database().await else { return };
    let mut a = spawn_app_on(&url, db).await;
    let b = spawn_app_on_with_clock(&url, (), a.server.clock.clone()).await;
    a.sign_up("ana@example.org").await;
    let attempt = |server: &str, password: &str| {
        browser()
            .post(format!("{server}/api/v1/sign-in"))
            .json(&json!({ "email": "ana@example.org", "password": password }))
            .send()
    };

    // The failures, spread over both servers: neither sees enough alone.
    for i in 0..PER_ACCOUNT.attempts.get() {
        let server = if i % 2 == 0 { &a.base } else { &b.base };
        let (status, body) = json_of(attempt(server, "wrong password!").await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i} on {server}: {body}");
    }
    for server in [&a.base, &b.base] {
        let response = attempt(server, PASSWORD).await.unwrap();
        let retry_after = header(&response, "retry-after");
        let (status, body) = json_of(response).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{server}: {body}");
        assert_eq!(body["type"], "/problems/sign-ins-paused", "{body}");
        assert_eq!(retry_after, PER_ACCOUNT.window.num_seconds().to_string(), "{server}");
    }

    // When the window has passed, either server lets Ana in; a success
    // on one clears the count for both.
    a.clock().advance(PER_ACCOUNT.window);
    let (status, body) = json_of(attempt(&b.base, PASSWORD).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for i in 0..PER_ACCOUNT.attempts.get() - 1 {
        let server = if i % 2 == 0 { &b.base } else { &a.base };
        let (status, _) = json_of(attempt(server, "wrong password!").await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = json_of(attempt(&a.base, PASSWORD).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_one_allowance_per_client_for_the_api_and_the_pages() {
    let Some((db, url)) = fresh_database().await else { return };
    let three =
        Allowance { attempts: std::num::NonZeroU32::new(3).unwrap(), window: chrono::Duration::minutes(1) };
    let clock = std::sync::Arc::new(crate::support::TestClock::at(morning()));
    let a = spawn_app_on_with(&url, db, clock.clone(), |c| c.allowances.sign_in_per_client = three).await;
    let b = spawn_app_on_with(&url, (), clock, |c| c.allowances.sign_in_per_client = three).await;
    let wrong =
        |n: usize| json!({ "email": format!("nobody{n}@example.org"), "password": "wrong password!" });
    // One client: the API on a, the page on b, the API on b.
    let (status, _) = json_of(a.post_json("/api/v1/sign-in", &wrong(1)).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let form = [("email", "nobody2@example.org"), ("password", "wrong password!")];
    assert_eq!(b.post_form("/signin", &form).await.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = json_of(b.post_json("/api/v1/sign-in", &wrong(3)).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The fourth, on either server, through either, is refused.
    for response in [a.post_json("/api/v1/sign-in", &wrong(4)).await, a.post_form("/signin", &form).await] {
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(header(&response, "retry-after"), "60");
    }
}
