//! E-mail, sent through a real SMTP server: aiosmtpd (pinned in
//! `tools/smtp`, installed by `bash .ci/deps`), started by each test on a
//! free port and stopped with it, keeping what it receives in a Maildir
//! that the test reads back.
//!
//! Notices go to those who asked for them and say nothing of what waits;
//! a forgotten password is reset by a mailed link, once; a new address is
//! confirmed by a link sent to it; mail waits while the mail server is
//! down and goes once it is back.

use crate::support::{
    PASSWORD, TestApp, account, assert_problem, emergency_intake, invite_and_accept, json_of, spawn_app_with,
    text_of,
};
use chrono::Duration;
use knead_web::mailer::MailSettings;
use reqwest::StatusCode;
use serde_json::json;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use tokio::time::Instant;

/// Where the links in the mail lead (the tests take the token from them).
const SITE: &str = "https://knead.test";

/// aiosmtpd on 127.0.0.1:`port`, keeping mail in a Maildir; stopped when dropped.
pub(super) struct SmtpServer {
    child: Child,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    pub(super) async fn start(port: u16) -> Self {
        let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/smtp/.venv/bin/python");
        assert!(python.exists(), "{} is missing: run `bash .ci/deps`", python.display());
        let maildir = tempfile::tempdir().unwrap();
        let child = Command::new(python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Self { child, maildir };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed().as_secs() < 20, "aiosmtpd did not start");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        server
    }

    /// What it received so far, oldest first.
    fn received(&self) -> Vec<Received> {
        let mut files: Vec<PathBuf> = ["new", "cur"]
            .iter()
            .flat_map(|d| std::fs::read_dir(self.maildir.path().join("mail").join(d)).into_iter().flatten())
            .map(|e| e.unwrap().path())
            .collect();
        files.sort_by_key(|f| std::fs::metadata(f).unwrap().modified().unwrap());
        files.iter().map(|f| Received::parse(&std::fs::read_to_string(f).unwrap())).collect()
    }

    /// Wait (at most 30 s) until `n` mails have come, and return them.
    pub(super) async fn wait_for(&self, n: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(started.elapsed().as_secs() < 30, "{n} mails expected, {} came: {got:#?}", got.len());
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A mail as received.
#[derive(Debug, Clone)]
pub(super) struct Received {
    pub(super) to: String,
    pub(super) subject: String,
    message_id: String,
    pub(super) body: String,
}

impl Received {
    fn parse(text: &str) -> Self {
        let text = text.replace("\r\n", "\n");
        let (head, body) = text.split_once("\n\n").unwrap();
        let header = |name: &str| {
            head.lines()
                .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)))
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        let quoted = header("Content-Transfer-Encoding").eq_ignore_ascii_case("quoted-printable");
        Self {
            to: header("To"),
            subject: header("Subject"),
            message_id: header("Message-ID"),
            body: if quoted { unquote(body) } else { body.to_owned() },
        }
    }

    /// The token of the link in the body that leads to `path`.
    fn token(&self, path: &str) -> String {
        let start = format!("{SITE}{path}?token=");
        let at = self.body.find(&start).unwrap_or_else(|| panic!("no link to {path} in {}", self.body));
        self.body[at + start.len()..].split_whitespace().next().unwrap().to_owned()
    }
}

