//! Memory stays flat as a journal grows (issue 15 item 10): `knead serve`
//! as a process of its own, so that its `/proc/PID/status` is the
//! server's alone, serving every page, API answer and document that reads
//! a whole journal, first for small journals and then for big ones.
//!
//! Its peak resident memory (`VmHWM`) is printed and must stay under
//! [`PEAK_MIB`], and the big journals may add at most [`GROWTH_MIB`] to
//! what the small ones took: an answer that holds the whole journal grows
//! with it. CI runs it at [`CI_SIZES`]; `bash bench/soak.sh` runs the
//! full size (ten years at six sessions a day, and 100,000 sessions),
//! setting `KNEAD_SOAK_SESSIONS=21900,100000`; `KNEAD_SOAK_BINARY` names
//! another build's `knead` to soak instead (an older commit, to compare).

use crate::serve::{exchange, post_json, serve_program, signed_up_as};
use knead_core::records::{Journal, PersonId};
use knead_store::Store as _;
use knead_store::any::AnyStore;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpStream;

/// The server's peak resident memory may not pass this, in MiB.
const PEAK_MIB: u64 = 150;

/// What the big journals may add to the peak the small ones made, in MiB.
const GROWTH_MIB: u64 = 24;

/// Sessions of the two patients in CI (bounded time on two cores).
const CI_SIZES: (usize, usize) = (21_900, 40_000);

/// Sessions each patient starts with: every answer is made once, small,
/// before the peak is read the first time.
const SMALL: usize = 60;

