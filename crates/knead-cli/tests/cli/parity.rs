//! The same journal through the terminal and the web gets the same
//! decision: three days of clearly worse pain stop a plan in both, for the
//! same §4 flag and in the same words, and a clinician's clearance lets a
//! plan through in both. Both call one use case (knead-app); this test is
//! what keeps them from drifting apart again.

use crate::serve::{Served, exchange, serve, signed_up};
use crate::start::answer_questions_with;
use crate::support::knead;
use crate::tmux::{Tmux, data_dir};
use chrono::{Days, Utc};
use std::io::BufReader;
use std::process::ChildStderr;

/// Pain before and after on each of the three days before today: each day
/// is at least 2 points above the first day's 4 (§4: worse on 2 days running).
const DAYS: [(u64, u8, u8); 3] = [(3, 4, 6), (2, 5, 7), (1, 6, 8)];

/// The same words, whatever the terminal's line breaks.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `knead serve` on a port of its own, with a signed-up patient; stopped on drop.
struct Web {
    _server: Served,
    /// Its log, kept open: the server writes a line a request to it.
    _log: BufReader<ChildStderr>,
    addr: String,
    cookie: String,
    csrf: String,
    _dir: tempfile::TempDir,
}

impl Web {
    fn start() -> Web {
        let dir = data_dir();
        let (server, log, addr) = serve(dir.path());
        let mut web =
            Web { _server: server, _log: log, addr, cookie: String::new(), csrf: String::new(), _dir: dir };
        (web.cookie, web.csrf) = signed_up(&web.addr, "parity@example.org", "a long enough secret");
        web
    }

    /// One request; the status, the head and the body as JSON (null when empty).
    fn call(&self, method: &str, path: &str, body: &str) -> (u16, String, serde_json::Value) {
        let answer = exchange(
            &self.addr,
            &format!(
                "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nCookie: {}\r\n\
                 X-CSRF-Token: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                self.addr,
                self.cookie,
                self.csrf,
                body.len()
            ),
        );
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, head.to_owned(), serde_json::from_str(body).unwrap_or(serde_json::Value::Null))
    }

    /// Screen the questionnaire's answers (with a clearance by `by` today, if given); the screening's id.
    #[allow(clippy::disallowed_methods, reason = "the server's today is the real one")]
    fn screen(&self, cleared_by: Option<&str>) -> String {
        let id = uuid::Uuid::now_v7();
        let today = Utc::now().date_naive();
        let clearance =
            cleared_by.map_or(String::new(), |by| format!(r#","clearance":{{"by":"{by}","on":"{today}"}}"#));
        let body = format!(
            r#"{{"id":"{id}","intake":{{"age_years":40,"pain":{{"intensity":4,"duration_days":5,"onset":"gradual",
                "character":["aching"]}},"equipment":["foam_roller"],"clinician_cleared":{}}}{clearance}}}"#,
            cleared_by.is_some()
        );
        let (status, _, answer) = self.call("POST", "/api/v1/screenings", &body);
        assert_eq!(status, 201, "{answer}");
        id.to_string()
    }

    fn plan(&self, screening: &str) -> (u16, serde_json::Value) {
        let (status, _, body) = self.call(
            "POST",
            "/api/v1/plans",
            &format!(r#"{{"screening":"{screening}","equipment":["foam_roller"]}}"#),
        );
        (status, body)
    }
}

#[test]
#[allow(clippy::disallowed_methods, reason = "the server and the terminal both run on the real clock")]
fn worse_pain_stops_a_plan_in_the_terminal_and_on_the_web_alike_until_a_clearance() {
    let now = Utc::now();
    // The terminal's journal.
    let dir = data_dir();
    let d = dir.path().to_str().unwrap();
    for (ago, before, after) in DAYS {
        let at = (now - Days::new(ago)).format("%Y-%m-%dT12:00:00Z").to_string();
        let (b, a) = (before.to_string(), after.to_string());
        let args = ["log", "--data-dir", d, "--technique", "hands", "--minutes", "5", "--pain-before", &b];
        knead().args(args).args(["--pain-after", &a, "--at", &at]).assert().success();
    }
    // The same on the web: sessions done with the guide on those days.
    let web = Web::start();
    let screening = web.screen(None);
    for (ago, before, after) in DAYS {
        let id = uuid::Uuid::now_v7();
        let started = (now - Days::new(ago)).format("%Y-%m-%dT12:00:00Z");
        let ended = (now - Days::new(ago)).format("%Y-%m-%dT12:05:00Z");
        let session = format!(
            r#"{{"id":"{id}","screening_id":"{screening}","started_at":"{started}","ended_at":"{ended}",
                "status":"completed","stop_reason":null,"plan":null,"steps":[],"usage":{{"hands":300}},
                "pain_before":{before},"pain_after":{after},"region":null,"note":null,"pack_version":"1"}}"#
        );
        let (status, _, body) = web.call("PUT", &format!("/api/v1/sessions/{id}"), &session);
        assert_eq!(status, 200, "{body}");
    }

    // The web refuses a plan, naming the flag.
    let (status, refused) = web.plan(&screening);
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["flag"], "worsening", "{refused}");
    let detail = refused["detail"].as_str().unwrap().to_owned();

    // The terminal refuses too, in the same words, and offers the clearance right there.
    let t = Tmux::knead(&["start", "--data-dir", d], &[("NO_COLOR", "1"), ("TZ", "UTC")]);
    answer_questions_with(&t, "5", &[]);
    t.answer("already assessed this back pain", &["n", "Enter"]);
    let screen = t.wait_for("[knead exited]", 10);
    assert!(words(&screen).contains(&words(&detail)), "the web said:\n{detail}\nthe terminal:\n{screen}");

    // A clearance today lets a plan through in both.
    let cleared = web.screen(Some("Dr Lee, GP"));
    let (status, planned) = web.plan(&cleared);
    assert_eq!(status, 200, "{planned}");
    let t = Tmux::knead(&["start", "--data-dir", d], &[("NO_COLOR", "1"), ("TZ", "UTC")]);
    answer_questions_with(&t, "5", &[]);
    t.answer("already assessed this back pain", &["y", "Enter"]);
    t.answer("Who cleared you?", &["Dr Lee, GP", "Enter"]);
    t.answer("On what day?", &["Enter"]);
    t.answer("before you start", &["Escape"]);
    t.wait_for("[knead exited]", 10);
}
