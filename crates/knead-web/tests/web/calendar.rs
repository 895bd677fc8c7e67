//! The private calendar address: made through the API or the Sharing page,
//! read without signing in (the token is the key) and parsed back with an
//! independent iCalendar parser; a new address or revoking ends the old one,
//! which then looks like any unknown page; a clinician's program sets the
//! days and the limit, and appears in the FHIR Bundle as a CarePlan.

use crate::support::{
    TestApp, account, assert_problem, fhir_resources, header, invite_and_accept, json_of, self_care_intake,
    spawn_app, text_of,
};
use ::ical::parser::ical::component::{IcalCalendar, IcalEvent};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A patient signed up on a fresh server.
async fn patient(email: &str) -> TestApp {
    let mut app = spawn_app().await;
    app.sign_up(email).await;
    app
}

async fn put_calendar(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    json_of(app.put_json("/api/v1/calendar", body).await).await
}

/// Make a feed at `times`; its path.
async fn make(app: &TestApp, times: &[&str], utc_offset_minutes: i32) -> String {
    let (status, made) =
        put_calendar(app, &json!({ "times": times, "utc_offset_minutes": utc_offset_minutes })).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    made["url"].as_str().unwrap().to_owned()
}

async fn delete(app: &TestApp, path: &str) -> StatusCode {
    app.client.delete(app.url(path)).header("x-csrf-token", &app.csrf).send().await.unwrap().status()
}

/// The feed at `path`, fetched by a client with no cookies: status and text.
async fn fetch(app: &TestApp, path: &str) -> (StatusCode, String) {
    let (status, _, text) = text_of(app.visitor().get(path).await).await;
    (status, text)
}

/// The answer to an address nothing is served at, to compare with.
async fn unknown_page(app: &TestApp) -> (StatusCode, String) {
    fetch(app, "/no-such-page").await
}

fn parse(text: &str) -> IcalCalendar {
    let mut parser = ::ical::IcalParser::new(text.as_bytes());
    let calendar = parser.next().expect("one calendar").expect("the calendar parses");
    assert!(parser.next().is_none(), "only one calendar");
    calendar
}

fn value<'a>(event: &'a IcalEvent, name: &str) -> &'a str {
    let property = event.properties.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no {name}"));
    property.value.as_deref().unwrap_or("")
}

fn starts(calendar: &IcalCalendar) -> Vec<&str> {
    calendar.events.iter().map(|e| value(e, "DTSTART")).collect()
}

/// The days (`YYYYMMDD`) with reminders, each once, in order.
fn days(calendar: &IcalCalendar) -> Vec<String> {
    let mut days: Vec<String> = starts(calendar).iter().map(|s| s[..8].to_owned()).collect();
    days.dedup();
    days
}

#[tokio::test]
async fn a_feed_is_read_without_signing_in_at_the_persons_local_times() {
    let app = patient("cal@example.org").await;
    let response = app
        .put_json("/api/v1/calendar", &json!({ "times": ["13:00", "08:00"], "utc_offset_minutes": 60 }))
        .await;
    assert_eq!(header(&response, "cache-control"), "no-store", "the address is a secret");
    let (status, made) = json_of(response).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["times"], json!(["08:00", "13:00"]));
    assert_eq!(made["utc_offset_minutes"], 60);
    let path = made["url"].as_str().unwrap();
    let token = path.strip_prefix("/calendar/").unwrap().strip_suffix(".ics").unwrap();
    assert_eq!(token.len(), 43, "256 random bits in URL-safe base64: {token}");

    let (status, live) = json_of(app.get("/api/v1/calendar").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(live["times"], json!(["08:00", "13:00"]));
    assert_eq!(live["created_at"], made["created_at"]);
    assert!(live.get("url").is_none() && !live.to_string().contains(token), "the address is not shown again");

    let response = app.visitor().get(path).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), "text/calendar; charset=utf-8");
    assert_eq!(header(&response, "cache-control"), "private, no-store");
    let calendar = parse(&response.text().await.unwrap());
    // 10:00 UTC on 10 March is 11:00 at UTC+1: 14 days from the 10th, twice a day.
    assert_eq!(calendar.events.len(), 28);
    assert_eq!(starts(&calendar)[..3], ["20250310T080000", "20250310T130000", "20250311T080000"]);
    assert_eq!(starts(&calendar)[27], "20250323T130000");
    for event in &calendar.events {
        assert!(event.properties.iter().all(|p| p.name != "RRULE"));
        assert!(value(event, "DESCRIPTION").contains("knuckle massage"));
        assert_eq!(event.alarms.len(), 1);
        let trigger = event.alarms[0].properties.iter().find(|p| p.name == "TRIGGER").unwrap();
        assert_eq!(trigger.value.as_deref(), Some("-PT5M"));
    }

    // Regenerated on each poll: a day later, the window has moved on.
    app.clock().advance(Duration::days(1));
    let (_, text) = fetch(&app, path).await;
    assert_eq!(starts(&parse(&text))[0], "20250311T080000");
}

