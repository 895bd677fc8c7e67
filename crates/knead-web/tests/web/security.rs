//! The locks: security headers, anti-forgery tokens, the same-origin
//! check, the body limit, the sign-in rate limit, what the database keeps
//! of passwords and sign-ins, and who may see what without signing in.

use crate::support::{
    PASSWORD, assert_problem, browser, header, json_of, self_care_intake, spawn_app, spawn_app_with, text_of,
};
use reqwest::{Response, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{Connection, SqliteConnection};
use uuid::Uuid;

fn assert_headers(response: &Response, what: &str) {
    let csp = header(response, "content-security-policy");
    let script_src = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src")).unwrap_or("");
    assert_eq!(script_src, "script-src 'self'", "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{what}: {csp}");
    assert!(csp.split(';').any(|d| d.trim() == "frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.split(';').any(|d| d.trim() == "object-src 'none'"), "{what}: {csp}");
    assert_eq!(header(response, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(response, "referrer-policy"), "no-referrer", "{what}");
    assert_eq!(header(response, "x-frame-options"), "DENY", "{what}");
}

#[tokio::test]
async fn every_response_has_the_security_headers() {
    let mut app = spawn_app().await;
    let anonymous = app.visitor();
    for path in [
        "/",
        "/signin",
        "/signup",
        "/check",
        "/api/v1/me",
        "/api/openapi.json",
        "/static/style.css",
        "/sw.js",
        "/nowhere",
    ] {
        let response = anonymous.get(path).await;
        assert_headers(&response, path);
    }
    app.sign_up("ana@example.org").await;
    for path in ["/", "/check", "/history", "/progress", "/progress.svg", "/checkin", "/api/v1/sessions"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_headers(&response, path);
    }
    let refused = app.client.post(app.url("/api/v1/checkins")).json(&json!({})).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_headers(&refused, "a 403");
}

#[tokio::test]
async fn an_api_write_without_the_csrf_token_is_forbidden() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let new = json!({ "id": Uuid::now_v7(), "intake": self_care_intake() });
    let (status, body) =
        json_of(app.client.post(app.url("/api/v1/screenings")).json(&new).send().await.unwrap()).await;
    assert_problem(status, &body, StatusCode::FORBIDDEN, None);
    assert!(body["detail"].as_str().unwrap().contains("x-csrf-token"), "{body}");

    let (status, body) = json_of(
        app.client
            .post(app.url("/api/v1/screenings"))
            .header("x-csrf-token", "guess")
            .json(&new)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_problem(status, &body, StatusCode::FORBIDDEN, None);

    // Another person's token does not open this sign-in.
    let mut bob = app.visitor();
    bob.sign_up("bob@example.org").await;
    let (status, _) = json_of(
        app.client
            .post(app.url("/api/v1/screenings"))
            .header("x-csrf-token", &bob.csrf)
            .json(&new)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, list) = json_of(app.get("/api/v1/screenings").await).await;
    assert_eq!(list, json!([]), "nothing was kept");
    let (status, _) = json_of(app.post_json("/api/v1/screenings", &new).await).await;
    assert_eq!(status, StatusCode::CREATED, "with the token it works");
}

#[tokio::test]
async fn a_form_with_a_wrong_csrf_field_is_forbidden() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let (status, _, page) =
        text_of(app.post_form("/checkin", &[("csrf", "wrong"), ("week_pain", "4"), ("change", "1")]).await)
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("reload the page"), "{page}");
    let (status, _, _) =
        text_of(app.post_form("/checkin", &[("week_pain", "4"), ("change", "1")]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a form without the field");
    let (status, _, _) = text_of(app.post_form("/signout", &[("csrf", "wrong")]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) = json_of(app.get("/api/v1/checkins").await).await;
    assert_eq!(list, json!([]), "nothing was kept");
    let (status, _) = json_of(app.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::OK, "still signed in");

    let csrf = app.csrf.clone();
    let (status, _, page) =
        text_of(app.post_form("/checkin", &[("csrf", &csrf), ("week_pain", "4"), ("change", "1")]).await)
            .await;
    assert_eq!(status, StatusCode::OK, "with the right token it works: {page}");
}

#[tokio::test]
async fn writes_from_another_site_are_forbidden() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let new = || json!({ "id": Uuid::now_v7(), "intake": self_care_intake() });
    let post = |name: &'static str, value: String| {
        app.client
            .post(app.url("/api/v1/screenings"))
            .header("x-csrf-token", &app.csrf)
            .header(name, value)
            .json(&new())
            .send()
    };
    let (status, body) = json_of(post("origin", "https://evil.example".into()).await.unwrap()).await;
    assert_problem(status, &body, StatusCode::FORBIDDEN, None);
    let (status, body) = json_of(post("sec-fetch-site", "cross-site".into()).await.unwrap()).await;
    assert_problem(status, &body, StatusCode::FORBIDDEN, None);
    let (status, _) = json_of(post("origin", "null".into()).await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an opaque origin without Sec-Fetch-Site");
    // A form from another site, before any sign-in check.
    let response = browser()
        .post(app.url("/signup"))
        .header("origin", "https://evil.example")
        .form(&[("email", "eve@example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let (_, list) = json_of(app.get("/api/v1/screenings").await).await;
    assert_eq!(list, json!([]), "nothing was kept");

    // This site's own pages pass.
    let (status, body) = json_of(post("origin", app.base.clone()).await.unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = json_of(post("sec-fetch-site", "same-origin".into()).await.unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_body_over_two_mib_is_refused() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let big =
        format!("{{\"id\": \"{}\", \"intake\": \"{}\"}}", Uuid::now_v7(), "x".repeat(2 * 1024 * 1024 + 1));
    let response = app
        .client
        .post(app.url("/api/v1/screenings"))
        .header("x-csrf-token", &app.csrf)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (_, list) = json_of(app.get("/api/v1/screenings").await).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited() {
    let app = spawn_app_with(|config| {
        config.rate_burst = 3;
        config.rate_period_ms = 60_000;
    })
    .await;
    let wrong = json!({ "email": "ana@example.org", "password": "wrong password!" });
    let attempt = || app.post_json("/api/v1/sign-in", &wrong);
    for i in 0..3 {
        let (status, body) = json_of(attempt().await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}: {body}");
    }
    let (status, body) = json_of(attempt().await).await;
    assert_problem(status, &body, StatusCode::TOO_MANY_REQUESTS, None);
    // Sign-up shares the allowance; the rest of the API does not.
    let (status, _) = json_of(
        app.post_json("/api/v1/accounts", &json!({ "email": "ana@example.org", "password": PASSWORD })).await,
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = json_of(app.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_database_keeps_argon2id_hashes_and_token_digests_only() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let mut bob = app.visitor();
    bob.sign_up("bob@example.org").await;
    bob.sign_in("bob@example.org").await;

    let file = app.server.sqlite_file.clone().unwrap();
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}?mode=ro", file.display())).await.unwrap();
    let hashes: Vec<(String, String)> =
        sqlx::query_as("SELECT email, password_hash FROM accounts ORDER BY email")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(hashes.len(), 2);
    for (email, hash) in &hashes {
        assert!(hash.starts_with("$argon2id$v=19$"), "{email}: {hash}");
        assert!(!hash.contains(PASSWORD));
    }
    assert_ne!(hashes[0].1, hashes[1].1, "each hash has its own salt");

    let digests: Vec<String> =
        sqlx::query_scalar("SELECT token_hash FROM sign_ins").fetch_all(&mut conn).await.unwrap();
    assert_eq!(digests.len(), 3, "two sign-ups and a sign-in");
    for token in [&app.token, &bob.token] {
        let digest: String = Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert!(digests.contains(&digest), "the SHA-256 of the cookie's token is kept");
        assert!(!digests.contains(token));
    }
    conn.close().await.unwrap();

    // Neither the password nor a cookie token is anywhere in the files.
    let dir = file.parent().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for secret in [PASSWORD, app.token.as_str(), bob.token.as_str()] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds a secret",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn without_a_sign_in_the_api_says_401_and_pages_send_to_sign_in() {
    let app = spawn_app().await;
    for path in
        ["/api/v1/me", "/api/v1/sessions", "/api/v1/screenings", "/api/v1/progress", "/api/v1/checkins"]
    {
        let (status, body) = json_of(app.get(path).await).await;
        assert_problem(status, &body, StatusCode::UNAUTHORIZED, None);
        assert_eq!(body["title"], "Sign in first", "{path}: {body}");
    }
    let (status, body) = json_of(app.post_json("/api/v1/screenings", &json!({})).await).await;
    assert_problem(status, &body, StatusCode::UNAUTHORIZED, None);
    let response =
        app.client.get(app.url("/api/v1/me")).header("cookie", "knead=forged").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    for path in [
        "/check",
        "/history",
        "/progress",
        "/progress.svg",
        "/checkin",
        "/plan?screening=x",
        "/session",
        &format!("/result/{}", Uuid::now_v7()),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(header(&response, "location"), "/signin", "{path}");
    }
    let (status, _, page) = text_of(app.get("/").await).await;
    assert_eq!(status, StatusCode::OK, "the home page is public");
    assert!(page.contains("/signup"), "{page}");
}