/// Quoted-printable (RFC 2045) back to text.
fn unquote(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Mail sent to 127.0.0.1:`port`, with links to [`SITE`].
pub(super) fn settings(port: u16) -> MailSettings {
    MailSettings::new(&format!("smtp://127.0.0.1:{port}"), "Knead <knead@example.org>", SITE).unwrap()
}

/// The app, sending mail to 127.0.0.1:`port`.
async fn app_mailing_to(port: u16) -> TestApp {
    let mail = settings(port);
    spawn_app_with(|config| config.mail = Some(mail)).await
}

async fn notices_on(who: &TestApp) {
    let (status, body) = json_of(who.put_json("/api/v1/me/notices", &json!({ "email": true })).await).await;
    assert_eq!((status, &body), (StatusCode::OK, &json!({ "email": true, "mail_available": true })));
}

#[tokio::test]
async fn notices_go_to_those_who_asked_and_say_nothing_of_what_waits() {
    let port = free_port();
    let smtp = SmtpServer::start(port).await;
    let app = app_mailing_to(port).await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();
    let write = |text: &str| json!({ "text": text, "before_session": true });
    let to_patient = format!("/api/v1/patients/{id}/messages");
    // Before anyone asked for notices: nothing is mailed.
    assert_eq!(
        clinician.post_json(&to_patient, &write("Before you asked.")).await.status(),
        StatusCode::CREATED
    );
    notices_on(&patient).await;
    notices_on(&clinician).await;
    let secret = "Please pause the massage until we speak.";
    assert_eq!(clinician.post_json(&to_patient, &write(secret)).await.status(), StatusCode::CREATED);
    let reply = json!({ "text": "Will do, my shoulder hurts." });
    assert_eq!(patient.post_json("/api/v1/messages", &reply).await.status(), StatusCode::CREATED);
    patient.screen(&emergency_intake()).await;

    let mut got = smtp.wait_for(3).await;
    got.sort_by(|a, b| (&a.to, &a.subject).cmp(&(&b.to, &b.subject)));
    let seen: Vec<(&str, &str)> = got.iter().map(|m| (m.to.as_str(), m.subject.as_str())).collect();
    assert_eq!(
        seen,
        [
            ("doc@example.org", "A patient in Knead needs your attention"),
            ("doc@example.org", "You have a new message in Knead"),
            ("pat@example.org", "You have a new message in Knead"),
        ]
    );
    for mail in &got {
        for private in ["pause", "shoulder", "pat@example.org", "jaw", "chest", "Before you asked"] {
            assert!(!mail.body.contains(private), "{private:?} in {mail:#?}");
        }
        assert!(mail.body.contains(SITE), "{mail:#?}");
    }
    let ids: std::collections::BTreeSet<&str> = got.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), 3, "each notice its own Message-ID: {got:#?}");
    // Nothing more was queued: the message before anyone asked stays unmailed.
    tokio::time::sleep(knead_web::outgoing::POLL * 2).await;
    assert_eq!(smtp.received().len(), 3);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_the_mailed_link_once() {
    let port = free_port();
    let smtp = SmtpServer::start(port).await;
    let app = app_mailing_to(port).await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let visitor = app.visitor();
    for email in ["nobody@example.org", "pat@example.org"] {
        let (status, body) =
            json_of(visitor.post_json("/api/v1/password-links", &json!({ "email": email })).await).await;
        assert_eq!(status, StatusCode::ACCEPTED, "the same answer for {email}: {body}");
        assert_eq!(body["detail"], knead_web::links::PASSWORD_LINK_SENT);
    }
    let got = smtp.wait_for(1).await;
    assert_eq!(
        (got[0].to.as_str(), got[0].subject.as_str()),
        ("pat@example.org", "Choose a new Knead password")
    );
    let token = got[0].token("/reset-password");

    // The link opens a form and spends nothing; a weak password spends nothing either.
    let (status, _, html) = text_of(visitor.get(&format!("/reset-password?token={token}")).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("value=\"{token}\"")), "{html}");
    let weak = json!({ "token": token, "new_password": "password123" });
    let (status, body) = json_of(visitor.post_json("/api/v1/password-links/use", &weak).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("new_password"));
    let new = "a quiet harbour at dawn";
    let reset = json!({ "token": token, "new_password": new });
    assert_eq!(
        visitor.post_json("/api/v1/password-links/use", &reset).await.status(),
        StatusCode::NO_CONTENT
    );
    // Every sign-in ended; the new password signs in, the old one does not.
    assert_eq!(patient.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    let old = json!({ "email": "pat@example.org", "password": PASSWORD });
    assert_eq!(visitor.post_json("/api/v1/sign-in", &old).await.status(), StatusCode::UNAUTHORIZED);
    let signed = json!({ "email": "pat@example.org", "password": new });
    assert_eq!(visitor.post_json("/api/v1/sign-in", &signed).await.status(), StatusCode::OK);
    // Once only.
    let again = json!({ "token": token, "new_password": "another quiet harbour" });
    let (status, body) = json_of(visitor.post_json("/api/v1/password-links/use", &again).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("token"));

    // A link lapses after an hour, on the page as in the API.
    assert_eq!(
        visitor.post_form("/forgot-password", &[("email", "pat@example.org")]).await.status(),
        StatusCode::ACCEPTED
    );
    let token = smtp.wait_for(2).await[1].token("/reset-password");
    app.clock().advance(Duration::minutes(61));
    let (status, _, html) = text_of(
        visitor
            .post_form("/reset-password", &[("token", &token), ("new_password", "yet another harbour")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains("Ask for a new one here") && html.contains("action=\"/forgot-password\""),
        "{html}"
    );
    // Three links an hour to one address: the fourth waits.
    app.clock().advance(Duration::minutes(61));
    for _ in 0..3 {
        let ask = visitor.post_json("/api/v1/password-links", &json!({ "email": "pat@example.org" })).await;
        assert_eq!(ask.status(), StatusCode::ACCEPTED);
    }
    let ask = visitor.post_json("/api/v1/password-links", &json!({ "email": "PAT@example.org " })).await;
    assert_eq!(ask.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_new_address_is_confirmed_by_the_link_sent_to_it() {
    let port = free_port();
    let smtp = SmtpServer::start(port).await;
    let app = app_mailing_to(port).await;
    let patient = account(&app, "pat@example.org", "patient").await;
    account(&app, "taken@example.org", "patient").await;
    let change = |password: &str, new: &str| json!({ "email": "pat@example.org", "password": password, "new_email": new });
    let (status, body) =
        json_of(patient.post_json("/api/v1/me/email", &change("wrong password!", "new@example.org")).await)
            .await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("password"));
    let (status, body) =
        json_of(patient.post_json("/api/v1/me/email", &change(PASSWORD, "not an address")).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("new_email"));
    let (status, body) =
        json_of(patient.post_json("/api/v1/me/email", &change(PASSWORD, "New@Example.org")).await).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    let mut got = smtp.wait_for(2).await;
    got.sort_by(|a, b| a.to.cmp(&b.to));
    assert_eq!(got[0].to, "new@example.org");
    assert_eq!(got[1].to, "pat@example.org", "the address now is told: {got:#?}");
    assert!(got[1].body.contains("If this was not you"), "{got:#?}");
    let token = got[0].token("/confirm-email");
    // Nothing changed yet.
    let signed = |email: &str| json!({ "email": email, "password": PASSWORD });
    let visitor = app.visitor();
    assert_eq!(
        visitor.post_json("/api/v1/sign-in", &signed("pat@example.org")).await.status(),
        StatusCode::OK
    );
    // A password link cannot be made of it.
    let wrong = json!({ "token": token, "new_password": "a quiet harbour at dawn" });
    let (status, body) = json_of(visitor.post_json("/api/v1/password-links/use", &wrong).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("token"));
    // Confirmed on the page, without a sign-in.
    let (status, _, html) = text_of(app.visitor().get(&format!("/confirm-email?token={token}")).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Yes, use this address"), "{html}");
    let (status, _, html) =
        text_of(app.visitor().post_form("/confirm-email", &[("token", &token)]).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("sign in with new@example.org"), "{html}");
    assert_eq!(
        visitor.post_json("/api/v1/sign-in", &signed("new@example.org")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.visitor().post_json("/api/v1/sign-in", &signed("pat@example.org")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // An address another account has is refused when the link is used.
    let to_taken =
        json!({ "email": "new@example.org", "password": PASSWORD, "new_email": "taken@example.org" });
    assert_eq!(patient.post_json("/api/v1/me/email", &to_taken).await.status(), StatusCode::ACCEPTED);
    let got = smtp.wait_for(4).await;
    let token = got.iter().find(|m| m.to == "taken@example.org").unwrap().token("/confirm-email");
    let (status, body) =
        json_of(app.visitor().post_json("/api/v1/email-links/use", &json!({ "token": token })).await).await;
    assert_problem(status, &body, StatusCode::UNPROCESSABLE_ENTITY, Some("email"));
}

#[tokio::test]
async fn mail_waits_while_the_mail_server_is_down_and_goes_once() {
    let port = free_port();
    let app = app_mailing_to(port).await;
    account(&app, "pat@example.org", "patient").await;
    let ask = app.visitor().post_json("/api/v1/password-links", &json!({ "email": "pat@example.org" })).await;
    assert_eq!(ask.status(), StatusCode::ACCEPTED, "the request does not wait for the mail server");
    // The first try fails (nothing listens); the mail waits 30 seconds.
    tokio::time::sleep(knead_web::outgoing::POLL * 2).await;
    let smtp = SmtpServer::start(port).await;
    tokio::time::sleep(knead_web::outgoing::POLL * 2).await;
    assert!(smtp.received().is_empty(), "not before its retry");
    app.clock().advance(Duration::seconds(31));
    let got = smtp.wait_for(1).await;
    assert_eq!(got[0].subject, "Choose a new Knead password");
    tokio::time::sleep(knead_web::outgoing::POLL * 2).await;
    assert_eq!(smtp.received().len(), 1, "sent once");
}

#[tokio::test]
async fn a_server_without_mail_says_so_and_offers_none() {
    let app = spawn_app_with(|_| {}).await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let (status, body) = json_of(
        app.visitor().post_json("/api/v1/password-links", &json!({ "email": "pat@example.org" })).await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["type"].as_str().unwrap().ends_with("no-mail"), "{body}");
    assert!(body["detail"].as_str().unwrap().contains("knead admin reset-password"), "{body}");
    let (_, _, html) = text_of(patient.get("/account").await).await;
    assert!(!html.contains("notices-form") && !html.contains("email-form"), "{html}");
    let (status, body) = json_of(patient.get("/api/v1/me/notices").await).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "email": false, "mail_available": false })));
}

#[tokio::test]
async fn a_sign_up_with_a_taken_address_answers_as_any_and_tells_its_owner() {
    let port = free_port();
    let smtp = SmtpServer::start(port).await;
    let app = app_mailing_to(port).await;
    account(&app, "pat@example.org", "patient").await;
    let visitor = app.visitor();
    let mut answers = Vec::new();
    for email in ["pat@example.org", "new@example.org"] {
        let body = json!({ "email": email, "password": "another long passphrase" });
        answers.push(json_of(visitor.post_json("/api/v1/accounts", &body).await).await);
    }
    assert_eq!(answers[0], answers[1], "the same answer, taken or not");
    let got = smtp.wait_for(1).await;
    assert_eq!(got[0].to, "pat@example.org");
    assert_eq!(got[0].subject, "Someone tried to make a Knead account with your address");
    assert!(got[0].body.contains(&format!("{SITE}/forgot-password")), "{:#?}", got[0]);
    tokio::time::sleep(knead_web::outgoing::POLL * 2).await;
    assert_eq!(smtp.received().len(), 1, "nothing to the new address");
}