#[tokio::test]
async fn today_is_the_persons_day() {
    let app = patient("far-west@example.org").await;
    // 10:00 UTC on 10 March is 23:00 on the 9th at UTC-11.
    let path = make(&app, &["07:00"], -660).await;
    let (_, text) = fetch(&app, &path).await;
    let calendar = parse(&text);
    assert_eq!(days(&calendar).first().map(String::as_str), Some("20250309"));
    assert_eq!(calendar.events.len(), 14);
}

#[tokio::test]
async fn a_new_address_or_revoking_ends_the_old_one_like_an_unknown_page() {
    let app = patient("ends@example.org").await;
    let unknown = unknown_page(&app).await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    let first = make(&app, &["08:00"], 0).await;
    let second = make(&app, &["09:00"], 0).await;
    assert_ne!(first, second);
    assert_eq!(fetch(&app, &first).await, unknown, "the old address is gone");
    let (status, text) = fetch(&app, &second).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(starts(&parse(&text))[0], "20250310T090000");
    // Without the .ics, or with a wrong token: the same.
    assert_eq!(fetch(&app, second.trim_end_matches(".ics")).await, unknown);
    assert_eq!(fetch(&app, "/calendar/not-a-token.ics").await, unknown);

    assert_eq!(delete(&app, "/api/v1/calendar").await, StatusCode::NO_CONTENT);
    assert_eq!(fetch(&app, &second).await, unknown, "revoked");
    let (status, live) = json_of(app.get("/api/v1/calendar").await).await;
    assert_eq!((status, live), (StatusCode::OK, Value::Null));
    assert_eq!(delete(&app, "/api/v1/calendar").await, StatusCode::NO_CONTENT, "again: nothing to end");
}

#[tokio::test]
async fn bad_times_are_refused_naming_the_field_and_the_limit() {
    let app = patient("limits@example.org").await;
    let (status, body) = put_calendar(&app, &json!({ "times": ["07:00", "10:00", "13:00", "19:00"] })).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("times"));
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("more than the 3 sessions a day allowed"), "{detail}");
    assert!(detail.contains("daily.sessions_max"), "the limit's source: {detail}");
    for times in [json!(["8:00"]), json!(["25:00"]), json!(["08:00", "08:00"]), json!([])] {
        let (status, body) = put_calendar(&app, &json!({ "times": times })).await;
        assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("times"));
        assert!(body["detail"].as_str().unwrap().contains("allowed"), "{body}");
    }
    let (status, body) = put_calendar(&app, &json!({ "times": ["08:00"], "utc_offset_minutes": 900 })).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("utc_offset_minutes"));
    let (status, body) = put_calendar(&app, &json!({ "times": ["08:00"], "tz": "Europe/Paris" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused: {body}");
    let (_, live) = json_of(app.get("/api/v1/calendar").await).await;
    assert_eq!(live, Value::Null, "nothing was made");
}

#[tokio::test]
async fn another_patient_can_neither_see_nor_end_yours() {
    let owner = patient("mine@example.org").await;
    let path = make(&owner, &["08:00"], 0).await;
    let mut other = owner.visitor();
    other.sign_up("yours@example.org").await;
    let (status, live) = json_of(other.get("/api/v1/calendar").await).await;
    assert_eq!((status, live), (StatusCode::OK, Value::Null));
    assert_eq!(delete(&other, "/api/v1/calendar").await, StatusCode::NO_CONTENT);
    assert_eq!(fetch(&owner, &path).await.0, StatusCode::OK, "the owner's address still works");
    let (_, live) = json_of(owner.get("/api/v1/calendar").await).await;
    assert_eq!(live["times"], json!(["08:00"]));
}

/// A patient with a screening and a clinician who set them a program
/// (hands, twice a day, 5 days a week, 4 weeks) on 10 March 2025.
async fn with_program() -> TestApp {
    let app = patient("treated@example.org").await;
    app.screen(&self_care_intake()).await;
    let clinician = account(&app, "dr@example.org", "clinician").await;
    let granted = invite_and_accept(&app, &clinician).await;
    let person = granted["patient"].as_str().unwrap();
    let program = json!({
        "techniques": ["hands"], "sessions_per_day": 2, "days_per_week": 5, "weeks": 4,
        "note": "Gently; stop if it tingles.",
    });
    let response = clinician.put_json(&format!("/api/v1/patients/{person}/program"), &program).await;
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app
}

#[tokio::test]
async fn a_program_in_force_sets_the_limit_the_days_and_the_end() {
    let app = with_program().await;
    let (status, body) = put_calendar(&app, &json!({ "times": ["07:00", "12:00", "19:00"] })).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("times"));
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("the 2 sessions a day") && detail.contains("dr@example.org"), "{detail}");

    let path = make(&app, &["07:00", "19:00"], 0).await;
    let (_, text) = fetch(&app, &path).await;
    let calendar = parse(&text);
    // From Monday 10 March, 5 days in each week: all but its 2nd and 5th days.
    let expected = ["10", "12", "13", "15", "16", "17", "19", "20", "22", "23"];
    assert_eq!(days(&calendar), expected.map(|d| format!("202503{d}")));
    assert_eq!(calendar.events.len(), 20);
    for event in &calendar.events {
        let description = value(event, "DESCRIPTION");
        assert!(
            description.contains("set by dr@example.org: Gently\\; stop if it tingles."),
            "{description}"
        );
    }

    // Near its end (its last day is 6 April): reminders only up to then.
    app.clock().advance(Duration::days(25));
    let (_, text) = fetch(&app, &path).await;
    assert_eq!(days(&parse(&text)), ["20250405", "20250406"]);
    // Once it has ended, the feed is daily again.
    app.clock().advance(Duration::days(3));
    let (_, text) = fetch(&app, &path).await;
    let calendar = parse(&text);
    assert_eq!(calendar.events.len(), 28);
    assert!(!value(&calendar.events[0], "DESCRIPTION").contains("dr@example.org"));
}

