//! Starting the app for a test, and talking to it.
//!
//! [`spawn_app`] serves the whole app (built with [`knead_web::build`] and
//! served with [`knead_web::serve`], so the rate limiter sees the peer
//! address) on `127.0.0.1:0` with a fresh SQLite file, the built-in content
//! pack and a test clock fixed at a known morning. [`spawn_app_on`] does
//! the same on a database URL (PostgreSQL). A [`TestApp`] is one browser:
//! a client with its own cookie jar that does not follow redirects, so a
//! test sees each 303 and where it points.

use chrono::{DateTime, Duration, TimeZone, Utc};
use knead_app::attempts::{Allowance, Allowances};
use knead_app::clock::Now;
use knead_core::pack::ContentPack;
use knead_store::any::AnyStore;
use knead_web::Config;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use uuid::Uuid;

/// The password every test account uses.
pub const PASSWORD: &str = "correct horse battery";

/// A clock the test sets: starts at [`morning`], moves only when told.
#[derive(Debug)]
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    /// A clock standing at `at`.
    pub fn at(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    /// Move the clock on.
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }
}

impl Now for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// When every test server's clock starts: 10:00 UTC on 10 March 2025.
pub fn morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 10, 10, 0, 0).unwrap()
}

/// One running server; stops when dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its clock.
    pub clock: Arc<TestClock>,
    /// The SQLite file, when the server runs on one.
    pub sqlite_file: Option<PathBuf>,
    shutdown: Option<oneshot::Sender<()>>,
    // Dropped last: the folder or database the store lives in.
    _guard: Box<dyn std::any::Any + Send + Sync>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A test's default settings: the built-in pack, the test clock, and
/// allowances per client generous enough that only the tests of them meet
/// them (every test's requests come from 127.0.0.1, and the clock stands
/// still). The allowance per account is the real one.
pub fn test_config(clock: Arc<TestClock>) -> Config {
    let mut config = Config::new(ContentPack::builtin().unwrap());
    config.now = clock;
    let lots = Allowance { attempts: NonZeroU32::new(1_000).unwrap(), window: Duration::minutes(1) };
    config.allowances = Allowances {
        sign_in_per_client: lots,
        sign_up_per_client: lots,
        invitation_per_client: lots,
        invitation_per_code: lots,
        ..Allowances::DEFAULT
    };
    config
}

/// `n` attempts a minute.
pub fn per_minute(n: u32) -> Allowance {
    Allowance { attempts: NonZeroU32::new(n).unwrap(), window: Duration::minutes(1) }
}

/// Serve `store` with `config` on a fresh port.
pub async fn serve(config: Config, store: AnyStore) -> (String, oneshot::Sender<()>) {
    serve_within(config, store, knead_web::Connections::DEFAULT).await
}

