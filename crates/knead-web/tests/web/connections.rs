//! Behind a reverse proxy and on a busy socket: whose allowance a failed
//! sign-in uses, how long a connection that says nothing is held, and how
//! many connections are served at once.

use crate::support::{TestApp, TestClock, morning, per_minute, serve_within, spawn_app_with, test_config};
use knead_store::any::AnyStore;
use knead_web::Connections;
use knead_web::proxy::{ForwardedHeader, TrustedProxies};
use reqwest::StatusCode;
use serde_json::json;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A header timeout short enough to wait out in a test.
const SHORT: Duration = Duration::from_millis(300);

/// Longer than any wait the server is meant to make here.
const PATIENCE: Duration = Duration::from_secs(10);

/// A request the server answers at once (401: nobody is signed in).
const REQUEST: &[u8] = b"GET /api/v1/me HTTP/1.1\r\nHost: knead\r\n\r\n";

/// A server on a fresh SQLite file holding `connections`: its `host:port`,
/// and what keeps it running (it stops when that is dropped).
async fn server_within(connections: Connections) -> (String, impl Sized) {
    let dir = tempfile::tempdir().unwrap();
    let store = AnyStore::open(&format!("sqlite://{}", dir.path().join("knead.db").display())).await.unwrap();
    let config = test_config(Arc::new(TestClock::at(morning())));
    let (base, stop) = serve_within(config, store, connections).await;
    (base.trim_start_matches("http://").to_owned(), (stop, dir))
}

/// What the server sent until it closed the connection, or `None` if it
/// still held it open after `limit`.
async fn until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut seen = Vec::new();
    // A reset ends the connection as surely as a close does.
    let ended = tokio::time::timeout(limit, stream.read_to_end(&mut seen)).await.is_ok();
    ended.then(|| String::from_utf8_lossy(&seen).into_owned())
}

#[tokio::test]
async fn a_connection_that_does_not_send_its_headers_in_time_is_closed() {
    let (addr, _server) = server_within(Connections { header_timeout: SHORT, ..Connections::DEFAULT }).await;
    let started = tokio::time::Instant::now();
    let mut silent = TcpStream::connect(&addr).await.unwrap();
    let mut half = TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"GET /api/v1/me HTTP/1.1\r\nHost: knead\r\n").await.unwrap();
    for (what, stream) in [("sent nothing", &mut silent), ("sent half its headers", &mut half)] {
        let sent = until_closed(stream, PATIENCE).await;
        assert!(sent.is_some(), "a connection that {what} is still held after {PATIENCE:?}");
    }
    assert!(started.elapsed() >= SHORT, "closed before its time: {:?}", started.elapsed());
}

