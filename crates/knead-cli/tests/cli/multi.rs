//! Several servers, one database, one proxy (issue 14 item 2): `knead
//! serve` processes share a PostgreSQL database behind a real nginx, run
//! with docs/nginx.conf, and what must hold across servers holds: a
//! sign-in and its end, the sign-in allowances, a patient's daily limits,
//! a revoked grant, every answered write when a server is killed, and the
//! client's address only from a proxy the servers were told to trust.
//!
//! Requests a person would make go through nginx, which spreads them over
//! the servers in turn. Where a check must see every server, it also asks
//! each server directly. Clients connect from addresses of their own on
//! the loopback (127.0.0.2, 127.0.0.3, ...), so nginx sees each as a
//! different client, as it would see people on the internet; nginx itself
//! reaches the servers from 127.0.0.1.
//!
//! Each test has a database, servers and an nginx of its own; all are
//! stopped and dropped when it ends, passed or failed.

#![allow(
    clippy::disallowed_methods,
    reason = "real processes: waiting for nginx to listen and stop, for a log line, and for load before a kill"
)]

use crate::serve::{Served, serve_program};
use knead_testkit::postgres::{TestDatabase, server_url};
use socket2::{Domain, Socket, Type};
use std::io::{BufRead as _, Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// The nginx configuration operators are given, as the test runs it.
const SITE: &str = include_str!("../../../../docs/nginx.conf");

/// docs/nginx.conf with `servers` in its upstream, listening on `listen`
/// over plain HTTP; every other line as written. Fails when the file no
/// longer has the lines this replaces, rather than test something else.
fn site(servers: &[String], listen: &str) -> String {
    let (mut upstreams, mut listens, mut certificates) = (0, 0, 0);
    let mut out = String::new();
    for line in SITE.lines() {
        let text = line.trim_start();
        if text.starts_with("server ") && text.ends_with(';') {
            if upstreams == 0 {
                servers.iter().for_each(|s| out.push_str(&format!("    server {s};\n")));
            }
            upstreams += 1;
        } else if text.starts_with("listen ") {
            if listens == 0 {
                out.push_str(&format!("    listen {listen};\n"));
            }
            listens += 1;
        } else if text.starts_with("ssl_certificate") {
            certificates += 1;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(
        upstreams > 0 && listens > 0 && certificates == 2,
        "docs/nginx.conf: expected upstream `server` lines, a `listen` line and two `ssl_certificate` lines"
    );
    out
}

/// The nginx program: on the `PATH`, or where Debian puts it.
fn nginx_program() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("nginx"));
    on_path.chain([PathBuf::from("/usr/sbin/nginx")]).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!("these tests run nginx: install it (`bash .ci/deps` does, as root on Debian)")
    })
}

/// A free port on the loopback (free when asked; nobody else here binds
/// one between then and nginx's start).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An nginx of the test's own (its configuration, logs and temporary
/// files in a folder of its own; no system service), killed when dropped.
struct Nginx {
    child: Child,
    addr: String,
    dir: tempfile::TempDir,
}

