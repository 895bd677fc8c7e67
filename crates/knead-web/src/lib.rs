//! Knead on the web: the self-hosted server behind `knead serve`.
//!
//! One [`axum::Router`] carries the REST API under `/api/v1` (described by
//! the OpenAPI document at `/api/openapi.json`), the server-rendered pages
//! and the installable app's assets. The server keeps nothing in memory that
//! matters: accounts, sign-ins and journals live in the store, so several
//! servers on one PostgreSQL database serve the same people.
//!
//! The layers, outermost first: security headers, a body-size limit, a
//! cross-site request check (origin), then the routes. Every handler that
//! touches a journal takes a [`auth::Patient`], which only a live sign-in
//! can make, and reads and writes only that person's records.

pub mod api;
pub mod assets;
pub mod auth;
pub mod documents;
pub mod hashing;
pub mod log;
pub mod openapi;
pub mod pages;
pub mod problem;
pub mod security;
pub mod zone;

use axum::Router;
use knead_app::App;
use knead_app::clock::Now;
use knead_core::pack::ContentPack;
use knead_core::records::PersonId;
use knead_store::Period;
use knead_store::any::AnyStore;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

/// How the server runs.
#[derive(Clone)]
pub struct Config {
    /// The content pack that decides screenings, plans and limits.
    pub pack: Arc<ContentPack>,
    /// Mark cookies `Secure` (and name them `__Host-…`): set when the server
    /// is reached over TLS, directly or behind a proxy.
    pub secure_cookies: bool,
    /// Sign-in attempts (and sign-ups) one address may make in a burst
    /// before it has to wait; one more is allowed every `rate_period_ms`.
    pub rate_burst: u32,
    /// See `rate_burst`.
    pub rate_period_ms: u64,
    /// The clock.
    pub now: Arc<dyn Now>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("pack", &self.pack.meta.version)
            .field("secure_cookies", &self.secure_cookies)
            .field("rate_burst", &self.rate_burst)
            .field("rate_period_ms", &self.rate_period_ms)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The defaults for `pack`: plain cookies, 10 sign-in attempts in a
    /// burst then one every 6 s, the system clock.
    pub fn new(pack: ContentPack) -> Self {
        Self {
            pack: Arc::new(pack),
            secure_cookies: false,
            rate_burst: 10,
            rate_period_ms: 6_000,
            now: Arc::new(knead_app::clock::SystemNow),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The use cases, over the store: every rule the API and the pages share.
    pub app: App<AnyStore>,
    /// Where accounts, sign-ins and sharing live (what is not a use case yet).
    pub store: AnyStore,
    /// How the server runs.
    pub config: Config,
    /// The password-hashing threads and their bounded queue.
    pub hashing: Arc<hashing::Hashing>,
    /// Patients' histories as sent, kept between requests.
    pub histories: Arc<Histories>,
}

/// A patient's sessions in a period, as the JSON sent.
pub type Histories = knead_app::kept::Kept<(PersonId, Period), axum::body::Bytes>;

/// Bytes of history kept at most (two years of daily sessions is ~140 KB).
const HISTORY_BYTES_KEPT: usize = 32 << 20;

/// The whole app, ready to serve.
pub fn build(config: Config, store: AnyStore) -> Router {
    let rate = (config.rate_burst, config.rate_period_ms);
    let tls = config.secure_cookies;
    let state = AppState {
        app: App::new(store.clone(), Arc::clone(&config.pack), Arc::clone(&config.now)),
        store,
        config,
        histories: Arc::new(knead_app::kept::Kept::new(HISTORY_BYTES_KEPT)),
        hashing: Arc::new(hashing::Hashing::per_cpu()),
    };
    let (api, _) = api::router(rate).split_for_parts();
    let app = Router::new()
        .merge(api)
        .merge(pages::router(rate))
        .merge(assets::router())
        .with_state(state)
        .fallback(not_found)
        .layer(axum::middleware::from_fn(security::same_origin_writes))
        .layer(axum::middleware::from_fn(log::requests))
        // Enforced where a body is read, so a request that is too large
        // gets a problem (413) like every other error.
        .layer(axum::extract::DefaultBodyLimit::max(security::BODY_LIMIT));
    security::with_headers(app, tls)
}

/// An unknown address: a problem for the API, a page for a person.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let problem = problem::Problem::not_found();
    if uri.path().starts_with("/api/") {
        problem.into_response()
    } else {
        (axum::http::StatusCode::NOT_FOUND, axum::response::Html(pages::not_found_page())).into_response()
    }
}

/// Serve `app` on `listener` until `shutdown` resolves; requests in flight
/// then finish before this returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