#[tokio::test]
async fn a_kept_alive_connection_that_sits_idle_is_closed() {
    let (addr, _server) = server_within(Connections { header_timeout: SHORT, ..Connections::DEFAULT }).await;
    let mut kept = TcpStream::connect(&addr).await.unwrap();
    kept.write_all(REQUEST).await.unwrap();
    let sent = until_closed(&mut kept, PATIENCE).await.expect("an idle kept-alive connection is held");
    // It was answered first, and kept alive for a while after.
    assert!(sent.starts_with("HTTP/1.1 401"), "{sent}");
    assert!(!sent.to_ascii_lowercase().contains("connection: close"), "{sent}");
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_until_one_ends() {
    let max = NonZeroUsize::new(2).unwrap();
    let (addr, _server) =
        server_within(Connections { max, header_timeout: PATIENCE, ..Connections::DEFAULT }).await;
    let first = TcpStream::connect(&addr).await.unwrap();
    let _second = TcpStream::connect(&addr).await.unwrap();
    let mut third = TcpStream::connect(&addr).await.unwrap();
    third.write_all(REQUEST).await.unwrap();

    // Two silent connections hold both places: the third is not served...
    let mut status = [0_u8; 12];
    let early = tokio::time::timeout(Duration::from_millis(500), third.read_exact(&mut status)).await;
    assert!(early.is_err(), "a third connection was served beyond a limit of 2");
    // ...until one of them leaves.
    drop(first);
    tokio::time::timeout(PATIENCE, third.read_exact(&mut status)).await.unwrap().unwrap();
    assert_eq!(&status, b"HTTP/1.1 401");
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_given_up() {
    let (addr, _server) =
        server_within(Connections { body_timeout: SHORT, header_timeout: SHORT, ..Connections::DEFAULT })
            .await;
    let mut stalled = TcpStream::connect(&addr).await.unwrap();
    let headers = "POST /api/v1/sign-in HTTP/1.1\r\nHost: knead\r\nContent-Type: application/json\r\n\
                   Content-Length: 100\r\n\r\n{\"email\":";
    stalled.write_all(headers.as_bytes()).await.unwrap();
    let answer =
        until_closed(&mut stalled, PATIENCE).await.expect("a request whose body stopped is still held");
    // Refused as too slow, a problem like every other: nothing was read,
    // nothing was checked.
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("did not arrive in time"), "{answer}");
}

/// A failed sign-in at an address of its own (`n`), through a proxy that
/// says it serves `client` in `header`.
async fn fail_sign_in(app: &TestApp, header: &str, client: &str, n: u32) -> StatusCode {
    let body = json!({ "email": format!("nobody{n}@example.org"), "password": "wrong password!" });
    let request = app.client.post(app.url("/api/v1/sign-in")).header(header, client).json(&body);
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_an_allowance_of_its_own() {
    let app = spawn_app_with(|config| {
        config.allowances.sign_in_per_client = per_minute(2);
        config.trusted_proxies =
            TrustedProxies::new(vec!["127.0.0.0/8".parse().unwrap()], ForwardedHeader::XForwardedFor);
    })
    .await;
    let xff = "x-forwarded-for";
    // One client behind the proxy uses its allowance up...
    assert_eq!(fail_sign_in(&app, xff, "203.0.113.5", 1).await, StatusCode::UNAUTHORIZED);
    assert_eq!(fail_sign_in(&app, xff, "203.0.113.5", 2).await, StatusCode::UNAUTHORIZED);
    assert_eq!(fail_sign_in(&app, xff, "203.0.113.5", 3).await, StatusCode::TOO_MANY_REQUESTS);
    // ...another behind the same proxy still has its own...
    assert_eq!(fail_sign_in(&app, xff, "203.0.113.6", 4).await, StatusCode::UNAUTHORIZED);
    // ...and the first cannot start afresh by writing an address in front
    // of the one the proxy adds.
    assert_eq!(fail_sign_in(&app, xff, "198.51.100.1, 203.0.113.5", 5).await, StatusCode::TOO_MANY_REQUESTS);
    // The header this proxy does not write is not read: without the one it
    // writes, the client is the proxy itself.
    assert_eq!(fail_sign_in(&app, "forwarded", "for=198.51.100.2", 6).await, StatusCode::UNAUTHORIZED);
    assert_eq!(fail_sign_in(&app, "forwarded", "for=198.51.100.3", 7).await, StatusCode::UNAUTHORIZED);
    assert_eq!(fail_sign_in(&app, "forwarded", "for=198.51.100.4", 8).await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn without_a_trusted_proxy_a_client_cannot_name_its_own_address() {
    let app = spawn_app_with(|config| config.allowances.sign_in_per_client = per_minute(2)).await;
    for (n, header, client) in [(1, "x-forwarded-for", "203.0.113.1"), (2, "forwarded", "for=203.0.113.2")] {
        assert_eq!(fail_sign_in(&app, header, client, n).await, StatusCode::UNAUTHORIZED);
    }
    // A new address in either header: still the peer's allowance, used up.
    assert_eq!(fail_sign_in(&app, "x-forwarded-for", "203.0.113.3", 3).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(fail_sign_in(&app, "forwarded", "for=203.0.113.4", 4).await, StatusCode::TOO_MANY_REQUESTS);
}
