//! The locks: security headers, anti-forgery tokens, the same-origin
//! check, the body limit, the allowances per client (one for the API and
//! the pages together) and per code, the limit on failed sign-ins per
//! address, the dummy hash for unknown addresses, what the database keeps
//! of passwords and sign-ins, and who may see what without signing in.

use crate::support::{
    PASSWORD, TestApp, assert_problem, browser, header, json_of, per_minute, self_care_intake, spawn_app,
    spawn_app_with, text_of,
};
use chrono::Duration;
use knead_app::attempts::{Allowance, Allowances};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::{Connection, SqliteConnection};
use uuid::Uuid;

/// Failed sign-ins one email address may have, and for how long they count.
const PER_ACCOUNT: Allowance = Allowances::DEFAULT.sign_in_per_account;

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
    assert_eq!(header(&anonymous.get("/").await, "strict-transport-security"), "", "no HSTS over plain HTTP");
    app.sign_up("ana@example.org").await;
    let paths = [
        "/",
        "/check",
        "/history",
        "/progress",
        "/progress.svg",
        "/checkin",
        "/sharing",
        "/report.pdf",
        "/api/v1/me",
        "/api/v1/sessions",
        "/api/v1/progress",
        "/api/v1/screenings",
    ];
    for path in paths {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_headers(&response, path);
        // Health data: no browser or proxy keeps a copy.
        assert!(header(&response, "cache-control").contains("no-store"), "{path}");
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
    let (status, body) = json_of(response).await;
    assert_problem(status, &body, StatusCode::PAYLOAD_TOO_LARGE, None);
    assert!(body["detail"].as_str().unwrap().contains("at most 2097152 bytes"), "{body}");
    let (_, list) = json_of(app.get("/api/v1/screenings").await).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn the_api_and_the_sign_in_page_share_one_allowance_per_client() {
    let mut app = spawn_app_with(|config| config.allowances.sign_in_per_client = per_minute(3)).await;
    app.sign_up("pat@example.org").await;
    // Signing up signed Pat in, which counted: let it lapse.
    app.clock().advance(Duration::minutes(1));
    let client = app.visitor();
    let wrong = |n: usize| format!("nobody{n}@example.org");
    // Three attempts, each at an address of its own (so no address's own
    // limit is met), through the API and the page alternately.
    let (status, _, body) = try_sign_in(&client, &wrong(1), "wrong password!").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let response =
        client.post_form("/signin", &[("email", &wrong(2)), ("password", "wrong password!")]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (status, _, body) = try_sign_in(&client, &wrong(3), "wrong password!").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // The fourth is refused, by either, before any password is checked:
    // with the right one too.
    let (status, retry_after, body) = try_sign_in(&client, "pat@example.org", PASSWORD).await;
    assert_problem(status, &body, StatusCode::TOO_MANY_REQUESTS, None);
    assert_eq!(body["type"], "/problems/too-many-attempts", "{body}");
    assert_eq!(retry_after, "60", "{body}");
    assert!(body["detail"].as_str().unwrap().contains("3 sign-in attempts in 1 minute"), "{body}");
    let response = client.post_form("/signin", &[("email", "pat@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(header(&response, "retry-after"), "60");
    let (status, _, page) = text_of(response).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(page.contains("try again in 1 minute"), "{page}");

    // Other purposes have allowances of their own, and the rest of the API none.
    let other = json!({ "email": "bob@example.org", "password": PASSWORD });
    let (status, body) = json_of(client.post_json("/api/v1/accounts", &other).await).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, _) = json_of(client.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A minute on, the client may try again.
    app.clock().advance(Duration::minutes(1));
    let (status, _, body) = try_sign_in(&client, "pat@example.org", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn sign_ups_from_one_client_are_limited_through_the_api_and_the_page() {
    let app = spawn_app_with(|config| config.allowances.sign_up_per_client = per_minute(2)).await;
    let account = |n: usize| json!({ "email": format!("person{n}@example.org"), "password": PASSWORD });
    let (status, _) = json_of(app.post_json("/api/v1/accounts", &account(1)).await).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    // A refused password spends nothing: the person is still choosing one.
    let weak = json!({ "email": "person2@example.org", "password": "password123" });
    let (status, _) = json_of(app.post_json("/api/v1/accounts", &weak).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let response =
        app.post_form("/signup", &[("email", "person2@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = app.post_json("/api/v1/accounts", &account(3)).await;
    assert_eq!(header(&response, "retry-after"), "60");
    let (status, body) = json_of(response).await;
    assert_problem(status, &body, StatusCode::TOO_MANY_REQUESTS, None);
    assert!(body["detail"].as_str().unwrap().contains("2 accounts in 1 minute"), "{body}");
}

#[tokio::test]
async fn invitation_codes_are_limited_per_code_and_per_client() {
    let app = spawn_app_with(|config| {
        config.allowances.invitation_per_code = per_minute(2);
        config.allowances.invitation_per_client = per_minute(4);
    })
    .await;
    let doc = crate::support::account(&app, "doc@example.org", "clinician").await;
    let doc = &doc;
    let accept = |code: &'static str| async move {
        doc.post_json("/api/v1/invitations/accept", &json!({ "code": code })).await
    };
    // One code, tried twice (once in another spelling of it), is not tried a third time.
    for code in ["AAAA-BBBB-CCCC", "aaaabbbbcccc"] {
        let (status, body) = json_of(accept(code).await).await;
        assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("code"));
    }
    let response = accept("AAAA-BBBB-CCCC").await;
    assert_eq!(header(&response, "retry-after"), "60");
    let (status, body) = json_of(response).await;
    assert_problem(status, &body, StatusCode::TOO_MANY_REQUESTS, None);
    assert!(body["detail"].as_str().unwrap().contains("This code has been tried 2 times"), "{body}");
    // Other codes from the same client count up to its own allowance
    // (the refused try counted against the client too), through the page as well.
    let (status, _) = json_of(accept("DDDD-EEEE-FFFF").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = [("csrf", doc.csrf.as_str()), ("code", "GGGG-HHHH-JJJJ")];
    let response = doc.post_form("/clinic/accept", &form).await;
    // The page answers as the API does: 429, and when to try again.
    let retry = response.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse::<u32>().ok());
    let (status, _, page) = text_of(response).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "Retry-After: {retry:?}");
    assert!(page.contains("4 invitation codes in 1 minute"), "{status}: {page}");
}

#[tokio::test]
async fn an_unknown_address_is_checked_against_a_dummy_hash() {
    let mut hashing = None;
    let mut app = spawn_app_with(|config| hashing = Some(config.hashing.clone())).await;
    let hashing = hashing.unwrap();
    app.sign_up("ana@example.org").await;
    let checks = || hashing.verifications();
    for (email, password) in [
        ("ana@example.org", "wrong password!"),
        ("nobody@example.org", "wrong password!"),
        ("not an address", "wrong password!"),
        ("ana@example.org", PASSWORD),
    ] {
        let before = checks();
        let (status, _, body) = try_sign_in(&app.visitor(), email, password).await;
        assert!(matches!(status, StatusCode::OK | StatusCode::UNAUTHORIZED), "{body}");
        assert_eq!(checks() - before, 1, "{email}: one argon2 check, account or not");
    }
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

/// A sign-in attempt through the API: status, `Retry-After` and body.
async fn try_sign_in(app: &TestApp, email: &str, password: &str) -> (StatusCode, String, Value) {
    let response = app.post_json("/api/v1/sign-in", &json!({ "email": email, "password": password })).await;
    let retry_after = header(&response, "retry-after");
    let (status, body) = json_of(response).await;
    (status, retry_after, body)
}

/// As many wrong passwords for `email` as are allowed, each a minute after
/// the last; each is a plain 401.
async fn fail_until_paused(app: &TestApp, email: &str) {
    for i in 0..PER_ACCOUNT.attempts.get() {
        let (status, _, body) = try_sign_in(app, email, "wrong password!").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}: {body}");
        app.clock().advance(Duration::minutes(1));
    }
}

/// Assert the answer to a paused address: 429, a problem naming what is
/// limited and when to come back, and `Retry-After` in seconds.
fn assert_paused(status: StatusCode, retry_after: &str, body: &Value, seconds: i64) {
    assert_problem(status, body, StatusCode::TOO_MANY_REQUESTS, None);
    assert_eq!(body["type"], "/problems/sign-ins-paused", "{body}");
    assert_eq!(retry_after, seconds.to_string(), "{body}");
    let detail = body["detail"].as_str().unwrap();
    let minutes = (seconds + 59) / 60;
    assert!(detail.contains("this address"), "{detail}");
    assert!(detail.contains(&format!("try again in {minutes} minute")), "{detail}");
}

#[tokio::test]
async fn failed_sign_ins_pause_an_address_without_checking_its_password() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let guesser = app.visitor();
    fail_until_paused(&guesser, "ana@example.org").await;

    // The right password now is refused too, before it is checked.
    let (status, retry_after, paused) = try_sign_in(&guesser, "ana@example.org", PASSWORD).await;
    // The earliest failure was ten minutes ago; it lapses in five.
    let window = PER_ACCOUNT.window.num_seconds();
    let elapsed = i64::from(PER_ACCOUNT.attempts.get()) * 60;
    assert_paused(status, &retry_after, &paused, window - elapsed);
    let (status, _) = json_of(guesser.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no cookie was set");
    // Another way of writing the same address is the same address.
    let (status, _, body) = try_sign_in(&guesser, "  ANA@Example.org ", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");

    // Ana's own sign-in, made before, still works: only new sign-ins wait.
    let (status, _) = json_of(app.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::OK);

    // The database keeps SHA-256 digests of what was counted, and when
    // each attempt lapses: no address, nothing more.
    let file = app.server.sqlite_file.clone().unwrap();
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}?mode=ro", file.display())).await.unwrap();
    let keys: Vec<String> =
        sqlx::query_scalar("SELECT key_hash FROM attempts").fetch_all(&mut conn).await.unwrap();
    let digest = |text: &str| -> String { Sha256::digest(text).iter().map(|b| format!("{b:02x}")).collect() };
    let (account, client) = (digest("sign-in/account\nana@example.org"), digest("sign-in/client\n127.0.0.1"));
    let of_account = keys.iter().filter(|k| **k == account).count();
    assert_eq!(of_account, usize::try_from(PER_ACCOUNT.attempts.get()).unwrap(), "refusals are not kept");
    assert!(keys.iter().all(|k| *k == account || *k == client), "{keys:?}");
    let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info('attempts')")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(columns, ["key_hash", "lapses_at"]);
    conn.close().await.unwrap();
}

#[tokio::test]
async fn an_unknown_address_is_paused_with_the_same_answer() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let guesser = app.visitor();
    fail_until_paused(&guesser, "ana@example.org").await;
    let (_, known_retry, known) = try_sign_in(&guesser, "ana@example.org", PASSWORD).await;

    // The same failures, a minute apart, for an address with no account.
    fail_until_paused(&guesser, "nobody@example.org").await;
    let (status, unknown_retry, unknown) = try_sign_in(&guesser, "nobody@example.org", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{unknown}");
    assert_eq!((unknown_retry, unknown), (known_retry, known), "nothing tells the two apart");
}

#[tokio::test]
async fn a_paused_address_leaves_other_accounts_alone() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let mut bob = app.visitor();
    bob.sign_up("bob@example.org").await;
    let guesser = app.visitor();
    fail_until_paused(&guesser, "ana@example.org").await;
    let (status, _, _) = try_sign_in(&guesser, "ana@example.org", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // From the same client, at the same moment, Bob signs in.
    let mut bob_again = app.visitor();
    bob_again.sign_in("bob@example.org").await;
    // Bob's own failures are his: a few, then the right password, which
    // clears them, so he has a full allowance again.
    for _ in 0..PER_ACCOUNT.attempts.get() - 1 {
        let (status, _, _) = try_sign_in(&guesser, "bob@example.org", "wrong password!").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    bob_again.sign_in("bob@example.org").await;
    fail_until_paused(&guesser, "bob@example.org").await;
    let (status, _, _) = try_sign_in(&guesser, "bob@example.org", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "paused after a full allowance, not before");
}

#[tokio::test]
async fn a_paused_address_opens_again_when_the_window_has_passed() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let guesser = app.visitor();
    fail_until_paused(&guesser, "ana@example.org").await;
    let (_, retry_after, _) = try_sign_in(&guesser, "ana@example.org", PASSWORD).await;
    let wait: i64 = retry_after.parse().unwrap();

    // A second before Retry-After, still refused (and told the second).
    app.clock().advance(Duration::seconds(wait - 1));
    let (status, retry_after, body) = try_sign_in(&guesser, "ana@example.org", PASSWORD).await;
    assert_paused(status, &retry_after, &body, 1);
    // At Retry-After, the earliest failure has lapsed: one attempt is let
    // through, and a wrong one pauses the address again.
    app.clock().advance(Duration::seconds(1));
    let (status, _, _) = try_sign_in(&guesser, "ana@example.org", "wrong password!").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = try_sign_in(&guesser, "ana@example.org", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the new failure refills the count");

    // Once the whole window has passed, the right password works.
    app.clock().advance(PER_ACCOUNT.window);
    let mut ana = app.visitor();
    ana.sign_in("ana@example.org").await;
}

#[tokio::test]
async fn the_sign_in_page_refuses_a_paused_address_kindly() {
    let mut app = spawn_app().await;
    app.sign_up("ana@example.org").await;
    let visitor = app.visitor();
    fail_until_paused(&visitor, "ana@example.org").await;
    let response =
        visitor.post_form("/signin", &[("email", "ana@example.org"), ("password", PASSWORD)]).await;
    let seconds: u64 = header(&response, "retry-after").parse().unwrap();
    assert!((1..=900).contains(&seconds), "{seconds}");
    let (status, _, page) = text_of(response).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    let wait = format!("try again in {} minute", seconds.div_ceil(60));
    assert!(page.contains(&wait), "the page says how long ({wait}): {page}");
    assert!(!page.contains("password is wrong"), "nothing is said about the password: {page}");
    let (status, _) = json_of(visitor.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the page set no cookie");
}

#[tokio::test]
async fn a_flood_of_sign_ins_is_told_to_wait_at_once_and_a_person_gets_in_after_it() {
    let app = spawn_app().await;
    crate::support::account(&app, "pat@example.org", "patient").await;
    // 200 sign-ins at once, each to an address of its own (so no address's
    // own limit stops them): past the pool and its queue, each is told to
    // come back, at once, rather than waiting with 19 MiB of its own.
    let mut flood = tokio::task::JoinSet::new();
    for i in 0..200 {
        let (client, url) = (app.client.clone(), app.url("/api/v1/sign-in"));
        flood.spawn(async move {
            let body = json!({ "email": format!("nobody{i}@example.org"), "password": "a guess at it" });
            let response = client.post(url).json(&body).send().await.unwrap();
            let retry_after = header(&response, "retry-after");
            let (status, body) = json_of(response).await;
            (status, retry_after, body)
        });
    }
    let (mut busy, mut wrong) = (0, 0);
    while let Some(answer) = flood.join_next().await {
        let (status, retry_after, body) = answer.unwrap();
        match status {
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(body["type"], "/problems/server-busy", "{body}");
                assert_eq!(retry_after, "2", "{body}");
                busy += 1;
            }
            StatusCode::UNAUTHORIZED => wrong += 1,
            other => panic!("a flood gets 401 or 429, not {other}: {body}"),
        }
    }
    assert!(busy > 0 && wrong > 0, "busy {busy}, checked {wrong}");
    // Once it is over, the owner signs in at the first try.
    let (status, _, body) = try_sign_in(&app, "pat@example.org", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn behind_tls_browsers_are_told_to_use_nothing_else() {
    let app = spawn_app_with(|config| config.secure_cookies = true).await;
    for path in ["/", "/signin", "/static/style.css", "/nowhere"] {
        let response = app.get(path).await;
        assert_eq!(header(&response, "strict-transport-security"), "max-age=31536000", "{path}");
    }
}

#[tokio::test]
async fn another_persons_id_is_not_found_never_already_kept() {
    let app = spawn_app().await;
    let ana = crate::support::account(&app, "ana@example.org", "patient").await;
    let ben = crate::support::account(&app, "ben@example.org", "patient").await;
    let hers = ana.record_session(crate::support::morning(), 5).await;
    // Ben sends a session of his own under Ana's session id.
    let mine = ben.record_session(crate::support::morning(), 4).await;
    let mut taken = mine.clone();
    taken["id"] = hers["id"].clone();
    let (status, body) = ben.put_session(&taken).await;
    assert_problem(status, &body, StatusCode::NOT_FOUND, None);
    // And a screening under Ana's screening id.
    let again = json!({ "id": hers["screening_id"], "intake": self_care_intake() });
    let (status, body) = json_of(ben.post_json("/api/v1/screenings", &again).await).await;
    assert_problem(status, &body, StatusCode::NOT_FOUND, None);
    // Nothing of Ben's was kept under her ids.
    let (_, sessions) = json_of(ben.get("/api/v1/sessions").await).await;
    assert_eq!(sessions.as_array().unwrap().len(), 1);
}
