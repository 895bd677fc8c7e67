//! The patient's path in a real browser: Debian's headless Chromium driven
//! through chromedriver (WebDriver) with fantoccini. Each test gets its own
//! server on a fresh SQLite file; screenshots of the main pages are kept in
//! `target/browser-screenshots/` to be looked at.
//!
//! Going offline is real: the server is shut down mid-session and started
//! again on the same port and file, so the page's requests fail exactly as
//! they would with no network.

use fantoccini::{Client, ClientBuilder, Locator};
use knead_core::pack::ContentPack;
use knead_store::any::AnyStore;
use serde_json::{Value, json};
use std::net::{SocketAddr, TcpListener as StdListener};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// How a server sends notices: e-mail, pushes, both or neither.
#[derive(Clone, Default)]
pub(super) struct Notices {
    pub(super) mail: Option<knead_web::mailer::MailSettings>,
    pub(super) push: Option<knead_web::push::PushSettings>,
}

/// A server that can be stopped and started again on the same port and file.
pub(super) struct Server {
    addr: SocketAddr,
    db: PathBuf,
    notices: Notices,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    async fn start(db: &Path, addr: SocketAddr, notices: Notices) -> Server {
        let store = AnyStore::open(&format!("sqlite://{}", db.display())).await.unwrap();
        let mut config = knead_web::Config::new(ContentPack::builtin().unwrap());
        config.mail = notices.mail.clone();
        config.push = notices.push.clone();
        let app = knead_web::build(config, store.clone());
        let listener = TcpListener::bind(addr).await.unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            knead_web::serve(listener, app, knead_web::Connections::DEFAULT, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
            store.close().await;
        });
        Server { addr, db: db.to_owned(), notices, stop: Some(stop), task: Some(task) }
    }

    async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

pub(super) fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// chromedriver on a free port, in a process group of its own with the
/// browsers it starts: dropped, the whole group is killed, so no Chromium
/// outlives its test (killing chromedriver alone left them running, orphaned,
/// when a session was still open).
pub(super) struct Driver(Child, u16);

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

pub(super) async fn browser() -> (Driver, Client) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is needed for the browser tests: bash .ci/deps installs it");
    let driver = Driver(child, port);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let caps = json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            // A phone-sized window.
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=390,844",
                "--disable-crash-reporter", "--disable-background-networking", "--disable-component-update"]
        }
    });
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&format!("http://127.0.0.1:{}", driver.1))
        .await
        .unwrap();
    (driver, client)
}

/// Make the page's viewport `width` × `height` CSS pixels: WebDriver sizes
/// the window, which in headless Chromium is larger than the page by its
/// (invisible) frame, so the frame is measured and added.
pub(super) async fn viewport(client: &Client, width: u32, height: u32) {
    client.set_window_size(width, height).await.unwrap();
    let inner = client.execute("return [innerWidth, innerHeight];", vec![]).await.unwrap();
    let [w, h]: [u32; 2] = serde_json::from_value(inner).unwrap();
    client.set_window_size(2 * width - w.min(width), 2 * height - h.min(height)).await.unwrap();
}

pub(super) async fn shot(client: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), client.screenshot().await.unwrap()).unwrap();
}

pub(super) async fn click(client: &Client, css: &str) {
    wait_for(client, css).await.click().await.unwrap();
}

pub(super) async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

/// Waits until nothing matches `css`: the page it was on has been left.
async fn wait_gone(client: &Client, css: &str) {
    for _ in 0..200 {
        if client.find(Locator::Css(css)).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} is still there after 20 s");
}

