//! `knead admin backup` while the server takes writes, and `knead admin
//! restore` once it is stopped: the restored server has every session that
//! was answered before the backup began. The server's health check answers
//! throughout.

use crate::serve::{Served, exchange, post_json, serve, signed_up};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn admin(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_knead"))
        .arg("admin")
        .args(args)
        .env("KNEAD_DATA_DIR", dir)
        .env_remove("KNEAD_DATABASE_URL")
        .output()
        .unwrap()
}

fn said(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// Keep a completed session on day `day` after 2000-01-01 (one a day keeps
/// every write within the daily limits); whether it was answered 200.
fn keep_session(addr: &str, auth: &str, screening: &str, day: u32) -> Option<Uuid> {
    let id = Uuid::now_v7();
    let start = chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(10_957 + i64::from(day));
    let at = |minutes: i64| (start + chrono::Duration::minutes(8 * 60 + minutes)).to_rfc3339();
    let body = serde_json::json!({
        "id": id, "screening_id": screening, "started_at": at(0), "ended_at": at(10), "status": "completed",
        "stop_reason": null, "plan": null, "steps": [], "usage": {"hands": 300}, "pain_before": 5,
        "pain_after": 3, "region": null, "note": null, "pack_version": "any"
    })
    .to_string();
    let answer = exchange(
        addr,
        &format!(
            "PUT /api/v1/sessions/{id} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n{auth}Connection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    answer.starts_with("HTTP/1.1 200").then_some(id)
}

fn get(addr: &str, path: &str, auth: &str) -> String {
    exchange(addr, &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"))
}

/// Read the server's log as it comes: a log line a request would fill the
/// pipe, and the server would wait on it.
fn drain(mut log: impl std::io::Read + Send + 'static) {
    std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
}

fn stop(mut server: Served) {
    let killed = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(killed.success());
    assert!(server.wait().unwrap().success());
}

#[test]
#[allow(
    clippy::disallowed_methods,
    reason = "a real server under load: which answers came before the backup began"
)]
fn a_backup_taken_under_load_restores_every_session_answered_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.sqlite3");
    let (server, stderr, addr) = serve(dir.path());
    drain(stderr);
    let health = get(&addr, "/health", "");
    assert!(health.starts_with("HTTP/1.1 200") && health.ends_with("\r\n\r\nok\n"), "{health}");

    let (cookie, csrf) = signed_up(&addr, "ana@example.org", "a long test password");
    let auth = format!("Cookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\n");
    let intake = r#"{"id":"%ID%","intake":{"age_years":40,"pain":{"intensity":5,"duration_days":20}}}"#;
    let answer =
        post_json(&addr, "/api/v1/screenings", &auth, &intake.replace("%ID%", &Uuid::now_v7().to_string()));
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let body: serde_json::Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let screening = body["id"].as_str().unwrap().to_owned();

    // Two writers keep sessions until told to stop, noting when each was answered.
    let done = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(Mutex::new(Vec::<(Uuid, Instant)>::new()));
    let writers: Vec<_> = (0..2u32)
        .map(|writer| {
            let (addr, auth, screening) = (addr.clone(), auth.clone(), screening.clone());
            let (done, answered) = (Arc::clone(&done), Arc::clone(&answered));
            std::thread::spawn(move || {
                let mut day = writer * 10_000;
                while !done.load(Ordering::Relaxed) {
                    day += 1;
                    if let Some(id) = keep_session(&addr, &auth, &screening, day) {
                        answered.lock().unwrap().push((id, Instant::now()));
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let began = Instant::now();
    let backed_up = admin(dir.path(), &["backup", backup.to_str().unwrap()]);
    assert!(backed_up.status.success(), "{}", said(&backed_up));
    assert!(said(&backed_up).starts_with("Backed up 1 accounts and "), "{}", said(&backed_up));
    std::thread::sleep(Duration::from_millis(300));
    done.store(true, Ordering::Relaxed);
    writers.into_iter().for_each(|w| w.join().unwrap());
    let answered = answered.lock().unwrap().clone();
    let before: Vec<Uuid> = answered.iter().filter(|(_, at)| *at < began).map(|(id, _)| *id).collect();
    assert!(before.len() >= 5 && before.len() < answered.len(), "{} of {}", before.len(), answered.len());

    // A backup never overwrites a file; a restore waits for the server to stop.
    let again = admin(dir.path(), &["backup", backup.to_str().unwrap()]);
    assert!(!again.status.success() && said(&again).contains("already exists"), "{}", said(&again));
    let refused = admin(dir.path(), &["restore", backup.to_str().unwrap()]);
    assert!(
        !refused.status.success() && said(&refused).contains("a server is running"),
        "{}",
        said(&refused)
    );
    assert!(get(&addr, "/api/v1/sessions", &auth).contains(&answered.last().unwrap().0.to_string()));
    stop(server);

    // What is not a backup is refused, and changes nothing.
    let stray = dir.path().join("notes.txt");
    std::fs::write(&stray, "not a database").unwrap();
    let refused = admin(dir.path(), &["restore", stray.to_str().unwrap()]);
    assert!(!refused.status.success() && said(&refused).contains("not a Knead backup"), "{}", said(&refused));

    let restored = admin(dir.path(), &["restore", backup.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", said(&restored));
    assert!(said(&restored).contains("The database it replaced is kept as"), "{}", said(&restored));
    let (_server, stderr, addr) = serve(dir.path());
    drain(stderr);
    let (cookie, csrf) = {
        let answer = post_json(
            &addr,
            "/api/v1/sign-in",
            "",
            r#"{"email":"ana@example.org","password":"a long test password"}"#,
        );
        assert!(answer.starts_with("HTTP/1.1 200"), "the account came back: {answer}");
        let cookie = answer.lines().find_map(|l| l.strip_prefix("set-cookie: ")).unwrap();
        let body: serde_json::Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        (cookie.split(';').next().unwrap().to_owned(), body["csrf"].as_str().unwrap().to_owned())
    };
    let list = get(&addr, "/api/v1/sessions", &format!("Cookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\n"));
    let missing: Vec<_> = before.iter().filter(|id| !list.contains(&id.to_string())).collect();
    eprintln!("{} sessions answered before the backup began, {} in all", before.len(), answered.len());
    assert!(
        missing.is_empty(),
        "{} of {} sessions answered before the backup are missing",
        missing.len(),
        before.len()
    );
}