/// Serve `store` with `config` on a fresh port, holding `connections`.
/// The server stops when the sender is sent on or dropped.
pub async fn serve_within(
    config: Config,
    store: AnyStore,
    connections: knead_web::Connections,
) -> (String, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let app = knead_web::build(config, store);
    tokio::spawn(async move {
        knead_web::serve(listener, app, connections, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    (base, tx)
}

/// The app on a fresh SQLite file, with the default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// The app on a fresh SQLite file, with settings changed by `adjust`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("knead.db");
    let store = AnyStore::open(&format!("sqlite://{}", file.display())).await.unwrap();
    let clock = Arc::new(TestClock(Mutex::new(morning())));
    let mut config = test_config(clock.clone());
    adjust(&mut config);
    let (base, tx) = serve(config, store).await;
    let server = Server { base, clock, sqlite_file: Some(file), shutdown: Some(tx), _guard: Box::new(dir) };
    TestApp::new(Arc::new(server))
}

/// The app on the database at `url` (kept alive by `guard`), with its own
/// clock starting at [`morning`].
pub async fn spawn_app_on(url: &str, guard: impl std::any::Any + Send + Sync) -> TestApp {
    let clock = Arc::new(TestClock(Mutex::new(morning())));
    spawn_app_on_with_clock(url, guard, clock).await
}

/// As [`spawn_app_on`], with a given clock (two servers can share one).
pub async fn spawn_app_on_with_clock(
    url: &str,
    guard: impl std::any::Any + Send + Sync,
    clock: Arc<TestClock>,
) -> TestApp {
    spawn_app_on_with(url, guard, clock, |_| {}).await
}

/// As [`spawn_app_on_with_clock`], with settings changed by `adjust`.
pub async fn spawn_app_on_with(
    url: &str,
    guard: impl std::any::Any + Send + Sync,
    clock: Arc<TestClock>,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let store = AnyStore::open(url).await.unwrap();
    let mut config = test_config(clock.clone());
    adjust(&mut config);
    let (base, tx) = serve(config, store).await;
    let server = Server { base, clock, sqlite_file: None, shutdown: Some(tx), _guard: Box::new(guard) };
    TestApp::new(Arc::new(server))
}

/// One visitor of a server: a browser with a cookie jar.
pub struct TestApp {
    /// The server.
    pub server: Arc<Server>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The browser: keeps cookies, does not follow redirects.
    pub client: Client,
    /// The anti-forgery token of the current sign-in.
    pub csrf: String,
    /// The sign-in cookie's token (the secret in `Set-Cookie`).
    pub token: String,
}

/// A client with a cookie jar that does not follow redirects.
pub fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

impl TestApp {
    fn new(server: Arc<Server>) -> Self {
        Self {
            base: server.base.clone(),
            server,
            client: browser(),
            csrf: String::new(),
            token: String::new(),
        }
    }

    /// Another visitor of the same server, with an empty cookie jar.
    pub fn visitor(&self) -> TestApp {
        TestApp::new(self.server.clone())
    }

    /// The server's clock.
    pub fn clock(&self) -> &TestClock {
        &self.server.clock
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// POST `body` as JSON to `path`, with this sign-in's X-CSRF-Token.
    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).header("x-csrf-token", &self.csrf).json(body).send().await.unwrap()
    }

    /// PUT `body` as JSON to `path`, with this sign-in's X-CSRF-Token.
    pub async fn put_json(&self, path: &str, body: &Value) -> Response {
        self.client.put(self.url(path)).header("x-csrf-token", &self.csrf).json(body).send().await.unwrap()
    }

    /// POST a form to `path` (pairs may repeat a name).
    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> Response {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        self.client
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// The anti-forgery token, as `GET /api/v1/me` tells it.
    pub async fn csrf(&self) -> String {
        let (status, me) = json_of(self.get("/api/v1/me").await).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        me["csrf"].as_str().unwrap().to_owned()
    }

    /// Sign up `email` through the API (asserting 202, the answer that
    /// does not tell whether the address was taken), then sign in and
    /// keep the sign-in's tokens; the sign-in's body.
    pub async fn sign_up(&mut self, email: &str) -> Value {
        self.sign_up_as(email, "patient").await
    }

    /// [`TestApp::sign_up`] with a role (`patient` or `clinician`).
    pub async fn sign_up_as(&mut self, email: &str, role: &str) -> Value {
        let account = json!({ "email": email, "password": PASSWORD, "role": role });
        let (status, body) = json_of(self.post_json("/api/v1/accounts", &account).await).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        self.sign_in(email).await
    }

    /// Sign up `email` on a server that tells taken addresses (asserting
    /// 201, signed in at once) and keep the sign-in's tokens.
    pub async fn sign_up_told(&mut self, email: &str) -> Value {
        let response =
            self.post_json("/api/v1/accounts", &json!({ "email": email, "password": PASSWORD })).await;
        self.keep_sign_in(response, StatusCode::CREATED).await
    }

    /// Sign in through the API (asserting 200) and keep the tokens.
    pub async fn sign_in(&mut self, email: &str) -> Value {
        let response =
            self.post_json("/api/v1/sign-in", &json!({ "email": email, "password": PASSWORD })).await;
        self.keep_sign_in(response, StatusCode::OK).await
    }

    async fn keep_sign_in(&mut self, response: Response, expected: StatusCode) -> Value {
        let cookie = set_cookie(&response).unwrap_or_default();
        let (status, body) = json_of(response).await;
        assert_eq!(status, expected, "{body}");
        self.csrf = body["csrf"].as_str().unwrap().to_owned();
        self.token = cookie_value(&cookie, "knead").unwrap();
        body
    }

    /// Screen `intake` under a fresh id (asserting 201); the screening.
    pub async fn screen(&self, intake: &Value) -> Value {
        let id = Uuid::now_v7();
        let (status, body) =
            json_of(self.post_json("/api/v1/screenings", &json!({ "id": id, "intake": intake })).await).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// A plan (hands only) from screening `id`: status and body.
    pub async fn plan(&self, screening: &Value) -> (StatusCode, Value) {
        json_of(self.post_json("/api/v1/plans", &json!({ "screening": screening })).await).await
    }

    /// PUT a whole session: status and body.
    pub async fn put_session(&self, session: &Value) -> (StatusCode, Value) {
        let id = session["id"].as_str().unwrap();
        json_of(self.put_json(&format!("/api/v1/sessions/{id}"), session).await).await
    }

    /// Screen a self-care intake, plan from it and keep the whole session,
    /// started at `started_at` with `pain_before`; the session kept.
    pub async fn record_session(&self, started_at: DateTime<Utc>, pain_before: u8) -> Value {
        let screening = self.screen(&self_care_intake()).await;
        let (status, plan) = self.plan(&screening["id"]).await;
        assert_eq!(status, StatusCode::OK, "{plan}");
        let session = session_from_plan(&plan, started_at, pain_before, Some(pain_before));
        let (status, body) = self.put_session(&session).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        session
    }
}

/// A new account of `role` (`patient` or `clinician`) on `app`'s server,
/// signed in, in a browser of its own.
pub async fn account(app: &TestApp, email: &str, role: &str) -> TestApp {
    let mut who = app.visitor();
    who.sign_up_as(email, role).await;
    who
}

/// `owner` invites and `clinician` accepts; what the clinician is told.
pub async fn invite_and_accept(owner: &TestApp, clinician: &TestApp) -> Value {
    let (status, invitation) = json_of(owner.post_json("/api/v1/invitations", &json!({})).await).await;
    assert_eq!(status, StatusCode::CREATED, "{invitation}");
    let accept = json!({ "code": invitation["code"] });
    let (status, patient) = json_of(clinician.post_json("/api/v1/invitations/accept", &accept).await).await;
    assert_eq!(status, StatusCode::CREATED, "{patient}");
    patient
}

/// The status and the body as JSON (`Value::Null` when it is not JSON).
pub async fn json_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The status, content type and text of a response.
pub async fn text_of(response: Response) -> (StatusCode, String, String) {
    let status = response.status();
    let kind = header(&response, "content-type");
    (status, kind, response.text().await.unwrap())
}

/// The resources of `kind` in a FHIR bundle, in its order.
pub fn fhir_resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    let entries = bundle["entry"].as_array().map(Vec::as_slice).unwrap_or_default();
    entries.iter().map(|e| &e["resource"]).filter(|r| r["resourceType"] == kind).collect()
}

/// A header's value, or "" when it is missing.
pub fn header(response: &Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

/// The first `Set-Cookie` of a response.
pub fn set_cookie(response: &Response) -> Option<String> {
    response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// The value of cookie `name` in a `Set-Cookie` line.
pub fn cookie_value(set_cookie: &str, name: &str) -> Option<String> {
    let first = set_cookie.split(';').next()?;
    let (k, v) = first.trim().split_once('=')?;
    (k == name).then(|| v.to_owned())
}

/// Assert a problem details answer: its status and its `field`.
pub fn assert_problem(status: StatusCode, body: &Value, expected: StatusCode, field: Option<&str>) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["status"], json!(expected.as_u16()), "{body}");
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "a problem has a title: {body}");
    assert_eq!(body["field"].as_str(), field, "{body}");
}

/// A self-care intake (vignette V092: mechanical pain, no warning signs).
pub fn self_care_intake() -> Value {
    json!({
        "age_years": 32,
        "pain": {
            "intensity": 5, "duration_days": 10, "onset": "gradual", "after_trauma": false,
            "character": ["aching"], "pattern": ["worse_with_movement", "eases_with_rest"], "radiates_to": []
        },
        "symptoms": [], "history": [], "skin_at_site": [], "equipment": [], "helper_available": false
    })
}

/// An emergency intake (vignette V003: pain spreading to the jaw, a
/// heart-attack pattern).
pub fn emergency_intake() -> Value {
    let mut intake = self_care_intake();
    intake["age_years"] = json!(55);
    intake["pain"]["intensity"] = json!(4);
    intake["pain"]["duration_days"] = json!(1);
    intake["pain"]["radiates_to"] = json!(["jaw"]);
    intake
}

/// An urgent intake (vignette V020: fever).
pub fn urgent_intake() -> Value {
    let mut intake = self_care_intake();
    intake["symptoms"] = json!(["fever"]);
    intake
}

/// A see-a-doctor-first intake (vignette V046: severe pain, 7/10).
pub fn see_doctor_first_intake() -> Value {
    let mut intake = self_care_intake();
    intake["pain"]["intensity"] = json!(7);
    intake
}

/// A whole, completed session that followed `plan` (an answer of
/// `POST /api/v1/plans`) segment by segment from `started_at`: one step
/// per working segment of the timeline, usage added up from them.
pub fn session_from_plan(plan: &Value, started_at: DateTime<Utc>, before: u8, after: Option<u8>) -> Value {
    let items = plan["plan"]["items"].as_array().unwrap();
    let mut at = started_at;
    let mut steps = vec![];
    let mut usage = serde_json::Map::new();
    for slot in plan["timeline"].as_array().unwrap() {
        let seconds = slot["seconds"].as_i64().unwrap();
        let end = at + Duration::seconds(seconds);
        if slot["work"] == json!(true) {
            let item = &items[usize::try_from(slot["item"].as_u64().unwrap()).unwrap()];
            let step = &item["steps"][usize::try_from(slot["step"].as_u64().unwrap()).unwrap()];
            let technique = item["technique"].as_str().unwrap();
            steps.push(json!({
                "technique": technique,
                "step_id": step["id"],
                "started_at": at,
                "ended_at": end,
                "active_seconds": seconds,
                "outcome": "done",
            }));
            let total = usage.entry(technique.to_owned()).or_insert(json!(0));
            *total = json!(total.as_i64().unwrap() + seconds);
        }
        at = end;
    }
    assert!(!steps.is_empty(), "the plan has working segments: {plan}");
    json!({
        "id": Uuid::now_v7(),
        "screening_id": plan["screening"],
        "started_at": started_at,
        "ended_at": at,
        "status": "completed",
        "stop_reason": null,
        "plan": plan["plan"],
        "steps": steps,
        "usage": usage,
        "pain_before": before,
        "pain_after": after,
        "region": null,
        "note": null,
        "pack_version": plan["plan"]["pack_version"],
    })
}
