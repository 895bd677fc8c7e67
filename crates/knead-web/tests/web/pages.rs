//! The pages, driven as a browser without JavaScript drives them: forms
//! posted to the page routes, redirects followed by hand.

use crate::support::{
    PASSWORD, TestApp, account, header, invite_and_accept, json_of, morning, self_care_intake,
    session_from_plan, spawn_app, text_of,
};
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

/// The value of the hidden `csrf` field of a page.
fn csrf_field(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).unwrap_or_else(|| panic!("no csrf field in {page}")) + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// Text as it reads, with HTML's escapes undone.
fn unescape(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The answers of vignette V092 (self-care), as the questionnaire posts them.
fn self_care_form(csrf: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", csrf.to_owned()),
        ("age_years", "32".into()),
        ("intensity", "5".into()),
        ("duration_days", "10".into()),
        ("onset", "gradual".into()),
        ("after_trauma", "false".into()),
        ("character", "aching".into()),
        ("pattern", "worse_with_movement".into()),
        ("pattern", "eases_with_rest".into()),
    ]
}

async fn post_form(app: &TestApp, path: &str, form: &[(&'static str, String)]) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form(path, &pairs).await
}

/// Post the sign-up form; the status, whether a cookie was set, and the page.
async fn post_sign_up(app: &TestApp, email: &str, password: &str) -> (StatusCode, bool, String) {
    let response = app.post_form("/signup", &[("email", email), ("password", password)]).await;
    let cookie = response.headers().contains_key("set-cookie");
    let (status, _, page) = text_of(response).await;
    (status, cookie, page)
}

/// Sign up through the form, then sign in on the page it answers with;
/// the `/check` page.
async fn sign_up_by_form(app: &TestApp, email: &str) -> String {
    let (status, _, page) = text_of(app.get("/signup").await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("action=\"/signup\"") && page.contains("name=\"password\""), "{page}");
    let (status, cookie, page) = post_sign_up(app, email, PASSWORD).await;
    assert_eq!((status, cookie), (StatusCode::OK, false), "{page}");
    assert!(page.contains("action=\"/signin\"") && page.contains(&format!("value=\"{email}\"")), "{page}");
    assert!(unescape(&page).contains(knead_web::auth::SIGN_UP_RECEIVED), "{page}");
    let response = app.post_form("/signin", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&response, "location"), "/");
    let cookie = header(&response, "set-cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let (status, _, page) = text_of(app.get("/check").await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("action=\"/check\""), "{page}");
    page
}