#[tokio::test]
async fn the_fhir_bundle_holds_the_program_in_force_as_a_care_plan() {
    let app = with_program().await;
    let (status, bundle) = json_of(app.get("/api/v1/me/fhir").await).await;
    assert_eq!(status, StatusCode::OK, "{bundle}");
    let plans = fhir_resources(&bundle, "CarePlan");
    assert_eq!(plans.len(), 1, "{bundle}");
    let plan = plans[0];
    assert_eq!(plan["period"], json!({ "start": "2025-03-10", "end": "2025-04-06" }));
    assert_eq!(plan["author"]["display"], "dr@example.org");
    assert_eq!(plan["note"][0]["text"], "Gently; stop if it tingles.");
    assert_eq!(plan["activity"][0]["detail"]["scheduledTiming"]["repeat"]["frequency"], 2);

    // Without a program: no CarePlan.
    let mut other = app.visitor();
    other.sign_up("untreated@example.org").await;
    other.screen(&self_care_intake()).await;
    let (_, bundle) = json_of(other.get("/api/v1/me/fhir").await).await;
    assert!(!bundle.to_string().contains("CarePlan"), "{bundle}");
}

#[tokio::test]
async fn the_sharing_page_makes_the_address_shows_it_once_and_ends_it() {
    let app = patient("page@example.org").await;
    let (status, _, html) = text_of(app.get("/sharing").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("type=\"time\"").count(), 3, "one field per session a day allowed");
    assert!(!html.contains("calendar-revoke"), "nothing to end yet");

    let csrf = app.csrf.clone();
    let form = [("csrf", csrf.as_str()), ("utc_offset_minutes", "0")];
    let refused = app.post_form("/sharing/calendar", &[("time", "07:30")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "no csrf field");
    let times = [("time", "19:00"), ("time", ""), ("time", "07:30")];
    let pairs: Vec<(&str, &str)> = form.iter().chain(&times).copied().collect();
    let (status, _, html) = text_of(app.post_form("/sharing/calendar", &pairs).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let host = app.base.strip_prefix("http://").unwrap();
    let start = html.find(&format!("http://{host}/calendar/")).expect("the full address is shown");
    let url = html[start..].split('"').next().unwrap();
    let path = url.strip_prefix(&format!("http://{host}")).unwrap();
    assert!(html.contains(&format!("webcal://{host}{path}")), "and as webcal://");
    let (status, text) = fetch(&app, path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(starts(&parse(&text))[..2], ["20250310T073000", "20250310T190000"]);

    let (_, _, again) = text_of(app.get("/sharing").await).await;
    assert!(!again.contains(path), "shown only once");
    assert!(again.contains("at 07:30, 19:00") && again.contains("calendar-revoke"), "the live feed is named");

    let response = app.post_form("/sharing/calendar/revoke", &form[..1]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(fetch(&app, path).await, unknown_page(&app).await);
}