/// One patient's journal of `n` sessions, six a day from 2016-11-24, as
/// `bench/make-journal.py` writes it (logged sessions, no plans or steps);
/// `tag` keeps each patient's ids apart, `skip` leaves out the first ones.
fn journal(tag: u128, skip: usize, n: usize) -> Journal {
    let start = chrono::DateTime::parse_from_rfc3339("2016-11-24T07:00:00Z").unwrap().to_utc();
    let techniques = ["hands", "foam_roller", "electric_massager"];
    let regions = ["left", "right", "centre", "both_sides"];
    let sessions: Vec<serde_json::Value> = (skip..n)
        .map(|i| {
            let at = start + chrono::Duration::minutes(i64::try_from(i / 6 * 1440 + i % 6 * 120).unwrap());
            let before = 2 + i % 6;
            serde_json::json!({
                "id": uuid::Uuid::from_u128((tag << 96) | (0x7 << 76) | (0x8 << 60) | i as u128),
                "screening_id": null,
                "started_at": at,
                "ended_at": at + chrono::Duration::minutes(8),
                "status": "logged",
                "stop_reason": null,
                "plan": null,
                "steps": [],
                "usage": { techniques[i % 3]: 120 + i % 480 },
                "pain_before": before,
                "pain_after": before - i % 3,
                "region": regions[i % 4],
                "note": null,
                "pack_version": "2026.11.1",
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({
        "format": "knead-journal", "version": 1, "exported_at": "2026-11-24T00:00:00Z",
        "screenings": [], "sessions": sessions, "checkins": [],
    }))
    .unwrap()
}

/// The sizes to soak at: `KNEAD_SOAK_SESSIONS=A,B`, else [`CI_SIZES`].
fn sizes() -> (usize, usize) {
    match std::env::var("KNEAD_SOAK_SESSIONS") {
        Ok(text) => {
            let (a, b) = text.split_once(',').expect("KNEAD_SOAK_SESSIONS: two counts, e.g. 21900,100000");
            (a.trim().parse().unwrap(), b.trim().parse().unwrap())
        }
        Err(_) => CI_SIZES,
    }
}

/// A `kB` line of the process's `/proc/PID/status`, in MiB.
fn status_mib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find_map(|l| l.strip_prefix(field)).unwrap_or_else(|| panic!("no {field}"));
    line.trim_start_matches(':').trim().trim_end_matches(" kB").trim().parse::<u64>().unwrap() / 1024
}

/// `GET path` as whoever `cookie` signs in; the answer's status line and
/// the bytes that followed it (read and thrown away: this process's
/// memory is not what is measured).
fn get(addr: &str, path: &str, cookie: &str) -> (String, u64) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    let bytes = std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
    (status.trim_end().to_owned(), bytes)
}

/// Sign up with `role`, then in: the cookie, the CSRF token and the person.
fn account(addr: &str, email: &str, role: &str) -> (String, String, PersonId) {
    let (cookie, me) = signed_up_as(addr, email, "a long soak password", role);
    let person = PersonId(me["person"].as_str().unwrap().parse().unwrap());
    (cookie, me["csrf"].as_str().unwrap().to_owned(), person)
}

/// The body of an answer as JSON.
fn body(answer: &str) -> serde_json::Value {
    serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap()
}

/// The patients, their clinician and the calendar feed, on a running server.
struct Soaked {
    patients: Vec<(String, PersonId)>,
    clinician: String,
    feed: String,
}

impl Soaked {
    fn new(addr: &str) -> Soaked {
        let (doctor, doctor_csrf, _) = account(addr, "doctor@example.org", "clinician");
        let mut patients = Vec::new();
        let mut feed = String::new();
        for name in ["ten.years", "hundred.thousand"] {
            let (cookie, csrf, person) = account(addr, &format!("{name}@example.org"), "patient");
            let headers = format!("Cookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\n");
            let invited = post_json(addr, "/api/v1/invitations", &headers, "");
            assert!(invited.starts_with("HTTP/1.1 201"), "{invited}");
            let code = body(&invited)["code"].as_str().unwrap().to_owned();
            let accepted = post_json(
                addr,
                "/api/v1/invitations/accept",
                &format!("Cookie: {doctor}\r\nX-CSRF-Token: {doctor_csrf}\r\n"),
                &format!(r#"{{"code":"{code}"}}"#),
            );
            assert!(accepted.starts_with("HTTP/1.1 201"), "{accepted}");
            if feed.is_empty() {
                let request = r#"{"times":["07:30","19:00"]}"#;
                let made = exchange(
                    addr,
                    &format!(
                        "PUT /api/v1/calendar HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
                         Content-Length: {}\r\n{headers}Connection: close\r\n\r\n{request}",
                        request.len()
                    ),
                );
                assert!(made.starts_with("HTTP/1.1 201"), "{made}");
                feed = body(&made)["url"].as_str().unwrap().to_owned();
            }
            patients.push((cookie, person));
        }
        Soaked { patients, clinician: doctor, feed }
    }

    /// Every answer that reads a whole journal, for each patient; the
    /// bytes sent in all.
    fn serve_all(&self, addr: &str) -> u64 {
        let mut sent = 0;
        for (cookie, person) in &self.patients {
            let patient = person.0;
            let own = [
                "/history",
                "/progress",
                "/progress.svg",
                "/report.pdf",
                "/api/v1/sessions",
                "/api/v1/progress",
                "/api/v1/me/journal",
                "/api/v1/me/fhir",
            ];
            for path in own {
                sent += ok(addr, path, cookie);
            }
            for path in [
                "/clinic".to_owned(),
                "/api/v1/patients".to_owned(),
                format!("/clinic/patients/{patient}"),
                format!("/api/v1/patients/{patient}"),
                format!("/clinic/patients/{patient}/progress.svg"),
            ] {
                sent += ok(addr, &path, &self.clinician);
            }
        }
        sent + ok(addr, &self.feed, "")
    }
}

/// `GET path`, which must answer 200; the bytes sent.
fn ok(addr: &str, path: &str, cookie: &str) -> u64 {
    let (status, bytes) = get(addr, path, cookie);
    assert_eq!(status, "HTTP/1.1 200 OK", "GET {path}");
    bytes
}

/// Serve small journals, then big ones, on the database at `url` (the
/// server's data folder is `dir`); print and check the server's peak.
fn soak(dir: &std::path::Path, url: &str, backend: &str) {
    let (big_a, big_b) = sizes();
    // Another build's server may be soaked for a comparison (`KNEAD_SOAK_BINARY`).
    let program = std::env::var_os("KNEAD_SOAK_BINARY").unwrap_or_else(|| env!("CARGO_BIN_EXE_knead").into());
    let (server, stderr, addr) = serve_program(&program, dir, &["--database-url", url]);
    // The request log is read so that the server never waits on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr.into_inner(), &mut std::io::sink()));
    let soaked = Soaked::new(&addr);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let store = runtime.block_on(AnyStore::open(url)).unwrap();
    let load = |skip: usize, sizes: [usize; 2]| {
        for (tag, ((_, person), n)) in soaked.patients.iter().zip(sizes).enumerate() {
            let tag = u128::try_from(tag).unwrap() + 1;
            runtime.block_on(store.import(*person, &journal(tag, skip, n))).unwrap();
        }
    };

    load(0, [SMALL, SMALL]);
    let small_bytes = soaked.serve_all(&addr);
    let small = status_mib(server.id(), "VmHWM");
    load(SMALL, [big_a, big_b]);
    let big_bytes = soaked.serve_all(&addr);
    let (peak, rss) = (status_mib(server.id(), "VmHWM"), status_mib(server.id(), "VmRSS"));
    runtime.block_on(store.close());
    eprintln!(
        "soak ({backend}): peak resident (VmHWM) {small} MiB after serving {SMALL} sessions each \
         ({small_bytes} bytes sent), {peak} MiB after {big_a} and {big_b} sessions ({big_bytes} bytes sent); \
         resident now {rss} MiB"
    );
    drop(server);
    assert!(peak < PEAK_MIB, "the server's peak resident memory, {peak} MiB, passed {PEAK_MIB} MiB");
    assert!(
        peak <= small + GROWTH_MIB,
        "the server's peak grew from {small} MiB to {peak} MiB with the journals: more than {GROWTH_MIB} MiB"
    );
}

#[test]
fn memory_stays_flat_as_journals_grow_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("server.sqlite3").display());
    soak(dir.path(), &url, "SQLite");
}

#[test]
fn memory_stays_flat_as_journals_grow_on_postgres() {
    let Some(server) = knead_testkit::postgres::server_url() else { return };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (database, url) = runtime.block_on(knead_testkit::postgres::TestDatabase::create(&server));
    let dir = tempfile::tempdir().unwrap();
    soak(dir.path(), &url, "PostgreSQL");
    drop(database);
}
