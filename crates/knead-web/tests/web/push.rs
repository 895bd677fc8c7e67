//! Web Push, sent to a push service on loopback that the test starts
//! (`tools/push/push_service.py`, installed by `bash .ci/deps`). It plays
//! a browser's push service and the browser: it made the device's keys,
//! checks the VAPID signature and decrypts what arrives with http_ece, an
//! implementation written apart from Knead's.
//!
//! Notices go to the devices people turned on and say nothing of what
//! waits; a device the push service calls gone is forgotten; devices are
//! taken only at known push services, and not at all on a server that
//! sends no pushes.

use crate::support::{
    TestApp, account, assert_problem, emergency_intake, invite_and_accept, json_of, morning,
    self_care_intake, session_from_plan, spawn_app_with,
};
use chrono::Duration;
use knead_app::push::PushServices;
use knead_web::push::PushSettings;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use tokio::time::Instant;

/// Whom the push services are told to contact about this site.
const SITE: &str = "https://knead.test";

/// The push service; stopped when dropped.
pub(super) struct PushService {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub(super) origin: String,
    /// The device's keys, as a browser's subscription gives them.
    keys: Value,
    received: Arc<Mutex<Vec<Value>>>,
}

impl PushService {
    pub(super) fn start() -> Self {
        let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/push/.venv/bin/python");
        assert!(python.exists(), "{} is missing: run `bash .ci/deps`", python.display());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/push/push_service.py");
        let mut child = Command::new(python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&received);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                kept.lock().unwrap().push(serde_json::from_str(&line).unwrap());
            }
        });
        Self {
            child,
            origin: first["origin"].as_str().unwrap().to_owned(),
            keys: first["keys"].clone(),
            received,
        }
    }

    /// The subscription of a device at `/push/NAME` (a name ending in
    /// `gone` is answered 410, as for a device that unsubscribed).
    pub(super) fn device(&self, name: &str) -> Value {
        json!({ "endpoint": format!("{}/push/{name}", self.origin), "expirationTime": null, "keys": self.keys })
    }

    /// Settings sending to this service (and the known ones).
    pub(super) fn settings(&self) -> PushSettings {
        PushSettings::new(PushServices::default().and(&self.origin).unwrap(), SITE).unwrap()
    }

    fn received(&self) -> Vec<Value> {
        self.received.lock().unwrap().clone()
    }

    /// Wait (at most 30 s) until `n` pushes have come, and return them.
    pub(super) async fn wait_for(&self, n: usize) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(started.elapsed().as_secs() < 30, "{n} pushes expected, {} came: {got:#?}", got.len());
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

impl Drop for PushService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn app_pushing_to(service: &PushService) -> TestApp {
    let push = service.settings();
    spawn_app_with(|config| config.push = Some(push)).await
}

/// `who` turns notices on for `device`.
pub(super) async fn turn_on(who: &TestApp, device: &Value) {
    let answer = who.post_json("/api/v1/me/devices", device).await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT, "{}", answer.text().await.unwrap());
}

/// The paths pushes came to, sorted.
fn paths(got: &[Value]) -> Vec<&str> {
    let mut paths: Vec<&str> = got.iter().map(|p| p["path"].as_str().unwrap()).collect();
    paths.sort_unstable();
    paths
}

#[tokio::test]
async fn pushes_are_encrypted_to_the_device_signed_for_the_site_and_say_nothing() {
    let service = PushService::start();
    let app = app_pushing_to(&service).await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();
    let (status, settings) = json_of(patient.get("/api/v1/me/push").await).await;
    assert_eq!((status, &settings["available"]), (StatusCode::OK, &json!(true)));
    turn_on(&patient, &service.device("pat")).await;
    turn_on(&clinician, &service.device("doc")).await;

    let secret = "Please pause the massage until we speak.";
    let to_patient = format!("/api/v1/patients/{id}/messages");
    let write = json!({ "text": secret, "before_session": true });
    assert_eq!(clinician.post_json(&to_patient, &write).await.status(), StatusCode::CREATED);
    let reply = json!({ "text": "Will do, my shoulder hurts." });
    assert_eq!(patient.post_json("/api/v1/messages", &reply).await.status(), StatusCode::CREATED);
    patient.screen(&emergency_intake()).await;

    let got = service.wait_for(3).await;
    assert_eq!(paths(&got), ["/push/doc", "/push/doc", "/push/pat"]);
    let mut titles = Vec::new();
    for push in &got {
        assert_eq!(push["ok"], json!(true), "decrypted and signed: {push:#}");
        assert_eq!((&push["aud"], &push["sub"]), (&json!(service.origin), &json!(SITE)), "{push:#}");
        assert_eq!(push["key"], settings["key"], "signed with the key browsers subscribe with");
        assert_eq!(push["ttl"], json!(knead_web::push::TTL_SECONDS.to_string()));
        let payload: Value = serde_json::from_str(push["payload"].as_str().unwrap()).unwrap();
        assert_eq!(payload["url"], "/");
        let text = payload.to_string();
        for private in ["pause", "shoulder", "pat@example.org", "doc@example.org", "jaw", "chest"] {
            assert!(!text.contains(private), "{private:?} in {payload:#}");
        }
        titles.push(payload["title"].as_str().unwrap().to_owned());
    }
    titles.sort();
    assert_eq!(
        titles,
        [
            "A patient in Knead needs your attention",
            "You have a new message in Knead",
            "You have a new message in Knead"
        ]
    );
    // Each was sent once.
    tokio::time::sleep(knead_web::outgoing::POLL * 2).await;
    assert_eq!(service.received().len(), 3);
}

