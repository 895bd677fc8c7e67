//! Knead on the web: the self-hosted server behind `knead serve`.
//!
//! One [`axum::Router`] carries the REST API under `/api/v1` (described by
//! the OpenAPI document at `/api/openapi.json`), the server-rendered pages
//! and the installable app's assets. The server keeps nothing in memory that
//! matters: accounts, sign-ins and journals live in the store, so several
//! servers on one PostgreSQL database serve the same people.
//!
//! The layers, outermost first: security headers, a body-size limit, a
//! cross-site request check (origin), then the routes; [`serve()`] bounds
//! connections and how long they may take. Every handler that
//! touches a journal takes a [`auth::Patient`], which only a live sign-in
//! can make, and reads and writes only that person's records.

pub mod api;
pub mod assets;
pub mod auth;
pub mod documents;
pub mod hashing;
pub mod health;
pub mod links;
pub mod log;
pub mod mailer;
pub mod openapi;
pub mod outgoing;
pub mod pages;
pub mod problem;
pub mod proxy;
pub mod push;
pub mod security;
pub mod serve;
pub mod streamed;
pub mod zone;

use axum::Router;
use knead_app::App;
use knead_app::attempts::Allowances;
use knead_app::clock::Now;
use knead_core::pack::ContentPack;
use knead_core::records::PersonId;
use knead_store::Period;
use knead_store::any::AnyStore;
use std::sync::Arc;

pub use serve::{Connections, serve};

/// How the server runs.
#[derive(Clone)]
pub struct Config {
    /// The content pack that decides screenings, plans and limits.
    pub pack: Arc<ContentPack>,
    /// Mark cookies `Secure` (and name them `__Host-…`): set when the server
    /// is reached over TLS, directly or behind a proxy.
    pub secure_cookies: bool,
    /// The number an emergency result offers to call (a tap on a phone).
    pub emergency_number: EmergencyNumber,
    /// How often sign-in, sign-up and invitation codes may be tried
    /// ([`knead_app::attempts`]), counted in the store.
    pub allowances: Allowances,
    /// What sign-up answers for an address that has an account.
    pub sign_up: auth::SignUpAnswer,
    /// The password-hashing threads and their bounded queue.
    pub hashing: Arc<hashing::Hashing>,
    /// The reverse proxies whose word about the client's address is taken.
    pub trusted_proxies: proxy::TrustedProxies,
    /// How mail is sent, when it is: notices people asked for, and links
    /// for a forgotten password or a new address. `None`: nothing is mailed.
    pub mail: Option<mailer::MailSettings>,
    /// How pushes are sent to the devices people turn notices on for, when
    /// they are. `None`: no device can be turned on.
    pub push: Option<push::PushSettings>,
    /// The clock.
    pub now: Arc<dyn Now>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("pack", &self.pack.meta.version)
            .field("secure_cookies", &self.secure_cookies)
            .field("emergency_number", &self.emergency_number.0)
            .field("allowances", &self.allowances)
            .field("sign_up", &self.sign_up)
            .field("hashing", &self.hashing)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("mail", &self.mail)
            .field("push", &self.push)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The defaults for `pack`: plain cookies, the default allowances, a
    /// sign-up that does not tell whether an address has an account, a
    /// hashing thread per CPU, no trusted proxy, no mail, no pushes, the
    /// system clock.
    pub fn new(pack: ContentPack) -> Self {
        Self {
            pack: Arc::new(pack),
            secure_cookies: false,
            emergency_number: EmergencyNumber::default(),
            allowances: Allowances::DEFAULT,
            sign_up: auth::SignUpAnswer::Uniform,
            hashing: Arc::new(hashing::Hashing::per_cpu()),
            trusted_proxies: proxy::TrustedProxies::default(),
            mail: None,
            push: None,
            now: Arc::new(knead_app::clock::SystemNow),
        }
    }
}

/// The emergency number an emergency result links to (`tel:`): 112 unless
/// the operator sets their country's. 112 reaches the emergency services
/// across Europe and is put through by most mobile phones elsewhere, which
/// is why it is the default; the result's words still name 999 and 911.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergencyNumber(String);

impl EmergencyNumber {
    /// The number, as dialled.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for EmergencyNumber {
    fn default() -> Self {
        EmergencyNumber("112".to_owned())
    }
}

impl std::str::FromStr for EmergencyNumber {
    type Err = String;

    /// Digits only (a leading `+` allowed), 2 to 15 of them.
    fn from_str(text: &str) -> Result<Self, String> {
        let digits = text.strip_prefix('+').unwrap_or(text);
        if (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(EmergencyNumber(text.to_owned()))
        } else {
            Err(format!("`{text}` is not a phone number; allowed: 2 to 15 digits, e.g. 112, 999 or 911"))
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
    /// Patients' histories as sent, kept between requests.
    pub histories: Arc<Histories>,
}

impl AppState {
    /// The password-hashing pool.
    pub fn hashing(&self) -> &hashing::Hashing {
        &self.config.hashing
    }

    /// The key a browser subscribes to this site's pushes with, when the
    /// server sends pushes.
    pub async fn push_key(&self) -> Result<Option<String>, knead_store::StoreError> {
        match &self.config.push {
            Some(push) => Ok(Some(push.public_key(&self.store).await?)),
            None => Ok(None),
        }
    }
}

/// A patient's sessions in a period, as the JSON sent.
pub type Histories = knead_app::kept::Kept<(PersonId, Period), axum::body::Bytes>;

/// Bytes of history kept at most, in all: answers of up to
/// [`streamed::HISTORY_KEPT_MAX`] each, so a few dozen patients' lists
/// are kept while a long journal's is never held (it is streamed).
const HISTORY_BYTES_KEPT: usize = 8 << 20;

/// The whole app, ready to serve. With [`Config::mail`] or
/// [`Config::push`], a task that sends what is queued starts too, for as
/// long as the runtime lasts.
pub fn build(config: Config, store: AnyStore) -> Router {
    let tls = config.secure_cookies;
    let mut app = App::new(store.clone(), Arc::clone(&config.pack), Arc::clone(&config.now))
        .with_allowances(config.allowances);
    if let Some(mail) = &config.mail {
        app = app.with_site(mail.site.clone());
    }
    if let Some(push) = &config.push {
        app = app.with_push(push.services.clone());
    }
    if config.mail.is_some() || config.push.is_some() {
        tokio::spawn(outgoing::run(app.clone(), store.clone(), config.mail.clone(), config.push.clone()));
    }
    let state =
        AppState { app, store, config, histories: Arc::new(knead_app::kept::Kept::new(HISTORY_BYTES_KEPT)) };
    let (api, _) = api::router().split_for_parts();
    let app = Router::new()
        .merge(api)
        .merge(pages::router())
        .merge(assets::router())
        .route("/health", axum::routing::get(health::health))
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