/// Post the questionnaire; the id of the screening its redirect names.
async fn check(app: &TestApp, form: &[(&'static str, String)]) -> Uuid {
    let response = post_form(app, "/check", form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap());
    let location = header(&response, "location");
    let id = location.strip_prefix("/result/").unwrap_or_else(|| panic!("{location}"));
    Uuid::parse_str(id).unwrap()
}

#[tokio::test]
async fn the_sign_up_page_answers_the_same_for_a_taken_address() {
    let app = spawn_app().await;
    let new = post_sign_up(&app, "ana@example.org", PASSWORD).await;
    let taken = post_sign_up(&app.visitor(), "ana@example.org", PASSWORD).await;
    assert_eq!(taken, new, "the same page, and no cookie, either way");
}

#[tokio::test]
async fn the_sign_up_page_says_why_a_common_password_is_refused() {
    let app = spawn_app().await;
    let (_, _, form) = text_of(app.get("/signup").await).await;
    assert!(form.contains("hard to guess"), "the form says what is allowed before anyone types: {form}");
    let (status, cookie, page) = post_sign_up(&app, "ana@example.org", "password123").await;
    assert_eq!((status, cookie), (StatusCode::UNPROCESSABLE_ENTITY, false), "{page}");
    let text = unescape(&page);
    assert!(text.contains("role=\"alert\"") && text.contains("common password"), "{page}");
    assert!(!text.contains("password123"), "the password is not shown again: {page}");
    assert!(text.contains("value=\"ana@example.org\""), "the address is kept: {page}");
}

#[tokio::test]
async fn a_self_care_screening_leads_to_a_plan_and_a_session_page() {
    let app = spawn_app().await;
    let check_page = sign_up_by_form(&app, "ana@example.org").await;
    let csrf = csrf_field(&check_page);
    let id = check(&app, &self_care_form(&csrf)).await;

    let (status, _, page) = text_of(app.get(&format!("/result/{id}")).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("result-self_care"), "{page}");
    assert!(page.contains("action=\"/plan\""), "the result offers a plan: {page}");
    assert!(page.contains(&format!("name=\"screening\" value=\"{id}\"")), "{page}");
    assert!(!page.contains("role=\"alert\""), "{page}");

    // The same screening as the API sees it.
    let (status, kept) = json_of(app.get("/api/v1/screenings").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kept[0]["id"], json!(id));
    assert_eq!(kept[0]["disposition"], "self_care");

    let (status, _, page) =
        text_of(app.get(&format!("/plan?screening={id}&utc_offset_minutes=0")).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut api = app.visitor();
    api.client = app.client.clone();
    api.csrf = api.csrf().await;
    assert_eq!(api.csrf, csrf, "the page's token is the sign-in's");
    let (status, plan) = api.plan(&json!(id)).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let text = unescape(&page);
    for item in plan["plan"]["items"].as_array().unwrap() {
        assert!(text.contains(item["name"].as_str().unwrap()), "{item} in {page}");
        for step in item["steps"].as_array().unwrap() {
            assert!(text.contains(step["instruction"].as_str().unwrap()), "{step} in {page}");
        }
    }
    assert!(page.contains("action=\"/session\""), "{page}");

    let (status, _, page) = text_of(app.get(&format!("/session?screening={id}")).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for attribute in [
        format!("data-screening=\"{id}\""),
        "data-equipment=\"\"".to_owned(),
        "data-helper=\"false\"".to_owned(),
        "data-symptoms-json=\"".to_owned(),
        "data-regions-json=\"".to_owned(),
    ] {
        assert!(page.contains(&attribute), "{attribute} in {page}");
    }
    assert!(page.contains("<script src=\"/static/session.js\""), "{page}");
    assert!(!page.contains("<script>"), "no inline script: {page}");
}

/// Every step of the plan page shows its figure, with the pack's words for
/// it; the figure route answers each as SVG under the site's policy, and
/// knows nothing else.
#[tokio::test]
async fn the_plan_shows_a_figure_with_words_for_every_step() {
    let app = spawn_app().await;
    let check_page = sign_up_by_form(&app, "ana@example.org").await;
    let id = check(&app, &self_care_form(&csrf_field(&check_page))).await;
    let path =
        format!("/plan?screening={id}&equipment=foam_roller&equipment=massage_gun&utc_offset_minutes=0");
    let (status, _, page) = text_of(app.get(&path).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let text = unescape(&page);
    let images: Vec<&str> = text.split("<img ").skip(1).map(|i| &i[..i.find('>').unwrap()]).collect();
    let mut api = app.visitor();
    api.client = app.client.clone();
    api.csrf = api.csrf().await;
    let body = json!({ "screening": id, "equipment": ["foam_roller", "massage_gun"] });
    let (status, plan) = json_of(api.post_json("/api/v1/plans?utc_offset_minutes=0", &body).await).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let mut steps = 0;
    for item in plan["plan"]["items"].as_array().unwrap() {
        for step in item["steps"].as_array().unwrap() {
            steps += 1;
            let figure = &step["figure"];
            let src = format!("src=\"/{}\"", figure["file"].as_str().unwrap());
            let alt = format!("alt=\"{}\"", figure["alt"].as_str().unwrap());
            assert!(images.iter().any(|i| i.contains(&src) && i.contains(&alt)), "{src} {alt} in {page}");
        }
    }
    assert!(steps >= 12, "hands, roller and massager: {steps} steps");
    assert_eq!(images.len(), steps, "one figure a step: {page}");
    assert!(images.iter().all(|i| i.contains("alt=\"") && !i.contains("alt=\"\"")), "{images:?}");
    assert!(text.contains("Figures: CC BY 4.0, Knead contributors."), "{page}");

    for image in images {
        let src = image.split("src=\"").nth(1).unwrap().split('"').next().unwrap();
        let response = app.visitor().get(src).await;
        assert_eq!(response.status(), StatusCode::OK, "{src}");
        assert_eq!(header(&response, "content-type"), "image/svg+xml", "{src}");
        assert_eq!(header(&response, "x-content-type-options"), "nosniff", "{src}");
        assert!(header(&response, "content-security-policy").starts_with("default-src 'none'"), "{src}");
        let svg = response.text().await.unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("viewBox"), "{svg}");
    }
    for missing in ["/figures/nothing.svg", "/figures/..%2Fpack.toml", "/figures/"] {
        let response = app.visitor().get(missing).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
    }
}

#[tokio::test]
async fn an_emergency_screening_shows_an_alert_and_no_plan() {
    let app = spawn_app().await;
    let csrf = csrf_field(&sign_up_by_form(&app, "ana@example.org").await);
    let mut form = self_care_form(&csrf);
    form[1].1 = "55".into();
    form.push(("radiates_to", "jaw".into()));
    let id = check(&app, &form).await;

    let (status, _, page) = text_of(app.get(&format!("/result/{id}")).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("role=\"alert\""), "{page}");
    assert!(page.contains("result-emergency"), "{page}");
    assert!(!page.contains("action=\"/plan\""), "no plan after an emergency: {page}");
    assert!(!page.contains("/session"), "{page}");

    let (status, _, page) = text_of(app.get(&format!("/plan?screening={id}")).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(!page.contains("action=\"/session\""), "{page}");
    let (status, _, _) = text_of(app.get(&format!("/session?screening={id}")).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_questionnaire_with_a_bad_answer_is_shown_again() {
    let app = spawn_app().await;
    let csrf = csrf_field(&sign_up_by_form(&app, "ana@example.org").await);
    let mut form = self_care_form(&csrf);
    form[2].1 = "12".into();
    let (status, _, page) = text_of(post_form(&app, "/check", &form).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("pain.intensity"), "{page}");
    assert!(page.contains("action=\"/check\""), "{page}");
    let (_, kept) = json_of(app.get("/api/v1/screenings").await).await;
    assert_eq!(kept, json!([]));
}

#[tokio::test]
async fn history_progress_chart_and_checkin_pages() {
    let app = spawn_app().await;
    let csrf = csrf_field(&sign_up_by_form(&app, "ana@example.org").await);

    let (status, _, page) = text_of(app.get("/history").await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("No sessions yet"), "{page}");

    // A session through the API, as the guided session page records it.
    let id = check(&app, &self_care_form(&csrf)).await;
    let mut api = app.visitor();
    api.client = app.client.clone();
    api.csrf = csrf.clone();
    let (status, plan) = api.plan(&json!(id)).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let session = session_from_plan(&plan, morning() - Duration::days(1), 6, Some(4));
    let (status, body) = api.put_session(&session).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, _, page) = text_of(app.get("/history").await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // No zone named: UTC, said.
    assert!(plain(&page).contains("Sun 9 Mar, 10:00 UTC"), "{page}");
    assert!(page.contains("6 → 4"), "{page}");
    assert!(page.contains("finished"), "{page}");

    let (status, _, page) = text_of(app.get("/progress").await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Started at 6/10"), "{page}");
    assert!(page.contains("/progress.svg"), "{page}");

    let (status, kind, svg) = text_of(app.get("/progress.svg").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "image/svg+xml");
    assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");

    // The report for a clinician, from the button on the progress page.
    assert!(page.contains("action=\"/report.pdf\""), "{page}");
    let response = app.get("/report.pdf?utc_offset_minutes=60").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), "application/pdf");
    assert!(header(&response, "content-disposition").starts_with("attachment"));
    let pdf = response.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");

    let (status, _, page) = text_of(app.get("/checkin").await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("action=\"/checkin\""), "{page}");
    let form = [("csrf", csrf.as_str()), ("week_pain", "4"), ("change", "1")];
    let (status, _, page) = text_of(app.post_form("/checkin", &form).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Saved. Thank you."), "{page}");
    let form = [("csrf", csrf.as_str()), ("week_pain", "eleven"), ("change", "1")];
    let (status, _, page) = text_of(app.post_form("/checkin", &form).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let (_, checkins) = json_of(app.get("/api/v1/checkins").await).await;
    let checkins = checkins.as_array().unwrap();
    assert_eq!(checkins.len(), 1);
    assert_eq!((&checkins[0]["week_pain"], &checkins[0]["change"]), (&json!(4), &json!(1)));
}

#[tokio::test]
async fn another_persons_result_is_not_found() {
    let ana = spawn_app().await;
    let csrf = csrf_field(&sign_up_by_form(&ana, "ana@example.org").await);
    let id = check(&ana, &self_care_form(&csrf)).await;

    let bob = ana.visitor();
    sign_up_by_form(&bob, "bob@example.org").await;
    let (status, _, theirs) = text_of(bob.get(&format!("/result/{id}")).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{theirs}");
    assert!(!theirs.contains(&id.to_string()), "{theirs}");
    let (status, _, random) = text_of(bob.get(&format!("/result/{}", Uuid::now_v7())).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(theirs, random, "not yours and not there look the same");
    let (status, _, _) = text_of(bob.get(&format!("/plan?screening={id}")).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn signing_in_and_out_through_the_forms() {
    let app = spawn_app().await;
    let csrf = csrf_field(&sign_up_by_form(&app, "ana@example.org").await);
    let response = app.post_form("/signout", &[("csrf", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&response, "location"), "/");
    assert_eq!(app.get("/check").await.status(), StatusCode::SEE_OTHER);

    let (status, _, page) = text_of(
        app.post_form("/signin", &[("email", "ana@example.org"), ("password", "wrong password")]).await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{page}");
    assert!(page.contains("The email address or password is wrong"), "{page}");
    let response = app.post_form("/signin", &[("email", "ana@example.org"), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&response, "location"), "/");
    assert_eq!(app.get("/check").await.status(), StatusCode::OK);
}

/// The answers of vignette V047 (mild pain for 43 days: see a doctor
/// first, for the duration alone), as the questionnaire posts them.
fn see_doctor_first_form(csrf: &str) -> Vec<(&'static str, String)> {
    let mut form = self_care_form(csrf);
    form[2].1 = "3".into();
    form[3].1 = "43".into();
    form
}

/// The person's screenings, newest first, as the API lists them.
async fn screenings_of(app: &TestApp) -> Vec<serde_json::Value> {
    let (status, kept) = json_of(app.get("/api/v1/screenings").await).await;
    assert_eq!(status, StatusCode::OK, "{kept}");
    kept.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_clearance_reported_on_the_result_page_lifts_see_a_doctor_first_and_leads_to_a_plan() {
    let app = spawn_app().await;
    let csrf = csrf_field(&sign_up_by_form(&app, "ana@example.org").await);
    let id = check(&app, &see_doctor_first_form(&csrf)).await;

    let (status, _, page) = text_of(app.get(&format!("/result/{id}")).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("result-see_doctor_first"), "{page}");
    assert!(!page.contains("action=\"/plan\""), "no plan before a clearance: {page}");
    assert!(page.contains(&format!("action=\"/result/{id}/clearance\"")), "the clearance is offered: {page}");
    assert!(page.contains("Who cleared you?") && page.contains("type=\"date\""), "{page}");
    assert_eq!(csrf_field(&page), csrf);
    let (status, _, _) = text_of(app.get(&format!("/plan?screening={id}")).await).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let form = [
        ("csrf", csrf.as_str()),
        ("by", "  Dr Lee, my GP "),
        ("on", "2025-03-08"),
        ("utc_offset_minutes", "0"),
    ];
    let response = app.post_form(&format!("/result/{id}/clearance"), &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap());
    let location = header(&response, "location");
    let cleared = Uuid::parse_str(location.strip_prefix("/result/").unwrap()).unwrap();
    assert_ne!(cleared, id, "a clearance makes a new screening");

    let (status, _, page) = text_of(app.get(&location).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("result-see_doctor_first"), "{page}");
    assert!(
        unescape(&page).contains("Dr Lee, my GP, on 2025-03-08"),
        "the result says who lowered it: {page}"
    );
    assert!(page.contains("action=\"/plan\""), "a plan is offered now: {page}");
    assert!(!page.contains("/clearance\""), "no second clearance: {page}");
    let (status, _, page) =
        text_of(app.get(&format!("/plan?screening={cleared}&utc_offset_minutes=0")).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");

    // Both screenings are kept; the new one says what lowered it.
    let kept = screenings_of(&app).await;
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0]["id"], json!(cleared));
    assert_eq!(kept[0]["result"]["cleared_by_clinician"], true, "{}", kept[0]);
    assert_eq!(kept[0]["intake"]["clinician_cleared"], true);
    assert_eq!(kept[0]["clearance"], json!({ "by": "Dr Lee, my GP", "on": "2025-03-08", "in_force": true }));
    assert_eq!((&kept[1]["id"], &kept[1]["disposition"]), (&json!(id), &json!("see_doctor_first")));
    assert!(kept[1]["clearance"].is_null());

    // The first screening is no longer the newest: nothing more to clear there.
    let (_, _, page) = text_of(app.get(&format!("/result/{id}")).await).await;
    assert!(!page.contains("/clearance\""), "{page}");
    let (status, _, _) = text_of(app.post_form(&format!("/result/{id}/clearance"), &form).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(screenings_of(&app).await.len(), 2);

    // Yesterday's answers are asked again before a clearance.
    let id = check(&app, &see_doctor_first_form(&csrf)).await;
    app.clock().advance(Duration::days(1));
    let (_, _, page) = text_of(app.get(&format!("/result/{id}")).await).await;
    assert!(!page.contains("/clearance\""), "{page}");
    let (status, _, _) = text_of(app.post_form(&format!("/result/{id}/clearance"), &form).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(screenings_of(&app).await.len(), 3);
}

#[tokio::test]
async fn a_clearance_without_who_or_with_a_day_to_come_is_shown_again_and_nothing_is_kept() {
    let app = spawn_app().await;
    let csrf = csrf_field(&sign_up_by_form(&app, "ana@example.org").await);
    let id = check(&app, &see_doctor_first_form(&csrf)).await;
    let path = format!("/result/{id}/clearance");

    let (status, _, page) =
        text_of(app.post_form(&path, &[("csrf", &csrf), ("by", "   "), ("on", "2025-03-09")]).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("id=\"clearance-error\""), "{page}");
    assert!(page.contains("<p>Who cleared you? Say who cleared you"), "the error names the field: {page}");
    assert!(page.contains("id=\"by\" name=\"by\"") && page.contains("aria-invalid=\"true\""), "{page}");
    assert!(page.contains("value=\"2025-03-09\""), "what was typed is kept: {page}");
    assert!(page.contains(&format!("action=\"{path}\"")), "the form comes back: {page}");

    let long = "x".repeat(121);
    let (status, _, page) =
        text_of(app.post_form(&path, &[("csrf", &csrf), ("by", &long), ("on", "2025-03-09")]).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("<p>Who cleared you?"), "{page}");

    // The server's clock says 10 March 2025.
    let (status, _, page) =
        text_of(app.post_form(&path, &[("csrf", &csrf), ("by", "Dr Lee"), ("on", "2025-03-11")]).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("<p>On what day? 2025-03-11 has not come yet"),
        "the error names the field: {page}"
    );
    assert!(page.contains("value=\"Dr Lee\""), "{page}");

    let (status, _, page) =
        text_of(app.post_form(&path, &[("csrf", &csrf), ("by", "Dr Lee"), ("on", "last week")]).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("<p>On what day?"), "{page}");

    // Without this sign-in's token, nothing happens either.
    let (status, _, _) =
        text_of(app.post_form(&path, &[("csrf", "forged"), ("by", "Dr Lee"), ("on", "2025-03-09")]).await)
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let kept = screenings_of(&app).await;
    assert_eq!(kept.len(), 1, "nothing was kept: {kept:?}");
    assert_eq!(kept[0]["disposition"], "see_doctor_first");
}

#[tokio::test]
async fn an_emergency_or_a_self_care_result_is_never_offered_a_clearance() {
    let app = spawn_app().await;
    let csrf = csrf_field(&sign_up_by_form(&app, "ana@example.org").await);
    let form = [("csrf", csrf.as_str()), ("by", "Dr Lee"), ("on", "2025-03-09")];

    // V003 with a long duration too: a clearance would lift the
    // see-a-doctor-first rule, never the emergency.
    let mut emergency = see_doctor_first_form(&csrf);
    emergency[1].1 = "55".into();
    emergency.push(("radiates_to", "jaw".into()));
    let id = check(&app, &emergency).await;
    let (_, _, page) = text_of(app.get(&format!("/result/{id}")).await).await;
    assert!(page.contains("result-emergency"), "{page}");
    assert!(!page.contains("/clearance\"") && !page.contains("Who cleared you?"), "{page}");
    let (status, _, page) = text_of(app.post_form(&format!("/result/{id}/clearance"), &form).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");

    let id = check(&app, &self_care_form(&csrf)).await;
    let (_, _, page) = text_of(app.get(&format!("/result/{id}")).await).await;
    assert!(!page.contains("/clearance\""), "{page}");
    let (status, _, _) = text_of(app.post_form(&format!("/result/{id}/clearance"), &form).await).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let kept = screenings_of(&app).await;
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept.iter().all(|s| s["clearance"].is_null()), "{kept:?}");
}

#[tokio::test]
async fn another_persons_screening_cannot_be_cleared_and_looks_missing() {
    let ana = spawn_app().await;
    let csrf = csrf_field(&sign_up_by_form(&ana, "ana@example.org").await);
    let id = check(&ana, &see_doctor_first_form(&csrf)).await;

    let bob = ana.visitor();
    let bob_csrf = csrf_field(&sign_up_by_form(&bob, "bob@example.org").await);
    let form = [("csrf", bob_csrf.as_str()), ("by", "Dr Lee"), ("on", "2025-03-09")];
    let (status, _, theirs) = text_of(bob.post_form(&format!("/result/{id}/clearance"), &form).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{theirs}");
    let (_, _, random) =
        text_of(bob.post_form(&format!("/result/{}/clearance", Uuid::now_v7()), &form).await).await;
    assert_eq!(theirs, random, "not yours and not there look the same");
    assert_eq!(screenings_of(&ana).await.len(), 1);
    assert!(screenings_of(&bob).await.is_empty());
}

// ---------------------------------------------------------------------------
// Times and days in the person's zone (the `knead_tz` cookie app.js sets).

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A server whose clock says 24 November 2026, 12:00 UTC (07:00 in New
/// York, 13:00 in Berlin), and a patient signed up on it through the API.
async fn patient_on_24_november() -> (TestApp, TestApp) {
    let app = spawn_app().await;
    app.clock().advance(at("2026-11-24T12:00:00Z") - morning());
    let mut ana = app.visitor();
    ana.sign_up("ana@example.org").await;
    (app, ana)
}

/// A page's text with its non-breaking spaces (within a day, before
/// "UTC") as plain ones, to compare.
fn plain(page: &str) -> String {
    page.replace('\u{a0}', " ")
}

/// GET `path` as `who` (signed in through the API), with `knead_tz=zone`
/// as the browser sends it once app.js has run (none: a first visit, or no
/// script); the status and the page, [`plain`].
async fn page_in(who: &TestApp, path: &str, zone: Option<&str>) -> (StatusCode, String) {
    let zone = zone.map_or(String::new(), |z| format!("; knead_tz={z}"));
    let response = reqwest::Client::new()
        .get(who.url(path))
        .header("cookie", format!("knead={}{zone}", who.token))
        .send()
        .await
        .unwrap();
    (response.status(), plain(&response.text().await.unwrap()))
}

#[tokio::test]
async fn an_evening_in_new_york_is_on_that_days_date_and_utc_is_said_without_a_zone() {
    let (_app, ana) = patient_on_24_november().await;
    // 03:30 UTC on the 24th: 22:30 on Monday the 23rd in New York.
    ana.record_session(at("2026-11-24T03:30:00Z"), 5).await;

    let (status, page) = page_in(&ana, "/history", Some("America/New_York")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<td>Mon 23 Nov, 22:30</td>"), "{page}");
    assert!(!page.contains("24 Nov") && !page.contains("UTC"), "{page}");

    let (status, page) = page_in(&ana, "/history", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<td>Tue 24 Nov, 03:30 UTC</td>"), "without a zone, UTC and said: {page}");
    assert!(!page.contains("23 Nov"), "{page}");

    // The home page's last screening, made at the server's noon.
    let (_, page) = page_in(&ana, "/", Some("America/New_York")).await;
    assert!(page.contains("(Tue 24 Nov, 07:00)"), "{page}");
    let (_, page) = page_in(&ana, "/", None).await;
    assert!(page.contains("(Tue 24 Nov, 12:00 UTC)"), "{page}");
}

#[tokio::test]
async fn the_sharing_page_and_the_clinicians_pages_show_their_readers_zone() {
    let (app, ana) = patient_on_24_november().await;
    ana.record_session(at("2026-11-24T03:30:00Z"), 5).await;
    let mut doc = account(&app, "doc@example.org", "clinician").await;
    doc.sign_in("doc@example.org").await;
    let patient = invite_and_accept(&ana, &doc).await;

    // The patient in Berlin: made, accepted and looked at 12:00 UTC, 13:00 there.
    let (status, page) = page_in(&ana, "/sharing", Some("Europe/Berlin")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<td>doc@example.org</td><td>Tue 24 Nov, 13:00</td>"), "the grant: {page}");
    assert!(page.contains("<tr><td>Tue 24 Nov, 13:00</td><td>You</td>"), "the access log: {page}");
    assert!(!page.contains("UTC"), "{page}");
    let (_, page) = page_in(&ana, "/sharing", None).await;
    assert!(page.contains("<tr><td>Tue 24 Nov, 12:00 UTC</td><td>You</td>"), "{page}");

    // The clinician in New York: the session was on their Monday evening.
    let (status, page) = page_in(&doc, "/clinic", Some("America/New_York")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<dd>Mon 23 Nov, 22:30</dd>"), "the last session: {page}");
    let record = format!("/clinic/patients/{}", patient["patient"].as_str().unwrap());
    let (status, page) = page_in(&doc, &record, Some("America/New_York")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Access since Tue 24 Nov, 07:00."), "{page}");
    assert!(page.contains("<tr><td>Mon 23 Nov</td><td>1</td>"), "the pain on that day: {page}");
    let (_, page) = page_in(&doc, &record, None).await;
    assert!(page.contains("<tr><td>Tue 24 Nov</td><td>1</td>"), "{page}");
    assert!(page.contains("Access since Tue 24 Nov, 12:00 UTC."), "{page}");
}

#[tokio::test]
async fn a_day_across_a_daylight_saving_change_shows_its_own_local_hour() {
    let (_app, ana) = patient_on_24_november().await;
    // 19:00 in Berlin both evenings: winter time (UTC+1) on Saturday 28
    // March 2026, summer time (UTC+2) from Sunday the 29th. Today's offset
    // (UTC+1 in November) would make the Monday 18:00.
    // Both from one plan made first: months of pain without a meaningful
    // improvement stop later plans (§4), not sessions done before.
    let screening = ana.screen(&self_care_intake()).await;
    let (status, plan) = ana.plan(&screening["id"]).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    for (started_at, pain) in [(at("2026-03-28T18:00:00Z"), 5), (at("2026-03-30T17:00:00Z"), 4)] {
        let (status, body) = ana.put_session(&session_from_plan(&plan, started_at, pain, Some(pain))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, page) = page_in(&ana, "/history", Some("Europe/Berlin")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<td>Sat 28 Mar, 19:00</td>"), "{page}");
    assert!(page.contains("<td>Mon 30 Mar, 19:00</td>"), "{page}");
    assert!(!page.contains("18:00"), "{page}");
}

#[tokio::test]
async fn a_hostile_zone_cookie_is_utc_and_a_normal_page() {
    let (_app, ana) = patient_on_24_november().await;
    ana.record_session(at("2026-11-24T03:30:00Z"), 5).await;
    let long = format!("Europe/Berlin{}", "x".repeat(487));
    for zone in ["../../etc", long.as_str(), "Europe/Berlin<script>", "europe/berlin", ""] {
        for path in ["/", "/history", "/sharing", "/progress"] {
            let (status, page) = page_in(&ana, path, Some(zone)).await;
            assert_eq!(status, StatusCode::OK, "{zone} on {path}: {page}");
            assert!(!page.contains("<script>"), "{zone} on {path}: {page}");
            assert!(zone.is_empty() || !page.contains(zone), "{zone} on {path}: never echoed: {page}");
        }
        let (_, page) = page_in(&ana, "/history", Some(zone)).await;
        assert!(page.contains("<td>Tue 24 Nov, 03:30 UTC</td>"), "{zone}: UTC, said: {page}");
        let (_, page) = page_in(&ana, "/", Some(zone)).await;
        assert!(page.contains("(Tue 24 Nov, 12:00 UTC)"), "{zone}: {page}");
    }
}

#[tokio::test]
async fn the_pages_judge_todays_limits_on_the_persons_day_as_the_api_does() {
    let (_app, ana) = patient_on_24_november().await;
    // A session at 22:30 on the 23rd in New York: yesterday there, today in UTC.
    ana.record_session(at("2026-11-24T03:30:00Z"), 5).await;
    let (_, screenings) = json_of(ana.get("/api/v1/screenings").await).await;
    let id = screenings[0]["id"].as_str().unwrap();
    let still_allowed = |minutes: i32| {
        let ana = &ana;
        async move {
            let path = format!("/api/v1/plans?utc_offset_minutes={minutes}");
            let (status, plan) = json_of(ana.post_json(&path, &json!({ "screening": id })).await).await;
            assert_eq!(status, StatusCode::OK, "{plan}");
            let words: Vec<&str> =
                plan["still_allowed"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
            format!("Today's limits: {}</p>", words.join("; "))
        }
    };
    let (in_new_york, in_utc) = (still_allowed(-300).await, still_allowed(0).await);
    assert_ne!(in_new_york, in_utc, "the session counts on a different day");

    // The plan page without an offset in its address counts in the zone.
    let (status, page) = page_in(&ana, &format!("/plan?screening={id}"), Some("America/New_York")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(unescape(&page).contains(&in_new_york), "{in_new_york} in {page}");
    let (status, page) = page_in(&ana, &format!("/plan?screening={id}"), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(unescape(&page).contains(&in_utc), "{in_utc} in {page}");

    // Its forms send the zone's offset when no script fills in the device's.
    let (_, page) = page_in(&ana, &format!("/result/{id}"), Some("America/New_York")).await;
    assert_eq!(page.matches("name=\"utc_offset_minutes\" value=\"-300\"").count(), 1, "{page}");
    let (_, page) = page_in(&ana, "/progress", Some("America/New_York")).await;
    assert!(page.contains("name=\"utc_offset_minutes\" value=\"-300\""), "{page}");
}
