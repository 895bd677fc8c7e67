//! Serving the app on a socket: how many connections at once, and how long
//! a client may take to say what it wants.
//!
//! `axum::serve` gives hyper no timer, so hyper's header timeout never runs
//! and a client that connects and sends nothing holds its connection for
//! ever; it has no limit on connections either. A few such clients starve a
//! small server. Here hyper is set up directly (as axum's own
//! "serve-with-hyper" example does), with its settings doing the work:
//!
//! - a request's headers must arrive within [`Connections::header_timeout`],
//!   counted from when the connection opens or the previous answer was
//!   sent, so an idle kept-alive connection is closed after that time too;
//! - at most [`Connections::max`] connections are served at once; further
//!   ones wait in the listen queue until one ends;
//! - a request body that stalls for [`Connections::body_timeout`] is given
//!   up (tower-http's request-body timeout): the request is refused.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// How many connections the server holds, and for how long when idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connections {
    /// Connections served at once. Under the usual limit of 1024 open files,
    /// with room left for the database and logs.
    pub max: NonZeroUsize,
    /// How long a connection may take to send a request's headers, and how
    /// long it may sit idle between requests, before it is closed.
    pub header_timeout: Duration,
    /// How long a request's body may pause between one piece and the next.
    pub body_timeout: Duration,
}

impl Connections {
    /// 512 connections, 20 seconds for the headers, 30 for each pause in a body.
    pub const DEFAULT: Connections = Connections {
        max: NonZeroUsize::MIN.saturating_add(511),
        header_timeout: Duration::from_secs(20),
        body_timeout: Duration::from_secs(30),
    };
}

impl Default for Connections {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Serve `app` on `listener` within `connections` until `shutdown`
/// resolves; requests in flight then finish before this returns. Each
/// request carries its peer's address ([`ConnectInfo`]).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    connections: Connections,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app.layer(RequestBodyTimeoutLayer::new(connections.body_timeout));
    let permits = Arc::new(Semaphore::new(connections.max.get()));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(connections.header_timeout);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break, // closed: never, the semaphore is ours
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before
                    // it was accepted: wait a moment rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request.map(Body::new))
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // An error here is the client's doing (it left, or sent its
            // headers too slowly); the connection is over either way.
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
