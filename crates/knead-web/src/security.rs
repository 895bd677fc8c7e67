//! What every response and every write gets: security headers, a body
//! limit and a same-origin check on writes; and who the client is, for
//! counting attempts at what a guesser would repeat.

use crate::AppState;
use crate::problem::Problem;
use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use knead_app::attempts::Client;
use std::net::SocketAddr;
use tower_http::set_header::SetResponseHeaderLayer;

/// The largest request body accepted: a journal import of a year fits,
/// anything bigger is refused with 413 before it is read.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The Content-Security-Policy: scripts, styles, images and connections
/// only from this origin, no inline script, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// HSTS, when Knead is served over TLS: a year, for this host only (a
/// self-hoster's other subdomains are not ours to pin).
pub const HSTS: &str = "max-age=31536000";

/// The security headers on every response (set where a handler did not).
/// Nothing is stored by a browser or a proxy unless its handler says so
/// (the app's own files do): pages and API answers carry health data.
/// With `tls` (Knead behind HTTPS, `--secure-cookies`), browsers are told
/// to use nothing else.
pub fn with_headers<S: Clone + Send + Sync + 'static>(router: Router<S>, tls: bool) -> Router<S> {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    let router = if tls { router.layer(set(header::STRICT_TRANSPORT_SECURITY, HSTS)) } else { router };
    router
        .layer(set(header::CACHE_CONTROL, "no-store"))
        .layer(set(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()"))
}

/// Refuse a write that a browser says comes from another site: the
/// `Origin` must be this host, and `Sec-Fetch-Site` must not be
/// `cross-site`. Clients that send neither (curl, other servers) pass;
/// they have no cookies of a victim to ride on.
pub async fn same_origin_writes(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let headers = request.headers();
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let host = text("host");
        let fetch_site = text("sec-fetch-site");
        let origin_ok = match text("origin") {
            None => true,
            // With `Referrer-Policy: no-referrer` a browser sends `Origin:
            // null` on form posts; its Sec-Fetch-Site still tells the truth.
            Some("null") => fetch_site == Some("same-origin"),
            Some(origin) => {
                let origin_host = origin.split_once("://").map(|(_, rest)| rest);
                origin_host.is_some() && origin_host == host
            }
        };
        let fetch_ok = fetch_site != Some("cross-site");
        if !(origin_ok && fetch_ok) {
            return Problem::forbidden("writes are only accepted from this site's own pages").into_response();
        }
    }
    next.run(request).await
}

/// The client a request came from, for counting attempts
/// ([`knead_app::attempts`]): the connection's peer, or, when the peer is a
/// trusted reverse proxy, the address it says it served
/// ([`crate::proxy`]). This is the one place that reads it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Client);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            Some(ConnectInfo(peer)) => {
                Ok(Self(Client::new(state.config.trusted_proxies.client(peer.ip(), &parts.headers))))
            }
            None => {
                tracing::error!("no peer address: serve the app with knead_web::serve");
                Err(Problem::internal())
            }
        }
    }
}
