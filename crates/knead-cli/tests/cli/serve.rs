//! `knead serve` as a process: it says where it listens, logs one line a
//! request without personal data, stops cleanly on SIGTERM, and takes its
//! trusted proxies and connection limits from the command line.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, Command, Stdio};

/// One HTTP/1.1 exchange on a fresh connection; the whole answer as text.
pub(crate) fn exchange(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// POST `body` as JSON, with `headers` (each line ending in `\r\n`).
pub(crate) fn post_json(addr: &str, path: &str, headers: &str, body: &str) -> String {
    exchange(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             {headers}Connection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

/// Sign a new patient up on the server at `addr`, then in (sign-up signs
/// nobody in: it answers alike whether or not the address is taken). The
/// cookie (`name=value`) and the CSRF token.
pub(crate) fn signed_up(addr: &str, email: &str, password: &str) -> (String, String) {
    let (cookie, me) = signed_up_as(addr, email, password, "patient");
    (cookie, me["csrf"].as_str().unwrap().to_owned())
}

/// [`signed_up`] with a role (`patient` or `clinician`): the cookie
/// (`name=value`) and what signing in answered (`person`, `role`, `csrf`).
pub(crate) fn signed_up_as(
    addr: &str,
    email: &str,
    password: &str,
    role: &str,
) -> (String, serde_json::Value) {
    let account = format!(r#"{{"email":"{email}","password":"{password}","role":"{role}"}}"#);
    let answer = post_json(addr, "/api/v1/accounts", "", &account);
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
    let answer =
        post_json(addr, "/api/v1/sign-in", "", &format!(r#"{{"email":"{email}","password":"{password}"}}"#));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let cookie = answer
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    (cookie, serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap())
}

/// A `knead serve` process, killed when dropped: a test that fails
/// half-way leaves no server running.
pub(crate) struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl std::ops::Deref for Served {
    type Target = Child;

    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Served {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

/// `knead serve` on a free port with its data in `dir`: the process, its
/// log after the first line, and the address it listens on.
pub(crate) fn serve(dir: &std::path::Path) -> (Served, BufReader<ChildStderr>, String) {
    serve_with(dir, &[])
}

/// As [`serve`], with more arguments.
fn serve_with(dir: &std::path::Path, args: &[&str]) -> (Served, BufReader<ChildStderr>, String) {
    serve_program(env!("CARGO_BIN_EXE_knead").as_ref(), dir, args)
}

/// As [`serve_with`], with the `knead` binary at `program`. What the
/// server logs before it listens (on PostgreSQL, the database's notices
/// while it migrates) is passed over.
pub(crate) fn serve_program(
    program: &std::ffi::OsStr,
    dir: &std::path::Path,
    args: &[&str],
) -> (Served, BufReader<ChildStderr>, String) {
    let mut server = Served(
        Command::new(program)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env("KNEAD_DATA_DIR", dir)
            .env_remove("KNEAD_LOG")
            .env_remove("KNEAD_DATABASE_URL")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let mut before = String::new();
    let addr = loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            panic!("the server stopped before it listened: {before}");
        }
        if let Some(addr) =
            line.split("Knead is serving on http://").nth(1).and_then(|rest| rest.split('/').next())
        {
            break addr.to_owned();
        }
        before.push_str(&line);
    };
    (server, stderr, addr)
}

#[test]
fn serve_logs_requests_without_personal_data_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, mut stderr, addr) = serve(dir.path());

    let email = "private.person@example.org";
    let password = "a secret nobody logs";
    let (cookie, _) = signed_up(&addr, email, password);
    let wrong = post_json(
        &addr,
        "/api/v1/sign-in",
        "",
        &format!(r#"{{"email":"{email}","password":"wrong one!!"}}"#),
    );
    assert!(wrong.starts_with("HTTP/1.1 401"), "{wrong}");
    let session_id = "0193a0a0-0000-7000-8000-00000000abcd";
    let missing = exchange(
        &addr,
        &format!(
            "GET /api/v1/sessions/{session_id} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");

    let killed = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = server.wait().unwrap();
    let mut log = String::new();
    stderr.read_to_string(&mut log).unwrap();
    assert!(status.success(), "{status}: {log}");
    assert!(log.contains("Knead stopped."), "{log}");

    // One line a request, by route as declared...
    for line in [
        "route=/api/v1/accounts status=202",
        "route=/api/v1/sign-in status=200",
        "route=/api/v1/sign-in status=401",
        "route=/api/v1/sessions/{id} status=404",
    ] {
        assert!(log.contains(line), "no {line:?} in:\n{log}");
    }
    // ...and nothing that names the person or could act as them.
    let token = cookie.split_once('=').unwrap().1;
    for secret in [email, "private.person", password, token, session_id] {
        assert!(!log.contains(secret), "{secret:?} is in the log:\n{log}");
    }
}

#[test]
fn serve_takes_its_proxies_and_connection_limits_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, _stderr, addr) =
        serve_with(dir.path(), &["--trusted-proxy", "127.0.0.0/8", "--header-timeout", "1"]);

    // Each client behind the trusted proxy has an allowance of its own
    // (10 sign-in attempts a minute).
    let fail = |client: &str, n: u32| {
        let body = format!(r#"{{"email":"nobody{n}@example.org","password":"wrong password!"}}"#);
        let answer = post_json(&addr, "/api/v1/sign-in", &format!("X-Forwarded-For: {client}\r\n"), &body);
        answer.split(' ').nth(1).unwrap_or_default().to_owned()
    };
    for n in 0..10 {
        assert_eq!(fail("203.0.113.5", n), "401");
    }
    assert_eq!(fail("203.0.113.5", 10), "429");
    assert_eq!(fail("203.0.113.6", 11), "401");

    // A connection that sends nothing is closed after a second.
    let mut silent = TcpStream::connect(&addr).unwrap();
    silent.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    let mut seen = Vec::new();
    let ended = silent.read_to_end(&mut seen);
    assert!(ended.is_ok(), "a silent connection is still held: {ended:?}");
}

#[test]
fn serve_refuses_a_proxy_or_a_limit_it_cannot_read_and_says_what_is_allowed() {
    for (args, allowed) in [
        (["--trusted-proxy", "proxy.example.org"], "allowed: e.g. 10.0.0.5, 10.0.0.0/8 or fd00::/8"),
        (["--forwarded-header", "x-real-ip"], "allowed: x-forwarded-for or forwarded"),
        (["--max-connections", "0"], "allowed: a whole number, 1 or more"),
        (["--header-timeout", "0"], "1..=600"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_knead"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(allowed), "{args:?}: {stderr}");
    }
}

/// GET `path` with `cookie`: the whole answer.
fn get(addr: &str, path: &str, cookie: &str) -> String {
    exchange(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"),
    )
}

/// `knead admin reset-password EMAIL` on the data in `dir`.
fn reset(dir: &std::path::Path, email: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_knead"))
        .args(["admin", "reset-password", email])
        .env("KNEAD_DATA_DIR", dir)
        .env_remove("KNEAD_DATABASE_URL")
        .output()
        .unwrap()
}

/// The operator resets a forgotten password while the server runs: a new
/// one is printed once, the old one and every sign-in stop working at the
/// next request, and the new one signs in.
#[test]
fn an_operator_resets_a_forgotten_password_and_every_sign_in_ends() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, _stderr, addr) = serve(dir.path());
    let (email, old) = ("forgetful@example.org", "a password long forgotten");
    let (cookie, _) = signed_up(&addr, email, old);
    assert!(get(&addr, "/api/v1/me", &cookie).starts_with("HTTP/1.1 200"));

    let done = reset(dir.path(), email);
    let said = String::from_utf8(done.stdout).unwrap();
    assert!(done.status.success(), "{said}{}", String::from_utf8_lossy(&done.stderr));
    let new = said
        .strip_prefix(&format!("New password for {email}: "))
        .and_then(|rest| rest.lines().next())
        .unwrap_or_else(|| panic!("no password in {said:?}"));
    assert!(new.len() >= 40, "{new}");
    assert!(get(&addr, "/api/v1/me", &cookie).starts_with("HTTP/1.1 401"), "the old sign-in ended");
    let sign_in = |password: &str| {
        post_json(&addr, "/api/v1/sign-in", "", &format!(r#"{{"email":"{email}","password":"{password}"}}"#))
    };
    assert!(sign_in(old).starts_with("HTTP/1.1 401"));
    assert!(sign_in(new).starts_with("HTTP/1.1 200"));

    // An address with no account: refused, saying so, nothing changed.
    let none = reset(dir.path(), "nobody@example.org");
    assert!(!none.status.success());
    let said = String::from_utf8_lossy(&none.stderr);
    assert!(said.contains("nobody@example.org") && said.contains("no account has this address"), "{said}");
}