impl Nginx {
    fn start(servers: &[String]) -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        // Run as root, nginx's workers become `nobody`, who must reach the folder.
        std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let addr = format!("127.0.0.1:{}", free_port());
        let prefix = dir.path().display();
        std::fs::write(dir.path().join("knead.conf"), site(servers, &addr)).unwrap();
        std::fs::write(
            dir.path().join("nginx.conf"),
            format!(
                "worker_processes 1;\npid {prefix}/nginx.pid;\nevents {{ worker_connections 512; }}\n\
                 http {{\n    access_log {prefix}/access.log;\n    client_body_temp_path {prefix}/body;\n    \
                 proxy_temp_path {prefix}/proxy;\n    fastcgi_temp_path {prefix}/fastcgi;\n    \
                 uwsgi_temp_path {prefix}/uwsgi;\n    scgi_temp_path {prefix}/scgi;\n    \
                 include {prefix}/knead.conf;\n}}\n"
            ),
        )
        .unwrap();
        let error_log = dir.path().join("error.log");
        let child = Command::new(nginx_program())
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .arg("-e")
            .arg(&error_log)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut nginx = Nginx { child, addr, dir };
        for _ in 0..200 {
            if TcpStream::connect(&nginx.addr).is_ok() {
                return nginx;
            }
            if let Some(status) = nginx.child.try_wait().unwrap() {
                panic!(
                    "nginx stopped ({status}): {}",
                    std::fs::read_to_string(&error_log).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("nginx did not listen on {}: {}", nginx.addr, nginx.error_log());
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: the master stops its workers, then itself (killed, it
        // would leave them holding the port). SIGKILL if it has not
        // stopped in five seconds.
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer: its status, head and body.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }

    /// The sign-in cookie it sets, as `name=value`.
    fn cookie(&self) -> String {
        self.head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("set-cookie: "))
            .map(|l| &l["set-cookie: ".len()..])
            .and_then(|c| c.split(';').next())
            .unwrap_or_else(|| panic!("no cookie: {self:?}"))
            .to_owned()
    }

    /// A 429 because the server's password hashing was full, not because an
    /// allowance was spent (such a refusal counts no attempt).
    fn busy(&self) -> bool {
        self.status == 429 && self.body.contains("server-busy")
    }
}

/// A chunked body, joined.
fn dechunk(mut chunked: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line = chunked.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = std::str::from_utf8(&chunked[..line]).unwrap();
        let size = usize::from_str_radix(size.split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&chunked[line + 2..line + 2 + size]);
        chunked = &chunked[line + 2 + size + 2..];
    }
}

/// One request on a connection of its own from `from` (a loopback
/// address) to `to`; `headers` each end in `\r\n`. `None` when the
/// connection failed or ended without an answer.
fn try_send(to: &str, from: Ipv4Addr, method: &str, path: &str, headers: &str, body: &str) -> Option<Answer> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.bind(&SocketAddr::from((from, 0)).into()).unwrap();
    socket.connect(&to.parse::<SocketAddr>().unwrap().into()).ok()?;
    let mut stream: TcpStream = socket.into();
    // A test that waits for ever says nothing: a minute is far past any answer here.
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let length = if body.is_empty() && method == "GET" {
        String::new()
    } else {
        format!("Content-Length: {}\r\n", body.len())
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {to}\r\nContent-Type: application/json\r\n{length}{headers}\
         Connection: close\r\n\r\n{body}"
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let body = &raw[split + 4..];
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    let body = if chunked { dechunk(body) } else { body.to_vec() };
    Some(Answer { status, head, body: String::from_utf8(body).unwrap() })
}

/// As [`try_send`], which must be answered.
fn send(to: &str, from: Ipv4Addr, method: &str, path: &str, headers: &str, body: &str) -> Answer {
    try_send(to, from, method, path, headers, body)
        .unwrap_or_else(|| panic!("no answer from {to} to {method} {path}"))
}

/// The loopback address client `n` connects from (127.0.0.1 is nginx's).
fn client(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 0, 2 + n)
}

/// Someone signed in: the client they use, their cookie, anti-forgery
/// token and person id.
#[derive(Debug, Clone)]
struct Person {
    from: Ipv4Addr,
    cookie: String,
    csrf: String,
    id: String,
}

impl Person {
    /// The headers of their requests (a write also needs its token).
    fn auth(&self) -> String {
        format!("Cookie: {}\r\nX-CSRF-Token: {}\r\n", self.cookie, self.csrf)
    }
}

/// The password every account here has.
const PASSWORD: &str = "a long multi-server password";

/// The log of a server as it comes, kept (and read, so that a full pipe
/// never holds the server up).
type Log = Arc<Mutex<String>>;

/// A database, the servers on it and the nginx in front of them.
/// Dropped in this order: nginx, the servers, then the database.
struct Cluster {
    nginx: Nginx,
    servers: Vec<Served>,
    addrs: Vec<String>,
    logs: Vec<Log>,
    _data: tempfile::TempDir,
    _database: TestDatabase,
}