pub(super) async fn fill(client: &Client, css: &str, text: &str) {
    let field = wait_for(client, css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn path(client: &Client) -> String {
    client.current_url().await.unwrap().path().to_owned()
}

pub(super) async fn sign_up(client: &Client, server: &Server, email: &str) {
    client.goto(&server.url("/signup")).await.unwrap();
    shot(client, "signup").await;
    fill(client, "#email", email).await;
    fill(client, "#password", "a long enough password").await;
    click(client, "#submit").await;
    sign_in_after_sign_up(client, email).await;
    client.goto(&server.url("/check")).await.unwrap();
    wait_for(client, "#check").await;
}

/// The page a sign-up answers with: the sign-in form, the address filled
/// in, and what happened; sign in on it.
async fn sign_in_after_sign_up(client: &Client, email: &str) {
    let notice = wait_for(client, ".notice").await.text().await.unwrap();
    assert!(notice.contains("sign in now"), "{notice}");
    let filled = wait_for(client, "#email").await.prop("value").await.unwrap();
    assert_eq!(filled.as_deref(), Some(email));
    fill(client, "#password", "a long enough password").await;
    click(client, "#submit").await;
    // The sign-in lands on home or the clinic; until it does, the cookie
    // may not be set and a next `goto` would be sent to sign in again.
    for _ in 0..200 {
        if !matches!(path(client).await.as_str(), "/signup" | "/signin") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("signing in as {email} did not leave the sign-in page");
}

/// Answer the questions: an ache of 4/10 for ten days, and `extra` ticks.
pub(super) async fn answer(client: &Client, extra: &[&str]) {
    client
        .goto(&format!("{}/check", client.current_url().await.unwrap().origin().ascii_serialization()))
        .await
        .unwrap();
    fill(client, "#age_years", "42").await;
    fill(client, "#intensity", "4").await;
    fill(client, "#duration_days", "10").await;
    for tick in extra {
        click(client, &format!("input[value='{tick}']")).await;
    }
    click(client, "#screen").await;
    wait_for(client, "#result").await;
}

pub(super) struct Fixture {
    _dir: tempfile::TempDir,
    _driver: Driver,
    pub(super) client: Client,
    pub(super) server: Server,
}

pub(super) async fn fixture() -> Fixture {
    fixture_notifying(Notices::default()).await
}

/// A fixture whose server sends notices as `notices` says.
pub(super) async fn fixture_notifying(notices: Notices) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let server = Server::start(&dir.path().join("server.sqlite3"), addr, notices).await;
    let (driver, client) = browser().await;
    Fixture { _dir: dir, _driver: driver, client, server }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emergency_screening_offers_no_session() {
    let f = fixture().await;
    sign_up(&f.client, &f.server, "ann@example.org").await;
    shot(&f.client, "check").await;
    answer(&f.client, &["jaw"]).await;
    shot(&f.client, "result-emergency").await;
    let result = f.client.find(Locator::Css("#result")).await.unwrap();
    assert_eq!(result.attr("class").await.unwrap().as_deref(), Some("result result-emergency"));
    assert_eq!(result.attr("role").await.unwrap().as_deref(), Some("alert"));
    assert!(result.text().await.unwrap().to_lowercase().contains("emergency"));
    assert!(f.client.find(Locator::Css("#make-plan")).await.is_err(), "no plan is offered");
    // One tap calls for help.
    let call = f.client.find(Locator::Css("#call-emergency")).await.unwrap();
    assert_eq!(call.attr("href").await.unwrap().as_deref(), Some("tel:112"));
    assert!(call.text().await.unwrap().contains("Call 112"));
    f.client.close().await.unwrap();
}

/// Sign up, screen, plan, run the guided session (sped up), pain after,
/// then history and progress show it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guided_session_from_screening_to_progress() {
    let f = fixture().await;
    let c = &f.client;
    sign_up(c, &f.server, "bo@example.org").await;
    answer(c, &[]).await;
    shot(c, "result-self-care").await;
    click(c, "input[name='equipment'][value='foam_roller']").await;
    click(c, "#make-plan").await;
    wait_for(c, "#start").await;
    shot(c, "plan").await;
    click(c, "#start").await;
    wait_for(c, "#pain-before-4").await;
    c.execute(
        "localStorage.setItem('knead-time-scale', '400'); localStorage.setItem('knead-voice', 'off');",
        vec![],
    )
    .await
    .unwrap();
    c.refresh().await.unwrap();
    click(c, "#pain-before-4").await;
    shot(c, "session-before").await;
    click(c, "#start-session").await;
    wait_for(c, "#timer").await;
    shot(c, "session-running").await;
    click(c, "#pain-after-2").await;
    shot(c, "session-after").await;
    let after = c.find(Locator::Css("#session")).await.unwrap().text().await.unwrap();
    assert!(!after.contains("null"), "nothing missing is printed: {after}");
    click(c, "#save").await;
    wait_for(c, "#saved").await;
    shot(c, "session-saved").await;

    c.goto(&f.server.url("/history")).await.unwrap();
    let table = wait_for(c, "table tbody").await.text().await.unwrap();
    assert!(table.contains("4 → 2") && table.contains("finished"), "{table}");
    // Every column on a phone's screen: nothing hides in a sideways scroll.
    let fits = c
        .execute(
            "const r = document.querySelector('.table-scroll'); return r.scrollWidth <= r.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fits, json!(true), "the history table is wider than the phone");
    shot(c, "history").await;
    c.goto(&f.server.url("/progress")).await.unwrap();
    wait_for(c, "figure img").await;
    // A phone gets the chart drawn for its width, with text it can read.
    let src = c
        .execute("const i = document.querySelector('figure img'); return i.complete && i.currentSrc;", vec![])
        .await
        .unwrap();
    assert!(src.as_str().is_some_and(|s| s.ends_with("/progress.svg?size=phone")), "{src}");
    shot(c, "progress").await;
    c.clone().close().await.unwrap();
}

/// The connection goes mid-session: the session is kept on the phone, and
/// sent once the server is back, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_recorded_offline_syncs_once_when_back() {
    let mut f = fixture().await;
    let c = &f.client;
    sign_up(c, &f.server, "cy@example.org").await;
    answer(c, &[]).await;
    click(c, "#make-plan").await;
    click(c, "#start").await;
    wait_for(c, "#pain-before-5").await;
    c.execute(
        "localStorage.setItem('knead-time-scale', '60'); localStorage.setItem('knead-voice', 'off');",
        vec![],
    )
    .await
    .unwrap();
    c.refresh().await.unwrap();
    click(c, "#pain-before-5").await;
    click(c, "#start-session").await;
    wait_for(c, "#timer").await;

    // Offline: the server goes away mid-session.
    f.server.stop().await;
    click(c, "#pain-after-3").await;
    click(c, "#save").await;
    let said = wait_for(c, "#saved").await.text().await.unwrap();
    assert!(said.to_lowercase().contains("online"), "the page says it will send later: {said}");
    let outbox = c
        .execute(
            "return Object.keys(JSON.parse(localStorage.getItem('knead-outbox') || '{}')).length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(outbox, json!(1), "one session waits on the phone");
    shot(c, "session-offline").await;

    // Back online: the next page sends it.
    let (addr, db) = (f.server.addr, f.server.db.clone());
    f.server = Server::start(&db, addr, f.server.notices.clone()).await;
    let c = &f.client;
    c.goto(&f.server.url("/history")).await.unwrap();
    for _ in 0..100 {
        let left = c
            .execute(
                "return Object.keys(JSON.parse(localStorage.getItem('knead-outbox') || '{}')).length",
                vec![],
            )
            .await
            .unwrap();
        if left == json!(0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Load twice more: nothing is sent twice.
    c.goto(&f.server.url("/")).await.unwrap();
    c.goto(&f.server.url("/history")).await.unwrap();
    let rows = c.find_all(Locator::Css("table tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 1, "the session arrived once");
    let row = rows[0].text().await.unwrap();
    assert!(row.contains("5 → 3"), "{row}");
    c.clone().close().await.unwrap();
}

/// Sign up as a clinician: the role is chosen on the same form.
pub(super) async fn sign_up_clinician(client: &Client, server: &Server, email: &str) {
    client.goto(&server.url("/signup")).await.unwrap();
    fill(client, "#email", email).await;
    fill(client, "#password", "a long enough password").await;
    click(client, "input[name='role'][value='clinician']").await;
    click(client, "#submit").await;
    sign_in_after_sign_up(client, email).await;
    wait_for(client, "#code").await;
    assert_eq!(path(client).await, "/clinic");
}

/// An API client signed in as the browser's user (its cookie and token).
async fn api_as(client: &Client, server: &Server) -> (reqwest::Client, String) {
    let cookie = client.get_named_cookie("knead").await.unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", format!("knead={}", cookie.value()).parse().unwrap());
    let api = reqwest::Client::builder().default_headers(headers).build().unwrap();
    let me: serde_json::Value = api.get(server.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
    (api, me["csrf"].as_str().unwrap().to_owned())
}

/// Two people, two browsers: the patient invites, the clinician accepts and
/// assigns a program, the patient's pain rises and a guided session is
/// recorded, the clinician's list flags it first; the patient ends the
/// access and the clinician sees nothing more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clinician_follows_a_patient_from_invitation_to_revocation() {
    let f = fixture().await;
    let (patient, server) = (&f.client, &f.server);
    let (_clinic_driver, clinician) = browser().await;

    sign_up(patient, server, "pat@example.org").await;
    answer(patient, &[]).await;
    patient.goto(&server.url("/sharing")).await.unwrap();
    click(patient, "#invite").await;
    let code = wait_for(patient, "#invitation-code").await.text().await.unwrap();
    shot(patient, "sharing-invitation").await;

    // Another patient the clinician also follows, with nothing wrong.
    let (calm, _calm_driver) = {
        let (driver, calm) = browser().await;
        sign_up(&calm, server, "calm@example.org").await;
        calm.goto(&server.url("/sharing")).await.unwrap();
        click(&calm, "#invite").await;
        (calm, driver)
    };
    let calm_code = wait_for(&calm, "#invitation-code").await.text().await.unwrap();

    sign_up_clinician(&clinician, server, "dr.lee@example.org").await;
    for code in [&calm_code, &code] {
        clinician.goto(&server.url("/clinic")).await.unwrap();
        fill(&clinician, "#code", code).await;
        click(&clinician, "#accept").await;
        wait_for(&clinician, "#assign").await;
    }
    let record = path(&clinician).await;
    click(&clinician, "#assign input[value='hands']").await;
    fill(&clinician, "#sessions_per_day", "2").await;
    fill(&clinician, "#note", "Gently, twice a day.").await;
    click(&clinician, "#assign button[type='submit']").await;
    let notice = wait_for(&clinician, "#outcome").await.text().await.unwrap();
    assert!(notice.contains("program is set"), "{notice}");
    // The program's steps, each with its figure and the words for it.
    let alts = clinician
        .execute("return [...document.querySelectorAll('.steps img.figure')].map((i) => i.alt);", vec![])
        .await
        .unwrap();
    let alts = alts.as_array().unwrap();
    assert_eq!(alts.len(), 4, "the knuckle massage's four steps: {alts:?}");
    assert!(alts.iter().all(|a| a.as_str().is_some_and(|a| a.len() > 20)), "{alts:?}");

    // Two earlier days through the API: 3/10 at the start, 6/10 yesterday.
    let (api, csrf) = api_as(patient, server).await;
    let screenings: serde_json::Value =
        api.get(server.url("/api/v1/screenings")).send().await.unwrap().json().await.unwrap();
    let plan: serde_json::Value = api
        .post(server.url("/api/v1/plans"))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "screening": screenings[0]["id"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let techniques: Vec<&str> =
        plan["plan"]["items"].as_array().unwrap().iter().map(|i| i["technique"].as_str().unwrap()).collect();
    assert_eq!(techniques, ["hands"], "the plan follows the program: {plan}");
    let now = knead_app::clock::Now::now(&knead_app::clock::SystemNow);
    for (days_ago, pain) in [(2, 3), (1, 6)] {
        let session = crate::support::session_from_plan(
            &plan,
            now - chrono::Duration::days(days_ago),
            pain,
            Some(pain),
        );
        let id = session["id"].as_str().unwrap().to_owned();
        let response = api
            .put(server.url(&format!("/api/v1/sessions/{id}")))
            .header("x-csrf-token", &csrf)
            .json(&session)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }

    // Today, guided in the browser: 6/10 before and after.
    answer(patient, &[]).await;
    click(patient, "#make-plan").await;
    click(patient, "#start").await;
    wait_for(patient, "#pain-before-6").await;
    patient
        .execute(
            "localStorage.setItem('knead-time-scale', '400'); localStorage.setItem('knead-voice', 'off');",
            vec![],
        )
        .await
        .unwrap();
    patient.refresh().await.unwrap();
    click(patient, "#pain-before-6").await;
    click(patient, "#start-session").await;
    click(patient, "#pain-after-6").await;
    click(patient, "#save").await;
    wait_for(patient, "#saved").await;

    // The clinician's list: the worsening patient first, flagged.
    clinician.goto(&server.url("/clinic")).await.unwrap();
    let rows = clinician.find_all(Locator::Css("#patients > li")).await.unwrap();
    assert_eq!(rows.len(), 2);
    let first = rows[0].text().await.unwrap();
    assert!(first.contains("pat@example.org") && first.contains("worse"), "{first}");
    assert_eq!(rows[0].attr("class").await.unwrap().as_deref(), Some("attention-pain"));
    assert!(rows[1].text().await.unwrap().contains("calm@example.org"));
    shot(&clinician, "clinic-dashboard").await;
    clinician.goto(&server.url(&record)).await.unwrap();
    let page = wait_for(&clinician, "main").await.text().await.unwrap();
    assert!(page.contains("Started at 3/10") && page.contains("since the program began: 1 of 1"), "{page}");
    shot(&clinician, "clinic-patient").await;
    // The patient's own chart, drawn for the record.
    let drawn = clinician
        .execute(
            "const img = document.querySelector('main figure img'); img.scrollIntoView(); \
             return img.complete && img.naturalWidth > 0;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(drawn, json!(true), "the chart loads on the record");
    shot(&clinician, "clinic-patient-chart").await;

    // The patient sees who looked, and ends the access.
    patient.goto(&server.url("/sharing")).await.unwrap();
    let log = wait_for(patient, "#audit").await.text().await.unwrap();
    assert!(log.contains("dr.lee@example.org") && log.contains("looked at your record"), "{log}");
    click(patient, "button[aria-label='End access for dr.lee@example.org']").await;
    wait_gone(patient, "button[aria-label='End access for dr.lee@example.org']").await;
    shot(patient, "sharing-revoked").await;
    clinician.goto(&server.url(&record)).await.unwrap();
    let gone = wait_for(&clinician, "main").await.text().await.unwrap();
    assert!(gone.contains("Not found") && !gone.contains("pat@example.org"), "{gone}");
    clinician.goto(&server.url("/clinic")).await.unwrap();
    let rows = clinician.find_all(Locator::Css("#patients > li")).await.unwrap();
    assert_eq!(rows.len(), 1, "only the patient who still shares");

    clinician.close().await.unwrap();
    calm.close().await.unwrap();
    patient.clone().close().await.unwrap();
}

// ---------------------------------------------------------------------
// A session carried across a reload

/// Speed the session page's clock up `scale` times and keep the voice
/// quiet; the page reads both when it loads.
async fn time_scale(client: &Client, scale: u32) {
    client
        .execute(
            &format!("localStorage.setItem('knead-time-scale', '{scale}'); localStorage.setItem('knead-voice', 'off');"),
            vec![],
        )
        .await
        .unwrap();
}

/// From the result page: plan with `equipment`, start, answer pain
/// `before`, and run the session `scale` times faster.
async fn start_guided(client: &Client, equipment: &[&str], before: u8, scale: u32) {
    for item in equipment {
        click(client, &format!("input[name='equipment'][value='{item}']")).await;
    }
    click(client, "#make-plan").await;
    click(client, "#start").await;
    wait_for(client, &format!("#pain-before-{before}")).await;
    time_scale(client, scale).await;
    client.refresh().await.unwrap();
    click(client, &format!("#pain-before-{before}")).await;
    click(client, "#start-session").await;
}

/// What the player shows: the step ("Step 8 of 9"), and how far this step
/// and the whole session are, in thousandths; None off the player.
async fn player_at(client: &Client) -> Option<(String, u64, u64)> {
    let seen = client
        .execute(
            "const el = (id) => document.getElementById(id);
             return el('step-count')
               ? [el('step-count').textContent, el('step-progress').value, el('session-progress').value]
               : null;",
            vec![],
        )
        .await
        .unwrap();
    let seen = seen.as_array()?;
    Some((seen[0].as_str()?.to_owned(), seen[1].as_u64()?, seen[2].as_u64()?))
}

/// Wait until the player is at `step` and at least `permille` of the way through it.
async fn wait_into(client: &Client, step: &str, permille: u64) -> (String, u64, u64) {
    for _ in 0..1200 {
        if let Some(at) = player_at(client).await.filter(|(s, done, _)| s == step && *done >= permille) {
            return at;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the player never got {permille}‰ into {step}: {:?}", player_at(client).await);
}

/// The person's sessions through the API, oldest first, each in full.
async fn sessions_of(client: &Client, server: &Server) -> Vec<serde_json::Value> {
    let (api, _) = api_as(client, server).await;
    let list: serde_json::Value =
        api.get(server.url("/api/v1/sessions")).send().await.unwrap().json().await.unwrap();
    let mut sessions = Vec::new();
    for summary in list.as_array().unwrap() {
        let id = summary["id"].as_str().unwrap();
        let url = server.url(&format!("/api/v1/sessions/{id}"));
        sessions.push(api.get(url).send().await.unwrap().json().await.unwrap());
    }
    sessions
}

/// Reloading mid-session (a discarded tab, a tap on reload) neither starts
/// the session again nor forgets the work done: the page offers to carry
/// on, comes back paused at the step it was in, and the massage gun's
/// minutes from before each reload count against its cap. Three reloads,
/// each well into the gun's longest step (180 s), repeat more work than the
/// cap leaves (600 s, with 285 s planned), so the cap must end the gun
/// in that step, and the journal gets one session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reloaded_session_carries_on_paused_and_within_its_caps() {
    let f = fixture().await;
    let c = &f.client;
    sign_up(c, &f.server, "di@example.org").await;
    answer(c, &[]).await;
    start_guided(c, &["massage_gun"], 6, 30).await;

    for round in 0..3 {
        // Step 8 is the gun's "adjust": 70% of it is at least two minutes.
        let (step, _, session_before) = wait_into(c, "Step 8 of 9", 700).await;
        if round == 2 {
            time_scale(c, 400).await; // the rest of the session, quickly
        }
        c.refresh().await.unwrap();
        let offer = wait_for(c, "#resume-offer").await.text().await.unwrap();
        assert!(offer.contains("step 8 of 9"), "{offer}");
        assert!(c.find(Locator::Css("#pain-before-6")).await.is_err(), "no fresh start");
        if round == 0 {
            shot(c, "session-resume-offer").await;
        }
        click(c, "#resume-session").await;

        let (after, _, session_after) = player_at(c).await.unwrap();
        assert_eq!(after, step, "back at the step it was in");
        assert!(
            session_after > 500 && session_after <= session_before,
            "the whole session's progress is back at this step's start: {session_after}‰ (was {session_before}‰)"
        );
        let pause = c.find(Locator::Css("#pause")).await.unwrap();
        assert_eq!(pause.text().await.unwrap(), "Resume");
        assert_eq!(pause.attr("aria-pressed").await.unwrap().as_deref(), Some("true"));
        assert!(c.find(Locator::Css("#paused-note")).await.unwrap().is_displayed().await.unwrap());
        let timer = c.find(Locator::Css("#timer")).await.unwrap().text().await.unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
        let still = c.find(Locator::Css("#timer")).await.unwrap().text().await.unwrap();
        assert_eq!(still, timer, "paused: the clock does not run");
        let said = c.find(Locator::Css("#announce")).await.unwrap().prop("textContent").await.unwrap();
        let said = said.unwrap_or_default();
        assert!(said.contains("Welcome back") && said.contains("paused"), "announced: {said}");
        if round == 0 {
            shot(c, "session-resumed").await;
        }
        click(c, "#pause").await;
    }

    click(c, "#pain-after-3").await;
    click(c, "#save").await;
    wait_for(c, "#saved").await;
    assert_eq!(
        c.execute("return localStorage.getItem('knead-current-session')", vec![]).await.unwrap(),
        json!(null),
        "nothing left to carry on once saved"
    );

    let sessions = sessions_of(c, &f.server).await;
    assert_eq!(sessions.len(), 1, "one session, however many reloads: {sessions:?}");
    let session = &sessions[0];
    assert_eq!(session["status"], "completed");
    assert_eq!(session["pain_before"], 6, "the answer given before the reloads");
    for item in session["plan"]["items"].as_array().unwrap() {
        let technique = item["technique"].as_str().unwrap();
        let used = session["usage"][technique].as_u64().unwrap_or(0);
        let cap = item["cap_seconds"].as_u64().unwrap();
        assert!(used <= cap, "{technique}: {used} s used, more than its cap of {cap} s");
    }
    let gun: Vec<(&str, &str, u64)> = session["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["technique"] == "electric_massager")
        .map(|s| {
            (
                s["step_id"].as_str().unwrap(),
                s["outcome"].as_str().unwrap(),
                s["active_seconds"].as_u64().unwrap(),
            )
        })
        .collect();
    let [.., (cut, cut_outcome, _), closing] = gun.as_slice() else { panic!("the gun's steps: {gun:?}") };
    assert_eq!(
        (*cut, *cut_outcome),
        ("adjust", "cut_at_limit"),
        "the work before the reloads counted: the cap ended the gun's massage ({gun:?})"
    );
    assert_eq!(
        *closing,
        ("switch-off", "done", 0),
        "the cap leads on to switching the gun off, which is not massage ({gun:?})"
    );
    c.clone().close().await.unwrap();
}

/// After a reload, "End it here" keeps the session as stopped, with the
/// steps done and the pain given before the reload. A session left for
/// longer than two hours is not offered again: the next visit saves it as
/// interrupted, says so, and plans afresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reloaded_session_can_end_there_and_an_old_one_is_kept_as_interrupted() {
    let f = fixture().await;
    let c = &f.client;
    sign_up(c, &f.server, "ed@example.org").await;
    answer(c, &[]).await;
    // Pain under 7: a reading of 7 would stop the next plan (§4, severe).
    start_guided(c, &[], 6, 40).await;
    wait_into(c, "Step 3 of 4", 300).await;
    c.refresh().await.unwrap();
    click(c, "#end-session").await;
    let title = wait_for(c, "#session-title").await.text().await.unwrap();
    assert_eq!(title, "Session stopped");
    click(c, "#pain-after-5").await;
    click(c, "#save").await;
    wait_for(c, "#saved").await;

    let sessions = sessions_of(c, &f.server).await;
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let stopped = &sessions[0];
    assert_eq!(stopped["status"], "stopped");
    assert_eq!((stopped["pain_before"].clone(), stopped["pain_after"].clone()), (json!(6), json!(5)));
    let outcomes: Vec<&str> =
        stopped["steps"].as_array().unwrap().iter().map(|s| s["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["done", "done", "stopped"], "what was done, up to the step it ended in");

    // Another session, left on another page for more than two hours.
    answer(c, &[]).await;
    click(c, "#make-plan").await;
    click(c, "#start").await;
    click(c, "#pain-before-3").await;
    let session_page = c.current_url().await.unwrap();
    click(c, "#start-session").await;
    wait_into(c, "Step 2 of 4", 300).await;
    c.goto(&f.server.url("/history")).await.unwrap();
    c.execute(
        "const kept = JSON.parse(localStorage.getItem('knead-current-session'));
         kept.started_at = new Date(Date.now() - 3 * 3600 * 1000).toISOString();
         localStorage.setItem('knead-current-session', JSON.stringify(kept));",
        vec![],
    )
    .await
    .unwrap();
    c.goto(session_page.as_str()).await.unwrap();
    let notice = wait_for(c, "#earlier-session").await.text().await.unwrap();
    assert!(notice.contains("saved in your journal"), "{notice}");
    wait_for(c, "#pain-before-3").await; // a fresh start, on a fresh plan
    shot(c, "session-earlier-saved").await;
    assert!(c.find(Locator::Css("#resume-offer")).await.is_err());

    let sessions = sessions_of(c, &f.server).await;
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    let old = &sessions[0];
    assert_eq!(old["status"], "interrupted");
    assert_eq!((old["pain_before"].clone(), old["pain_after"].clone()), (json!(3), json!(null)));
    assert_eq!(old["steps"].as_array().unwrap().last().unwrap()["outcome"], "stopped");
    c.clone().close().await.unwrap();
}

// ---------------------------------------------------------------------
// The time zone

/// app.js names the browser's zone in the `knead_tz` cookie, without
/// reloading the page: a first page, sent before it could, says its times
/// are UTC; the pages after it show them in the browser's zone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_names_its_zone_and_the_pages_follow_it() {
    let f = fixture().await;
    let (c, server) = (&f.client, &f.server);
    sign_up(c, server, "zoe@example.org").await;
    answer(c, &[]).await;
    let zone = c.execute("return Intl.DateTimeFormat().resolvedOptions().timeZone", vec![]).await.unwrap();
    let zone = zone.as_str().unwrap().to_owned();

    // As on a first visit: no cookie yet.
    c.delete_cookie("knead_tz").await.unwrap();
    c.goto(&server.url("/")).await.unwrap();
    let first = wait_for(c, "main").await.text().await.unwrap();
    let first = first.replace('\u{a0}', " ");
    assert!(first.contains(" UTC)"), "without the zone, the time says UTC: {first}");
    let cookie = c.get_named_cookie("knead_tz").await.unwrap();
    assert_eq!(cookie.value(), zone);
    let attributes = cookie.to_string();
    assert!(attributes.contains("Path=/") && attributes.contains("SameSite=Lax"), "{attributes}");
    assert!(!attributes.contains("HttpOnly"), "app.js writes it: {attributes}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let navigation =
        c.execute("return performance.getEntriesByType('navigation')[0].type", vec![]).await.unwrap();
    assert_eq!(navigation, json!("navigate"), "the page is not loaded again");

    c.refresh().await.unwrap();
    let next = wait_for(c, "main").await.text().await.unwrap();
    assert!(next.contains("Your last screening (") && !next.contains("UTC"), "{next}");

    // A session an hour ago, and a clinician who looked: the pages with times.
    let (api, csrf) = api_as(c, server).await;
    let screenings: serde_json::Value =
        api.get(server.url("/api/v1/screenings")).send().await.unwrap().json().await.unwrap();
    let plan: serde_json::Value = api
        .post(server.url("/api/v1/plans"))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "screening": screenings[0]["id"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let now = knead_app::clock::Now::now(&knead_app::clock::SystemNow);
    let session = crate::support::session_from_plan(&plan, now - chrono::Duration::hours(1), 5, Some(3));
    let id = session["id"].as_str().unwrap().to_owned();
    let sent = api
        .put(server.url(&format!("/api/v1/sessions/{id}")))
        .header("x-csrf-token", &csrf)
        .json(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    c.goto(&server.url("/sharing")).await.unwrap();
    click(c, "#invite").await;
    let code = wait_for(c, "#invitation-code").await.text().await.unwrap();
    let doc = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let account =
        json!({ "email": "doc@example.org", "password": "a long enough password", "role": "clinician" });
    let made = doc.post(server.url("/api/v1/accounts")).json(&account).send().await.unwrap();
    assert_eq!(made.status(), 202);
    let credentials = json!({ "email": "doc@example.org", "password": "a long enough password" });
    let signed_in = doc.post(server.url("/api/v1/sign-in")).json(&credentials).send().await.unwrap();
    let made: serde_json::Value = signed_in.json().await.unwrap();
    let accepted: serde_json::Value = doc
        .post(server.url("/api/v1/invitations/accept"))
        .header("x-csrf-token", made["csrf"].as_str().unwrap())
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let record = server.url(&format!("/api/v1/patients/{}", accepted["patient"].as_str().unwrap()));
    assert_eq!(doc.get(record).send().await.unwrap().status(), 200);

    c.goto(&server.url("/history")).await.unwrap();
    let table = wait_for(c, "table tbody").await.text().await.unwrap();
    assert!(table.contains("5 → 3") && !table.contains("UTC"), "{table}");
    shot(c, "history-zone").await;
    c.goto(&server.url("/sharing")).await.unwrap();
    let log = wait_for(c, "#audit").await.text().await.unwrap();
    assert!(log.contains("looked at your record") && !log.contains("UTC"), "{log}");
    shot(c, "sharing-zone").await;
    c.execute("document.getElementById('audit').scrollIntoView()", vec![]).await.unwrap();
    shot(c, "sharing-zone-log").await;
    c.clone().close().await.unwrap();
}

#[tokio::test]
async fn stopping_during_the_massager_says_to_switch_it_off_first() {
    let f = fixture().await;
    let c = &f.client;
    sign_up(c, &f.server, "ed@example.org").await;
    answer(c, &[]).await;
    start_guided(c, &["massage_gun"], 5, 60).await;
    // Step 8 is the gun's "adjust"; stop in it, before "switch-off" (step 9).
    wait_into(c, "Step 8 of 9", 100).await;
    click(c, "#stop").await;
    click(c, "#stop-confirm").await;
    let first = wait_for(c, "#closing-first").await.text().await.unwrap();
    assert!(first.contains("Switch the massager off"), "{first}");
    // The live region is filled a moment after it is cleared (so the same
    // words are read again): wait for it.
    let mut said = String::new();
    for _ in 0..100 {
        said = c
            .find(Locator::Css("#announce"))
            .await
            .unwrap()
            .prop("textContent")
            .await
            .unwrap()
            .unwrap_or_default();
        if said.contains("Switch the massager off") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(said.contains("Switch the massager off"), "announced too: {said:?}");
    shot(c, "session-stopped-massager").await;
}

/// The text of `css` once it contains `part` (it may take a moment: the
/// live region is cleared and then filled, and a cue comes at its time).
async fn wait_for_text(client: &Client, css: &str, part: &str) -> String {
    let mut seen = String::new();
    for _ in 0..400 {
        // The element may go stale between finding and reading it while a
        // page is being left: then it is looked for again.
        if let Ok(el) = client.find(Locator::Css(css)).await
            && let Ok(text) = el.prop("textContent").await
        {
            seen = text.unwrap_or_default();
            if seen.contains(part) {
                return seen;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} never said {part:?}: {seen:?}");
}

/// The page's +30 s and halfway cue come from the same engine rules as the
/// terminal's (held to them by the `parity` test): here, that the button
/// reaches the engine and the page shows and says what it answers. The
/// knuckle kneading (120 s, at most 300 s) gets 30 seconds more at each
/// press until its limit refuses more; halfway comes at half the time it
/// then has, and the record keeps the time done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_time_up_to_the_steps_limit_and_the_halfway_cue() {
    let f = fixture().await;
    let c = &f.client;
    sign_up(c, &f.server, "mo@example.org").await;
    answer(c, &[]).await;
    start_guided(c, &[], 4, 10).await;
    wait_into(c, "Step 3 of 4", 0).await;
    // The step's figure, loaded through the figure route and named.
    let mut figure = json!(null);
    for _ in 0..100 {
        figure = c
            .execute(
                "const i = document.getElementById('step-figure'); \
                 return !i.hidden && i.complete && i.naturalWidth > 0 ? [i.getAttribute('src'), i.alt] : null;",
                vec![],
            )
            .await
            .unwrap();
        if !figure.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(figure[0], "/figures/hands-knead.svg", "the knead step's figure, drawn: {figure}");
    assert!(
        figure[1].as_str().is_some_and(|alt| alt.contains("beside the spine") || alt.contains("either side")),
        "{figure}"
    );
    c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    shot(c, "session-step-figure").await;
    click(c, "#more-time").await;
    let note = wait_for_text(c, "#time-note", "added").await;
    assert_eq!(note, "30 seconds added.");
    wait_for_text(c, "#announce", "30 seconds added.").await;
    for _ in 0..6 {
        click(c, "#more-time").await; // 30 s more five times, then the limit refuses
    }
    let note = wait_for_text(c, "#time-note", "at most").await;
    assert!(note.contains("This step lasts at most 5 minutes."), "{note}");
    let total = wait_for(c, "#session-progress-text").await.text().await.unwrap();
    assert!(total.ends_with("of 05:55"), "175 s planned, 180 s added: {total}");
    shot(c, "session-more-time").await;
    wait_for_text(c, "#time-note", "Halfway.").await;
    wait_for_text(c, "#announce", "Halfway.").await;
    let (step, done, _) = player_at(c).await.unwrap();
    c.execute("document.getElementById('pause').scrollIntoView()", vec![]).await.unwrap();
    shot(c, "session-halfway").await;
    assert!(step == "Step 3 of 4" && (500..600).contains(&done), "halfway through the step: {step} {done}‰");
    click(c, "#stop").await;
    click(c, "#stop-confirm").await;
    click(c, "#pain-after-3").await;
    click(c, "#save").await;
    wait_for(c, "#saved").await;
    let sessions = sessions_of(c, &f.server).await;
    let knead = sessions[0]["steps"].as_array().unwrap().iter().find(|s| s["step_id"] == "knead").cloned();
    let knead = knead.unwrap();
    assert_eq!(knead["outcome"], "stopped", "{knead}");
    let active = knead["active_seconds"].as_u64().unwrap();
    assert!((150..=300).contains(&active), "past the planned 120 s, within 300 s: {active}");
}

/// The care loop as a physio meets it: a patient's emergency screening,
/// then an ordinary one; the patient stays first and flagged; the physio
/// opens the emergency's answers and marks it as seen, then sends "pause
/// the massage" to read before the next session. The patient sees it on
/// their home page, gets no plan until they have read it, and answers.
/// The physio, who turned on e-mail notices and notices on their device,
/// is mailed and pushed about the emergency and the answer, and neither
/// says anything of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_physio_sees_an_earlier_emergency_marks_it_seen_and_a_message_comes_before_the_next_session() {
    let smtp_port = free_port();
    let smtp = super::mail::SmtpServer::start(smtp_port).await;
    let push = super::push::PushService::start();
    let notices = Notices { mail: Some(super::mail::settings(smtp_port)), push: Some(push.settings()) };
    let f = fixture_notifying(notices).await;
    let (patient, server) = (&f.client, &f.server);
    let (_clinic_driver, clinician) = browser().await;
    sign_up(patient, server, "pat@example.org").await;
    patient.goto(&server.url("/sharing")).await.unwrap();
    click(patient, "#invite").await;
    let code = wait_for(patient, "#invitation-code").await.text().await.unwrap();
    sign_up_clinician(&clinician, server, "physio@example.org").await;
    fill(&clinician, "#code", &code).await;
    click(&clinician, "#accept").await;
    wait_for(&clinician, "#assign").await;
    let record = path(&clinician).await;
    clinician.goto(&server.url("/account")).await.unwrap();
    click(&clinician, "#notices-email").await;
    click(&clinician, "#notices-submit").await;
    let notice = wait_for(&clinician, "#outcome").await.text().await.unwrap();
    assert!(notice.contains("Knead e-mails you"), "{notice}");
    // Notices on this device: the page offers them. Headless Chromium has
    // no push service of its own, so the subscription it would hand over
    // is the test's push service's, sent by the page's own API helper.
    wait_for_text(&clinician, "#push-status", "this device").await;
    shot(&clinician, "account-notices").await;
    let turned_on = clinician
        .execute(
            "return window.Knead.api('POST', '/api/v1/me/devices', arguments[0]).then((a) => a.status);",
            vec![push.device("physio-phone")],
        )
        .await
        .unwrap();
    assert_eq!(turned_on, json!(204));

    answer(patient, &["jaw"]).await; // pain into the jaw: emergency
    answer(patient, &[]).await; // then an ordinary screening

    clinician.goto(&server.url("/clinic")).await.unwrap();
    let first = wait_for(&clinician, "#patients > li").await;
    assert_eq!(first.attr("class").await.unwrap().as_deref(), Some("attention-red-flag"));
    assert!(first.text().await.unwrap().contains("Screening of"), "the earlier emergency still shows");
    clinician.goto(&server.url(&record)).await.unwrap();
    wait_for(&clinician, "form.acknowledge").await;
    shot(&clinician, "clinic-patient-red-flag").await;

    // The emergency's answers and the rules that fired.
    let links = clinician.find_all(Locator::Css("#screenings-caption ~ tbody a")).await.unwrap();
    assert_eq!(links.len(), 2);
    links[1].click().await.unwrap(); // newest first: the emergency is the older one
    let page = wait_for_text(&clinician, "main", "Rules that fired").await;
    assert!(page.contains("Source:"), "{page}");
    shot(&clinician, "clinic-screening").await;

    clinician.goto(&server.url(&record)).await.unwrap();
    fill(&clinician, "form.acknowledge input[name='note']", "Phoned: seen at A&E, all clear.").await;
    click(&clinician, "form.acknowledge button[type='submit']").await;
    let notice = wait_for(&clinician, "#outcome").await.text().await.unwrap();
    assert!(notice.contains("Marked as seen"), "{notice}");
    clinician.goto(&server.url("/clinic")).await.unwrap();
    let row = wait_for(&clinician, "#patients > li").await;
    assert_eq!(row.attr("class").await.unwrap().as_deref(), Some("attention-none"));

    // A message to read before the next session.
    clinician.goto(&server.url(&record)).await.unwrap();
    fill(&clinician, "#text", "Please pause the massage until we have talked.").await;
    click(&clinician, "#before-session").await;
    click(&clinician, "form[action$='/message'] button[type='submit']").await;
    wait_for(&clinician, "#outcome").await;

    // The patient sees it first on the home page; no plan until it is read.
    patient.goto(&server.url("/")).await.unwrap();
    let unread = wait_for(patient, "#unread").await.text().await.unwrap();
    assert!(
        unread.contains("Read this before your next session") && unread.contains("pause the massage"),
        "{unread}"
    );
    shot(patient, "home-message-first").await;
    answer(patient, &[]).await;
    click(patient, "#make-plan").await;
    // Waiting on the words, not on a `main` that may be the page being left.
    wait_for_text(patient, "main", "read a message first").await;
    wait_for(patient, "#go-read").await;
    patient.goto(&server.url("/")).await.unwrap();
    click(patient, "#read-messages").await;
    wait_gone(patient, "#unread").await; // read: the home page is quiet again
    wait_for(patient, "a[href='/check']").await;
    answer(patient, &[]).await;
    click(patient, "#make-plan").await;
    wait_for(patient, "#start").await;

    // The answer reaches the physio's record.
    patient.goto(&server.url("/sharing")).await.unwrap();
    fill(patient, "form.reply textarea", "Paused. Talk on Friday?").await;
    click(patient, "form.reply button").await;
    wait_for_text(patient, "ul.messages", "Talk on Friday?").await;
    viewport(patient, 390, 844).await;
    patient.goto(&server.url("/sharing#messages")).await.unwrap();
    wait_for_text(patient, "ul.messages", "Talk on Friday?").await;
    shot(patient, "sharing-thread-phone").await;
    // The physio's list counts it as new until the record shows it.
    clinician.goto(&server.url("/clinic")).await.unwrap();
    wait_for_text(&clinician, "#patients", "1 new").await;
    viewport(&clinician, 390, 844).await;
    shot(&clinician, "clinic-dashboard-unread-phone").await;
    clinician.goto(&server.url(&format!("{record}#messages"))).await.unwrap();
    let messages = wait_for(&clinician, "ul.messages").await.text().await.unwrap();
    shot(&clinician, "clinic-patient-thread-phone").await;
    assert!(messages.contains("The patient") && messages.contains("Talk on Friday?"), "{messages}");
    assert!(messages.contains("To read before the next session; read "), "{messages}");
    clinician.goto(&server.url("/clinic")).await.unwrap();
    wait_for_text(&clinician, "#patients", "none new").await;

    // The physio was mailed twice: the emergency, then the answer; neither says what.
    let mut mails = smtp.wait_for(2).await;
    mails.sort_by(|a, b| a.subject.cmp(&b.subject));
    assert_eq!(mails.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(), ["physio@example.org"; 2]);
    assert_eq!(mails[0].subject, "A patient in Knead needs your attention");
    assert_eq!(mails[1].subject, "You have a new message in Knead");
    for m in &mails {
        assert!(!m.body.contains("Friday") && !m.body.contains("jaw") && !m.body.contains("pat@"), "{m:#?}");
    }
    // And pushed twice, to the phone: decrypted there, the same words.
    let pushes = push.wait_for(2).await;
    let mut titles: Vec<String> = pushes
        .iter()
        .map(|p| {
            assert_eq!((&p["ok"], &p["path"]), (&json!(true), &json!("/push/physio-phone")), "{p:#}");
            let text = p["payload"].as_str().unwrap();
            assert!(!text.contains("Friday") && !text.contains("jaw") && !text.contains("pat@"), "{text}");
            serde_json::from_str::<Value>(text).unwrap()["title"].as_str().unwrap().to_owned()
        })
        .collect();
    titles.sort();
    assert_eq!(titles, [mails[0].subject.clone(), mails[1].subject.clone()]);
    clinician.close().await.unwrap();
    f.client.close().await.unwrap();
}

/// Where each of `ids` is on screen and how large, with the viewport:
/// `[[left, top, right, bottom], …]`, then `[width, height]`.
async fn boxes(client: &Client, ids: &[&str]) -> (Vec<[f64; 4]>, [f64; 2]) {
    let got = client
        .execute(
            "return [arguments[0].map((id) => { const r = document.getElementById(id).getBoundingClientRect(); \
               return [r.left, r.top, r.right, r.bottom]; }), [innerWidth, innerHeight]];",
            vec![json!(ids)],
        )
        .await
        .unwrap();
    let all: (Vec<[f64; 4]>, [f64; 2]) = serde_json::from_value(got).unwrap();
    all
}

/// A person mid-massage, hands behind their back, on a phone held either
/// way up: the step's figure, its words, the timer and the four controls
/// are all on screen without scrolling, the controls at least 48 px each
/// way, with no site menu, and the symbols are the app's own (no font
/// glyph a phone may lack). Stop's question comes up over the controls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_screen_keeps_its_controls_in_view_on_a_phone() {
    let f = fixture().await;
    let c = &f.client;
    sign_up(c, &f.server, "fay@example.org").await;
    answer(c, &[]).await;
    start_guided(c, &["massage_gun"], 4, 1).await;
    wait_into(c, "Step 1 of 9", 0).await;
    let seen = ["step-figure", "instruction", "timer", "pause", "skip", "more-time", "stop"];
    for (width, height) in [(360, 640), (390, 844), (640, 360), (844, 390), (1280, 800)] {
        viewport(c, width, height).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        shot(c, &format!("session-phone-{width}x{height}")).await;
        let (found, [w, h]) = boxes(c, &seen).await;
        for (id, [left, top, right, bottom]) in seen.iter().zip(&found) {
            assert!(
                *left >= 0.0
                    && *top >= 0.0
                    && *right <= w + 0.5
                    && *bottom <= h + 0.5
                    && right > left
                    && bottom > top,
                "#{id} at {width}×{height} is at {left},{top}–{right},{bottom}, outside the {w}×{h} view"
            );
        }
        for (id, [left, top, right, bottom]) in seen[3..].iter().zip(&found[3..]) {
            assert!(right - left >= 48.0 && bottom - top >= 48.0, "#{id} at {width}×{height} is under 48 px");
        }
        let page = c
            .execute(
                "return [document.scrollingElement.scrollHeight <= innerHeight + 1, \
                   getComputedStyle(document.querySelector('header.top')).display, \
                   document.scrollingElement.scrollHeight, innerHeight];",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            page[0] == json!(true) && page[1] == json!("none"),
            "at {width}×{height}: the page scrolls, or the menu shows: {page}"
        );
    }
    // The pack's longest instruction, as a rest between bouts says it, on
    // the smallest phone: it may scroll within itself, never push the
    // controls off.
    let pack = ContentPack::builtin().unwrap();
    let steps = pack.techniques.iter().flat_map(|t| &t.variants).flat_map(|v| &v.steps);
    let longest = steps.map(|s| s.instruction.as_str()).max_by_key(|i| i.chars().count()).unwrap();
    viewport(c, 360, 640).await;
    let resting = format!("Rest now: ease off and breathe. Then: {longest}");
    c.execute("document.getElementById('instruction').textContent = arguments[0];", vec![json!(resting)])
        .await
        .unwrap();
    let (found, [w, h]) = boxes(c, &seen).await;
    shot(c, "session-phone-longest-instruction").await;
    for (id, [left, top, right, bottom]) in seen.iter().zip(&found) {
        assert!(
            *left >= 0.0 && *top >= 0.0 && *right <= w + 0.5 && *bottom <= h + 0.5,
            "#{id} is off screen under the longest instruction ({longest:?})"
        );
    }
    let icon = c
        .execute("return getComputedStyle(document.querySelector('#pause .icon')).webkitMaskImage;", vec![])
        .await
        .unwrap();
    assert!(icon.as_str().is_some_and(|m| m.contains("/static/icons/ui/pause.svg")), "{icon}");
    viewport(c, 360, 640).await;
    // Paused, the note comes beside the timer: nothing moves off screen.
    click(c, "#pause").await;
    wait_for(c, "#paused-note:not([hidden])").await;
    let (found, [w, h]) = boxes(c, &seen).await;
    for (id, [left, top, right, bottom]) in seen.iter().zip(&found) {
        assert!(
            *left >= 0.0 && *top >= 0.0 && *right <= w + 0.5 && *bottom <= h + 0.5,
            "#{id} is off screen when paused"
        );
    }
    shot(c, "session-phone-paused").await;
    click(c, "#pause").await;
    click(c, "#stop").await;
    let (panel, [w, h]) = boxes(c, &["stop-confirm", "stop-cancel"]).await;
    for [left, top, right, bottom] in panel {
        assert!(
            left >= 0.0 && top >= 0.0 && right <= w + 0.5 && bottom <= h + 0.5,
            "Stop's question is off screen"
        );
    }
    shot(c, "session-phone-stop").await;
}

/// Every step skipped: no massage, so the session is kept as stopped early,
/// says so, and shows no pain change as the massage's effect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_with_every_step_skipped_is_kept_as_stopped_early() {
    let f = fixture().await;
    let c = &f.client;
    sign_up(c, &f.server, "gil@example.org").await;
    answer(c, &[]).await;
    start_guided(c, &[], 6, 1).await;
    wait_for(c, "#skip").await;
    for _ in 0..40 {
        if c.find(Locator::Css("#pain-after-5")).await.is_ok() {
            break;
        }
        if let Ok(skip) = c.find(Locator::Css("#skip")).await {
            let _ = skip.click().await;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let title = wait_for(c, "#session-title").await.text().await.unwrap();
    assert_eq!(title, "Session over, not counted");
    click(c, "#pain-after-5").await;
    click(c, "#save").await;
    wait_for(c, "#saved").await;
    let ended = wait_for(c, "#how-it-ended").await.text().await.unwrap();
    assert_eq!(ended, "Stopped early");
    let summary = c.find(Locator::Css("#summary")).await.unwrap().text().await.unwrap();
    assert!(summary.contains("no change is shown") && !summary.contains("went down"), "{summary}");
    shot(c, "session-all-skipped").await;
    let sessions = sessions_of(c, &f.server).await;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["status"], "stopped");
    assert_eq!(sessions[0]["stop_reason"], "too little massage to count as a session");
    c.goto(&f.server.url("/history")).await.unwrap();
    let table = wait_for(c, "table tbody").await.text().await.unwrap();
    assert!(table.contains("stopped early"), "{table}");
}

/// What of a person this browser keeps for offline use: each page in the
/// service worker's page cache (its path, and whether it holds `personal`),
/// and the plan and running-session copies in local storage.
async fn kept_offline(client: &Client, personal: &str) -> serde_json::Value {
    client
        .execute_async(
            "const [personal, done] = arguments;
             (async () => {
               const pages = [];
               for (const key of await caches.keys()) {
                 if (!key.startsWith('knead-pages')) continue;
                 const cache = await caches.open(key);
                 for (const request of await cache.keys()) {
                   const text = await (await cache.match(request)).text();
                   pages.push([new URL(request.url).pathname, text.includes(personal)]);
                 }
               }
               const stored = Object.keys(localStorage)
                 .filter((k) => k.startsWith('knead-plan:') || k === 'knead-current-session');
               done({ pages: pages.sort(), stored });
             })().catch((e) => done({ error: String(e) }));",
            vec![json!(personal)],
        )
        .await
        .unwrap()
}

/// Whether [`kept_offline`] found something of the person.
fn personal_kept(kept: &serde_json::Value) -> bool {
    kept["pages"].as_array().unwrap().iter().any(|p| p[1] == json!(true))
        || !kept["stored"].as_array().unwrap().is_empty()
}

/// What is kept offline once the page has had up to 5 s to forget what
/// holds `personal` (the service worker clears its cache on its own time).
async fn forgotten(client: &Client, personal: &str) -> serde_json::Value {
    let mut kept = kept_offline(client, personal).await;
    for _ in 0..50 {
        if !personal_kept(&kept) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        kept = kept_offline(client, personal).await;
    }
    kept
}

/// Sign-out leaves nothing personal readable on the device: the pages the
/// service worker kept for offline use and the plan kept for a session are
/// gone, whether the person signed out here or their sign-in ended
/// elsewhere, and with the server out of reach the plan's address shows the
/// offline page, not the person's plan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_signing_out_nothing_personal_is_left_for_offline_use() {
    let mut f = fixture().await;
    let c = &f.client;
    sign_up(c, &f.server, "dee@example.org").await;
    answer(c, &[]).await;
    click(c, "input[name='equipment'][value='foam_roller']").await;
    click(c, "#make-plan").await;
    // The session page keeps its plan, to run offline.
    click(c, "#start").await;
    wait_for(c, "#pain-before-4").await;
    // Once the service worker controls the page, the pages visited are kept.
    for _ in 0..200 {
        if c.execute("return !!navigator.serviceWorker.controller", vec![]).await.unwrap() == json!(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for page in ["/", "/plan", "/history", "/progress"] {
        c.goto(&f.server.url(page)).await.unwrap();
        wait_for(c, "main").await;
    }
    // What only this sign-in's pages hold: its anti-forgery token.
    let token = wait_for(c, "input[name='csrf']").await.prop("value").await.unwrap().unwrap();
    let before = kept_offline(c, &token).await;
    assert!(
        before["pages"].as_array().is_some_and(|p| p.iter().any(|p| p == &json!(["/plan", true]))),
        "{before}"
    );
    assert!(!before["stored"].as_array().unwrap().is_empty(), "the plan is kept for a session: {before}");

    click(c, "form[action='/signout'] button").await;
    wait_gone(c, "form[action='/signout']").await;
    // Only pages anyone may see are kept now (the front page, signed out).
    let after = forgotten(c, &token).await;
    assert!(!personal_kept(&after), "kept after signing out: {after}");

    // A sign-in that ends elsewhere (here: its cookie is gone, as when it
    // runs out or is ended from another device) clears them too, on the
    // first page drawn for someone signed out.
    c.goto(&f.server.url("/signin")).await.unwrap();
    fill(c, "#email", "dee@example.org").await;
    fill(c, "#password", "a long enough password").await;
    click(c, "#submit").await;
    wait_for(c, "form[action='/signout']").await;
    c.goto(&f.server.url("/progress")).await.unwrap();
    let token = wait_for(c, "input[name='csrf']").await.prop("value").await.unwrap().unwrap();
    assert!(personal_kept(&kept_offline(c, &token).await));
    c.delete_all_cookies().await.unwrap();
    c.goto(&f.server.url("/")).await.unwrap();
    wait_for(c, "[data-signed-out]").await;
    let after = forgotten(c, &token).await;
    assert!(!personal_kept(&after), "kept after the sign-in ended elsewhere: {after}");

    // Offline, the plan's address has nothing of theirs to show.
    f.server.stop().await;
    let c = &f.client;
    c.goto(&f.server.url("/plan")).await.unwrap();
    let shown = c.source().await.unwrap();
    assert!(!shown.contains(&token) && !shown.contains("Your session"), "{shown}");
    c.clone().close().await.unwrap();
}