#[tokio::test]
async fn a_device_gone_from_its_push_service_is_forgotten_and_one_turned_off_gets_nothing() {
    let service = PushService::start();
    let app = app_pushing_to(&service).await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();
    for device in ["phone", "laptop", "tablet-gone"] {
        turn_on(&patient, &service.device(device)).await;
    }
    let to_patient = format!("/api/v1/patients/{id}/messages");
    let write = |text: &str| json!({ "text": text, "before_session": false });
    assert_eq!(clinician.post_json(&to_patient, &write("One.")).await.status(), StatusCode::CREATED);
    assert_eq!(paths(&service.wait_for(3).await), ["/push/laptop", "/push/phone", "/push/tablet-gone"]);

    let off = json!({ "endpoint": service.device("laptop")["endpoint"] });
    let answer = patient
        .client
        .delete(patient.url("/api/v1/me/devices"))
        .header("x-csrf-token", &patient.csrf)
        .json(&off)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    assert_eq!(clinician.post_json(&to_patient, &write("Two.")).await.status(), StatusCode::CREATED);
    let got = service.wait_for(4).await;
    tokio::time::sleep(knead_web::outgoing::POLL * 2).await;
    let got_now = service.received();
    assert_eq!(
        paths(&got_now[3..]),
        ["/push/phone"],
        "the gone tablet was forgotten, the laptop turned off: {got:#?}"
    );
}

/// A §4 flag raised by a session (pain 7 or more) reaches the clinician
/// as a red flag does, once, however many sessions judge it again.
#[tokio::test]
async fn pain_over_time_that_calls_for_a_doctor_is_told_to_the_clinician_once() {
    let service = PushService::start();
    let app = app_pushing_to(&service).await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    invite_and_accept(&patient, &clinician).await;
    turn_on(&clinician, &service.device("doc")).await;
    let screening = patient.screen(&self_care_intake()).await;
    let (status, plan) = patient.plan(&screening["id"]).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    // An ordinary session: nothing to tell.
    let session = session_from_plan(&plan, morning(), 4, Some(3));
    assert_eq!(patient.put_session(&session).await.0, StatusCode::OK);
    tokio::time::sleep(knead_web::outgoing::POLL * 2).await;
    assert!(service.received().is_empty(), "{:#?}", service.received());
    // Then severe pain, twice (the second kept from the phone's outbox).
    for hours in [3, 6] {
        let session = session_from_plan(&plan, morning() + Duration::hours(hours), 8, Some(8));
        assert_eq!(patient.put_session(&session).await.0, StatusCode::OK);
    }
    let got = service.wait_for(1).await;
    let payload: Value = serde_json::from_str(got[0]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["title"], "A patient in Knead needs your attention");
    assert_eq!(got[0]["path"], "/push/doc");
    tokio::time::sleep(knead_web::outgoing::POLL * 2).await;
    assert_eq!(service.received().len(), 1, "told once: {:#?}", service.received());
    // And the plan is refused, as the flag says.
    let (status, refused) = patient.plan(&screening["id"]).await;
    assert_eq!((status, &refused["flag"]), (StatusCode::CONFLICT, &json!("severe")), "{refused}");
}

#[tokio::test]
async fn devices_are_taken_only_at_known_push_services_and_not_when_the_server_sends_none() {
    let service = PushService::start();
    let app = app_pushing_to(&service).await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let device = service.device("pat");
    let cases = [
        (
            json!({ "endpoint": "http://169.254.169.254/latest/meta-data", "keys": device["keys"] }),
            "endpoint",
        ),
        (
            json!({ "endpoint": "https://fcm.googleapis.com.evil.example/x", "keys": device["keys"] }),
            "endpoint",
        ),
        (
            json!({ "endpoint": device["endpoint"], "keys": { "p256dh": "AAAA", "auth": device["keys"]["auth"] } }),
            "keys.p256dh",
        ),
        (
            json!({ "endpoint": device["endpoint"], "keys": { "p256dh": device["keys"]["p256dh"], "auth": "x" } }),
            "keys.auth",
        ),
    ];
    for (body, field) in cases {
        let (status, problem) = json_of(patient.post_json("/api/v1/me/devices", &body).await).await;
        assert_problem(status, &problem, StatusCode::UNPROCESSABLE_ENTITY, Some(field));
    }

    let quiet = spawn_app_with(|_| {}).await;
    let patient = account(&quiet, "pat@example.org", "patient").await;
    let (status, settings) = json_of(patient.get("/api/v1/me/push").await).await;
    assert_eq!((status, settings), (StatusCode::OK, json!({ "available": false })));
    let (status, problem) = json_of(patient.post_json("/api/v1/me/devices", &device).await).await;
    assert_eq!((status, &problem["type"]), (StatusCode::CONFLICT, &json!("/problems/push-off")), "{problem}");
}