impl Cluster {
    /// `count` servers, each run with `args` as well, started at once on a
    /// new database (so they also race to migrate it); `None` only when
    /// the PostgreSQL tests are skipped knowingly.
    fn start(count: usize, args: &[&str]) -> Option<Cluster> {
        let server = server_url()?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (database, url) = runtime.block_on(TestDatabase::create(&server));
        let data = tempfile::tempdir().unwrap();
        let started: Vec<_> = (0..count)
            .map(|i| {
                let dir = data.path().join(format!("server-{i}"));
                std::fs::create_dir(&dir).unwrap();
                let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
                args.extend(["--database-url".to_owned(), url.clone()]);
                std::thread::spawn(move || {
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    serve_program(env!("CARGO_BIN_EXE_knead").as_ref(), &dir, &args)
                })
            })
            .collect();
        let (mut servers, mut addrs, mut logs) = (Vec::new(), Vec::new(), Vec::new());
        for started in started {
            let (server, stderr, addr) = started.join().unwrap();
            let log = Log::default();
            let kept = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in stderr.lines().map_while(Result::ok) {
                    let mut kept = kept.lock().unwrap();
                    kept.push_str(&line);
                    kept.push('\n');
                }
            });
            servers.push(server);
            addrs.push(addr);
            logs.push(log);
        }
        let nginx = Nginx::start(&addrs);
        Some(Cluster { nginx, servers, addrs, logs, _data: data, _database: database })
    }

    /// A request through nginx, as a browser on this site would send it
    /// (with its `Origin`).
    fn send(&self, from: Ipv4Addr, method: &str, path: &str, headers: &str, body: &str) -> Answer {
        let origin = format!("Origin: http://{}\r\n", self.nginx.addr);
        send(&self.nginx.addr, from, method, path, &format!("{origin}{headers}"), body)
    }

    /// `GET path` as `person`, sent straight to each server in turn: the
    /// statuses.
    fn on_each_server(&self, person: &Person, path: &str) -> Vec<u16> {
        self.addrs
            .iter()
            .map(|addr| send(addr, Ipv4Addr::LOCALHOST, "GET", path, &person.auth(), "").status)
            .collect()
    }

    /// Sign in through nginx from `from`: the answer.
    fn sign_in(&self, from: Ipv4Addr, email: &str, password: &str) -> Answer {
        let body = serde_json::json!({ "email": email, "password": password }).to_string();
        self.send(from, "POST", "/api/v1/sign-in", "", &body)
    }

    /// A new account with `role`, signed in from `from`, all through nginx.
    fn sign_up(&self, from: Ipv4Addr, email: &str, role: &str) -> Person {
        let body = serde_json::json!({ "email": email, "password": PASSWORD, "role": role }).to_string();
        let made = self.send(from, "POST", "/api/v1/accounts", "", &body);
        assert_eq!(made.status, 202, "{made:?}");
        let signed = self.sign_in(from, email, PASSWORD);
        assert_eq!(signed.status, 200, "{signed:?}");
        let me = signed.json();
        Person {
            from,
            cookie: signed.cookie(),
            csrf: me["csrf"].as_str().unwrap().to_owned(),
            id: me["person"].as_str().unwrap().to_owned(),
        }
    }

    /// A screening of `patient` that allows self-care: its id.
    fn screening(&self, patient: &Person) -> String {
        let body = serde_json::json!({
            "id": Uuid::now_v7(), "intake": { "age_years": 40, "pain": { "intensity": 5, "duration_days": 20 } }
        })
        .to_string();
        let made = self.send(patient.from, "POST", "/api/v1/screenings", &patient.auth(), &body);
        assert_eq!(made.status, 201, "{made:?}");
        made.json()["id"].as_str().unwrap().to_owned()
    }

    /// Every log line the servers wrote, once one has `text` (a line is
    /// written after its answer is sent, so it may come a moment later).
    fn logs_with(&self, text: &str) -> String {
        for _ in 0..200 {
            let logs: String = self.logs.iter().map(|log| log.lock().unwrap().clone()).collect();
            if logs.contains(text) {
                return logs;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("no {text:?} in the servers' logs")
    }
}

/// A completed session of five minutes with the hands, `minute` minutes
/// past 08:00 on day `day` after 2000-01-01: its id and body.
fn session(screening: &str, day: u32, minute: u32) -> (Uuid, String) {
    let id = Uuid::now_v7();
    let start = chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(10_957 + i64::from(day));
    let at =
        |minutes: u32| (start + chrono::Duration::minutes(i64::from(8 * 60 + minute + minutes))).to_rfc3339();
    let body = serde_json::json!({
        "id": id, "screening_id": screening, "started_at": at(0), "ended_at": at(5), "status": "completed",
        "stop_reason": null, "plan": null, "steps": [], "usage": {"hands": 300}, "pain_before": 5,
        "pain_after": 3, "region": null, "note": null, "pack_version": "any"
    });
    (id, body.to_string())
}

/// The ids of `patient`'s sessions, read through nginx.
fn kept_sessions(cluster: &Cluster, patient: &Person) -> Vec<String> {
    let list = cluster.send(patient.from, "GET", "/api/v1/sessions", &patient.auth(), "");
    assert_eq!(list.status, 200, "{list:?}");
    list.json().as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn a_sign_in_made_through_one_server_works_on_all_and_signing_out_on_one_ends_it_on_all() {
    let Some(cluster) = Cluster::start(3, &["--secure-cookies", "--trusted-proxy", "127.0.0.1"]) else {
        return;
    };
    let ana = cluster.sign_up(client(0), "ana@example.org", "patient");
    assert_eq!(cluster.on_each_server(&ana, "/api/v1/me"), [200, 200, 200]);

    let out = cluster.send(ana.from, "POST", "/api/v1/sign-out", &ana.auth(), "");
    assert_eq!(out.status, 204, "{out:?}");
    assert_eq!(cluster.on_each_server(&ana, "/api/v1/me"), [401, 401, 401]);
    for _ in 0..3 {
        assert_eq!(cluster.send(ana.from, "GET", "/api/v1/me", &ana.auth(), "").status, 401);
    }
}

#[test]
fn the_sign_in_allowances_hold_across_servers() {
    let Some(cluster) = Cluster::start(3, &["--trusted-proxy", "127.0.0.1"]) else { return };
    let allowance = knead_app::attempts::Allowances::DEFAULT;
    let per_account = allowance.sign_in_per_account.attempts.get();
    let per_client = allowance.sign_in_per_client.attempts.get();

    // One account's failures, each from another client, spread over the
    // servers: past the allowance, even the right password is refused.
    cluster.sign_up(client(0), "bea@example.org", "patient");
    for n in 0..per_account {
        let wrong = cluster.sign_in(client(10 + n as u8), "bea@example.org", "not the password at all");
        assert_eq!(wrong.status, 401, "failure {n}: {wrong:?}");
    }
    let refused = cluster.sign_in(client(60), "bea@example.org", PASSWORD);
    assert_eq!(refused.status, 429, "{refused:?}");

    // One client's attempts at many addresses, sent at once over the
    // servers: no more than its allowance is checked, the rest refused.
    let attempts = 2 * per_client as usize;
    let start = Arc::new(Barrier::new(attempts));
    let sent: Vec<_> = (0..attempts)
        .map(|n| {
            let (start, proxy) = (Arc::clone(&start), cluster.nginx.addr.clone());
            std::thread::spawn(move || {
                let body = format!(r#"{{"email":"nobody{n}@example.org","password":"a guessed password"}}"#);
                start.wait();
                send(&proxy, client(1), "POST", "/api/v1/sign-in", "", &body)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    let checked = sent.iter().filter(|a| a.status == 401).count();
    let busy = sent.iter().filter(|a| a.busy()).count();
    assert_eq!(
        checked + busy + sent.iter().filter(|a| a.status == 429 && !a.busy()).count(),
        attempts,
        "{sent:?}"
    );
    assert!(
        checked <= per_client as usize,
        "{checked} attempts checked at once, past {per_client}: {sent:?}"
    );
    // Those the hashing queue turned away counted nothing: the allowance's
    // remainder is still there, and no more.
    let rest: Vec<u16> = (0..per_client as usize - checked + 1)
        .map(|n| cluster.sign_in(client(1), &format!("later{n}@example.org"), "a guessed password").status)
        .collect();
    assert_eq!(rest.last(), Some(&429), "{rest:?}");
    assert!(rest[..rest.len() - 1].iter().all(|s| *s == 401), "{rest:?}");
    // Another client's allowance is its own.
    assert_eq!(cluster.sign_in(client(2), "someone@example.org", "a guessed password").status, 401);
}

#[test]
fn a_patients_daily_limits_hold_under_concurrent_writes_over_the_servers() {
    let Some(cluster) = Cluster::start(3, &["--trusted-proxy", "127.0.0.1"]) else { return };
    let pack = knead_core::pack::ContentPack::builtin().unwrap();
    let limit = pack.daily_sessions_max.value as usize;
    let cid = cluster.sign_up(client(0), "cid@example.org", "patient");
    let screening = cluster.screening(&cid);

    // For each day, more sessions than the day allows, sent at once.
    let (days, each) = (3u32, limit + 5);
    let start = Arc::new(Barrier::new(days as usize * each));
    let sent: Vec<_> = (0..days)
        .flat_map(|day| (0..each).map(move |n| (day, n)))
        .map(|(day, n)| {
            let (start, proxy, cid) = (Arc::clone(&start), cluster.nginx.addr.clone(), cid.clone());
            let (id, body) = session(&screening, day, 10 * n as u32);
            let origin = format!("Origin: http://{proxy}\r\n{}", cid.auth());
            std::thread::spawn(move || {
                start.wait();
                (day, id, send(&proxy, cid.from, "PUT", &format!("/api/v1/sessions/{id}"), &origin, &body))
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();

    let kept = kept_sessions(&cluster, &cid);
    for day in 0..days {
        let answers: Vec<_> = sent.iter().filter(|(d, ..)| *d == day).collect();
        let ok: Vec<String> =
            answers.iter().filter(|(.., a)| a.status == 200).map(|(_, id, _)| id.to_string()).collect();
        assert_eq!(ok.len(), limit, "day {day}: {} kept of {each} sent at once: {answers:?}", ok.len());
        for (_, id, answer) in answers.iter().filter(|(.., a)| a.status != 200) {
            assert_eq!(answer.status, 422, "{answer:?}");
            assert!(answer.body.contains("the limit is"), "{answer:?}");
            assert!(!kept.contains(&id.to_string()), "{id} was refused but kept");
        }
        assert!(ok.iter().all(|id| kept.contains(id)), "day {day}: a session answered 200 is missing");
    }
    assert_eq!(kept.len(), days as usize * limit, "{kept:?}");
}

#[test]
fn a_revoked_clinician_loses_access_on_every_server_at_the_next_request() {
    let Some(cluster) = Cluster::start(3, &["--trusted-proxy", "127.0.0.1"]) else { return };
    let dee = cluster.sign_up(client(0), "dee@example.org", "patient");
    let doctor = cluster.sign_up(client(1), "doctor@example.org", "clinician");
    let invited = cluster.send(dee.from, "POST", "/api/v1/invitations", &dee.auth(), "");
    assert_eq!(invited.status, 201, "{invited:?}");
    let code = invited.json()["code"].as_str().unwrap().to_owned();
    let body = serde_json::json!({ "code": code }).to_string();
    let accepted = cluster.send(doctor.from, "POST", "/api/v1/invitations/accept", &doctor.auth(), &body);
    assert_eq!(accepted.status, 201, "{accepted:?}");
    let record = format!("/api/v1/patients/{}", dee.id);
    assert_eq!(cluster.on_each_server(&doctor, &record), [200, 200, 200]);

    let grants = cluster.send(dee.from, "GET", "/api/v1/grants", &dee.auth(), "").json();
    let grant = grants[0]["id"].as_str().unwrap();
    let revoked = cluster.send(dee.from, "DELETE", &format!("/api/v1/grants/{grant}"), &dee.auth(), "");
    assert_eq!(revoked.status, 204, "{revoked:?}");
    for status in cluster.on_each_server(&doctor, &record) {
        assert!(status == 403 || status == 404, "a revoked clinician read the record: {status}");
    }
    let through = cluster.send(doctor.from, "GET", &record, &doctor.auth(), "");
    assert!(through.status == 403 || through.status == 404, "{through:?}");
}

#[test]
fn a_server_killed_mid_load_loses_no_answered_write() {
    let Some(mut cluster) = Cluster::start(3, &["--trusted-proxy", "127.0.0.1"]) else { return };
    let eve = cluster.sign_up(client(0), "eve@example.org", "patient");
    let screening = cluster.screening(&eve);

    // Writers keep sessions (one a day, so within the limits) through
    // nginx until told to stop; each notes the answer it was given.
    const WRITERS: u32 = 4;
    const PER_WRITER: u32 = 60;
    let killed_after = Arc::new(Barrier::new(WRITERS as usize + 1));
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (proxy, eve, screening) = (cluster.nginx.addr.clone(), eve.clone(), screening.clone());
            let halfway = Arc::clone(&killed_after);
            std::thread::spawn(move || {
                let headers = format!("Origin: http://{proxy}\r\n{}", eve.auth());
                let mut answers = Vec::new();
                for n in 0..PER_WRITER {
                    if n == PER_WRITER / 3 {
                        halfway.wait();
                    }
                    let (id, body) = session(&screening, writer * 1000 + n, 0);
                    let path = format!("/api/v1/sessions/{id}");
                    answers.push((
                        id,
                        try_send(&proxy, eve.from, "PUT", &path, &headers, &body).map(|a| a.status),
                    ));
                }
                answers
            })
        })
        .collect();
    // A third of the way in, while the writers carry on, one server dies.
    killed_after.wait();
    std::thread::sleep(Duration::from_millis(100));
    let killed = Command::new("kill").args(["-KILL", &cluster.servers[1].id().to_string()]).status().unwrap();
    assert!(killed.success());
    let answers: Vec<_> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    assert!(cluster.servers[1].try_wait().unwrap().is_some(), "the server is dead");

    let answered: Vec<_> =
        answers.iter().filter(|(_, s)| *s == Some(200)).map(|(id, _)| id.to_string()).collect();
    let failed: Vec<_> = answers.iter().filter(|(_, s)| *s != Some(200)).collect();
    eprintln!(
        "killed one of 3 servers mid-load: {} of {} writes answered 200, the others {:?}",
        answered.len(),
        answers.len(),
        failed.iter().map(|(_, s)| s).collect::<Vec<_>>()
    );
    let kept = kept_sessions(&cluster, &eve);
    let lost: Vec<_> = answered.iter().filter(|id| !kept.contains(id)).collect();
    assert!(lost.is_empty(), "{} of {} answered sessions are lost: {lost:?}", lost.len(), answered.len());
    // nginx sent on what the dead server could not answer: every write was kept.
    assert!(failed.is_empty(), "{failed:?}\n{}", cluster.nginx.error_log());
    // nginx did meet the dead server (a request in flight, or a refused
    // connection), and sent on.
    let dead = &cluster.addrs[1];
    assert!(
        cluster.nginx.error_log().contains(&format!("upstream: \"http://{dead}/")),
        "{}",
        cluster.nginx.error_log()
    );
}

/// Ten wrong sign-ins from `from` at distinct addresses, each naming
/// another client in its own `X-Forwarded-For`; then one more from `then`:
/// its status.
fn spend_allowance(cluster: &Cluster, from: Ipv4Addr, then: Ipv4Addr, tag: &str) -> u16 {
    let per_client = knead_app::attempts::Allowances::DEFAULT.sign_in_per_client.attempts.get();
    for n in 0..per_client {
        let body = format!(r#"{{"email":"{tag}{n}@example.org","password":"a guessed password"}}"#);
        let forged = format!("X-Forwarded-For: 203.0.113.{n}\r\n");
        let answer = cluster.send(from, "POST", "/api/v1/sign-in", &forged, &body);
        assert_eq!(answer.status, 401, "{answer:?}");
    }
    let body = format!(r#"{{"email":"{tag}-last@example.org","password":"a guessed password"}}"#);
    cluster.send(then, "POST", "/api/v1/sign-in", "X-Forwarded-For: 198.51.100.7\r\n", &body).status
}

#[test]
fn the_clients_address_counts_only_through_a_trusted_proxy_never_from_the_clients_header() {
    // Servers told nginx is theirs: each client behind it has its own
    // allowance, and what a client writes in the header changes nothing.
    let Some(trusting) = Cluster::start(2, &["--trusted-proxy", "127.0.0.1"]) else { return };
    assert_eq!(spend_allowance(&trusting, client(0), client(0), "a"), 429, "the forged header was taken");
    assert_eq!(
        spend_allowance(&trusting, client(1), client(2), "b"),
        401,
        "clients behind a trusted proxy share one allowance"
    );

    // Servers not told: every client is nginx, so all share its allowance,
    // and a header names nobody.
    let Some(untold) = Cluster::start(2, &[]) else { return };
    assert_eq!(
        spend_allowance(&untold, client(0), client(1), "c"),
        429,
        "an untrusted proxy's header was taken"
    );

    // Whichever way, no server logs an address (the client's, the
    // proxy's, or one a client wrote).
    for cluster in [&trusting, &untold] {
        let log = cluster.logs_with("route=/api/v1/sign-in status=429");
        for address in ["127.0.0.2", "127.0.0.3", "127.0.0.4", "203.0.113.", "198.51.100."] {
            assert!(!log.contains(address), "{address} is in the log:\n{log}");
        }
    }
}
