//! `knead serve` as a process: it says where it listens, logs one line a
//! request without personal data, and stops cleanly on SIGTERM.

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

/// `knead serve` on a free port with its data in `dir`: the process, its
/// log after the first line, and the address it listens on.
pub(crate) fn serve(dir: &std::path::Path) -> (Child, BufReader<ChildStderr>, String) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_knead"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("KNEAD_DATA_DIR", dir)
        .env_remove("KNEAD_LOG")
        .env_remove("KNEAD_DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_owned();
    (server, stderr, addr)
}

#[test]
fn serve_logs_requests_without_personal_data_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, mut stderr, addr) = serve(dir.path());

    let email = "private.person@example.org";
    let password = "a secret nobody logs";
    let signed_up = post_json(
        &addr,
        "/api/v1/accounts",
        "",
        &format!(r#"{{"email":"{email}","password":"{password}","role":"patient"}}"#),
    );
    assert!(signed_up.starts_with("HTTP/1.1 201"), "{signed_up}");
    let cookie = signed_up
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
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
        "route=/api/v1/accounts status=201",
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
