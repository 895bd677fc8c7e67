//! Accounts and sign-in: who is asking.
//!
//! - Passwords are hashed with argon2id (OWASP's parameters: 19 MiB, 2
//!   passes, 1 lane) on a pool of its own with a bounded queue
//!   ([`crate::hashing`]), so hashing never stalls other requests and a
//!   flood of sign-ins cannot take the server's memory: past the queue the
//!   answer is 429 at once. An unknown address is checked against a dummy
//!   hash, so a wrong address takes as long as a wrong password.
//! - Guessing is limited twice. Each server limits sign-in attempts per
//!   client address in memory (see [`crate::security::sign_in_limit`]), the
//!   first line, which costs no database trip. And the store counts failed
//!   sign-ins per email address, so every server sees the same count and
//!   many client addresses do not buy more guesses at one account: after
//!   [`FAILED_SIGN_INS_ALLOWED`] within [`FAILED_SIGN_IN_WINDOW`], an attempt
//!   with that address is refused (429, `Retry-After`) before its password
//!   is checked, so the refusal costs no hashing and says nothing about the
//!   password. Addresses without an account are counted the same way, so
//!   the answers do not tell whether one exists. A right password clears
//!   the address's failures: the person who knows it is back to a full
//!   allowance (anyone guessing gets a fresh one too, but only after each
//!   sign-in of the owner, which lasts [`SIGN_IN_DAYS`]).
//! - A sign-in is a random 256-bit token in an HttpOnly, SameSite=Lax
//!   cookie; the store keeps only its SHA-256. Signing out deletes it, so
//!   it ends on every server at once.
//! - Every sign-in has its own anti-forgery token. A write through the API
//!   must carry it in `X-CSRF-Token`, a form in its `csrf` field; with the
//!   same-origin check of [`crate::security`] that is two locks on every
//!   write.
//! - Roles are types: a journal handler takes a [`Patient`], which only a
//!   live sign-in of a patient's account makes, and it carries the one
//!   person it may read. A clinician's handler takes a [`Clinician`] (which
//!   reaches no journal) or a [`Treating`], which only a live grant from the
//!   patient in the address makes.

use crate::AppState;
use crate::hashing::{self, Hashing, Ticket};
use crate::problem::Problem;
use argon2::password_hash::SaltString;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use chrono::{Duration, TimeDelta};
use knead_core::records::PersonId;
use knead_store::StoreError;
use knead_store::accounts::{Account, Accounts, Attempt, FailedSignIns, Role, SignIn};
use knead_store::sharing::Grant;
use std::num::NonZeroU32;
use std::sync::LazyLock;
use uuid::Uuid;

/// How long a sign-in lasts.
pub const SIGN_IN_DAYS: i64 = 30;

/// The header an API write carries the anti-forgery token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Failed sign-ins one email address may have within
/// [`FAILED_SIGN_IN_WINDOW`] before further attempts with it are refused,
/// on every server. A security number, not a clinical one: ten lets a
/// person who misremembers try the passwords they are likely to have
/// used, while guessing at one account is held to ten every 15 minutes
/// (under a thousand a day) however many servers and client addresses the
/// guesses come through; far too few against a password of 10 characters
/// or more, and well inside NIST SP 800-63B's rule of no more than 100
/// failed attempts in a row on one account.
pub const FAILED_SIGN_INS_ALLOWED: NonZeroU32 = NonZeroU32::new(10).expect("ten is not zero");

/// How long a failed sign-in counts, and so the longest anyone waits once
/// the limit is reached. Short enough that an owner locked out by their
/// own typos, or by someone guessing at their address (a limit per account
/// always lets a stranger do that), waits minutes rather than hours; long
/// enough to make guessing slow.
pub const FAILED_SIGN_IN_WINDOW: TimeDelta = TimeDelta::minutes(15);

/// An email address as kept: trimmed and lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Read an address; the error says what is allowed.
    pub fn parse(text: &str) -> Result<Self, Problem> {
        let email = normalised(text);
        let well_formed = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && matches!(email.split_once('@'), Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                    && !domain.starts_with('.') && !domain.ends_with('.'));
        if well_formed {
            Ok(Self(email))
        } else {
            Err(Problem::invalid(
                "email",
                "allowed: an email address like name@example.org (at most 254 characters)",
            ))
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An address as kept (trimmed, lowercase), whether or not it is well formed.
fn normalised(text: &str) -> String {
    text.trim().to_lowercase()
}

/// The key failed sign-ins are counted under: the SHA-256 of the
/// normalised address, so the store holds no address, and `Ana@x.org` and
/// `ana@x.org ` share one count. Text that is no address at all is
/// counted too: refusing it differently would tell what is checked first.
fn sign_in_key(email: &str) -> String {
    knead_app::secret::hash(&normalised(email))
}

/// A new password: long enough to resist guessing, short enough to hash.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// Fewest characters.
    pub const MIN: usize = 10;
    /// Most characters.
    pub const MAX: usize = 256;

    /// Read a password; the error says what is allowed (and never repeats it).
    pub fn parse(text: &str) -> Result<Self, Problem> {
        let n = text.chars().count();
        if (Self::MIN..=Self::MAX).contains(&n) {
            Ok(Self(text.to_owned()))
        } else {
            Err(Problem::invalid(
                "password",
                format!("allowed: {} to {} characters; this one has {n}", Self::MIN, Self::MAX),
            ))
        }
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// `N` random bytes, or a problem (logged) when the system has none.
fn random_bytes<const N: usize>() -> Result<[u8; N], Problem> {
    Ok(knead_app::secret::random_bytes()?)
}

/// A fresh random token (256 bits, URL-safe base64).
pub fn random_token() -> Result<String, Problem> {
    Ok(knead_app::reminders::random_token()?)
}

/// Hash a password with argon2id on `hashing` (429 when it is full).
pub async fn hash_password(hashing: &Hashing, password: NewPassword) -> Result<String, Problem> {
    let ticket = hashing.ticket()?;
    let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(|_| Problem::internal())?;
    ticket.run(move || hashing::hash(password.0.as_bytes(), &salt)).await?.ok_or_else(|| {
        tracing::error!("hashing failed");
        Problem::internal()
    })
}

/// A real hash of a password no account has, checked when the address is
/// unknown so that the answer takes as long as for a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    SaltString::encode_b64(b"knead-no-account")
        .ok()
        .and_then(|salt| hashing::hash(b"no account has this", &salt))
        .unwrap_or_default()
});

/// Whether `password` matches `hash` (`None`: the dummy hash), on `ticket`'s place in the pool.
async fn password_matches(
    ticket: &Ticket<'_>,
    password: String,
    hash: Option<String>,
) -> Result<bool, Problem> {
    ticket.run(move || hashing::verify(password.as_bytes(), hash.as_deref().unwrap_or(&DUMMY_HASH))).await
}

/// A signed-in browser or client: what sign-up and sign-in give back.
#[derive(Debug)]
pub struct NewSignIn {
    /// Who.
    pub person: PersonId,
    /// As what.
    pub role: Role,
    /// The cookie's token (secret; only ever sent in `Set-Cookie`).
    pub token: String,
    /// The anti-forgery token.
    pub csrf: String,
}

async fn open(state: &AppState, person: PersonId, role: Role) -> Result<NewSignIn, Problem> {
    let token = random_token()?;
    let csrf = random_token()?;
    let now = state.config.now.now();
    let sign_in = SignIn {
        person,
        role,
        csrf: csrf.clone(),
        created_at: now,
        expires_at: now + Duration::days(SIGN_IN_DAYS),
    };
    state.store.open_sign_in(&knead_app::secret::hash(&token), &sign_in).await?;
    Ok(NewSignIn { person, role, token, csrf })
}

/// Make an account with `role` and sign it in.
pub async fn sign_up(
    state: &AppState,
    email: &str,
    password: &str,
    role: Role,
) -> Result<NewSignIn, Problem> {
    let email = Email::parse(email)?;
    let password = NewPassword::parse(password)?;
    let account = Account {
        person: PersonId(Uuid::now_v7()),
        role,
        email: email.as_str().to_owned(),
        password_hash: hash_password(&state.hashing, password).await?,
        created_at: state.config.now.now(),
    };
    match state.store.create_account(&account).await {
        Ok(()) => open(state, account.person, role).await,
        Err(StoreError::Taken { .. }) => Err(Problem::conflict(
            "email-taken",
            "This email address already has an account",
            "sign in instead, or use another address",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Check an address and password and sign in: the one way in, for the
/// API and the sign-in page alike. The attempt is counted as failed
/// before the password is checked (so attempts made at once cannot pass
/// the limit together) and the count is cleared when it is right; with
/// too many counted it is refused without a check (see the module's
/// notes).
pub async fn sign_in(state: &AppState, email: &str, password: &str) -> Result<NewSignIn, Problem> {
    // A place for the hash first: when the server is too busy, nothing is counted.
    let ticket = state.hashing.ticket()?;
    let key = sign_in_key(email);
    let now = state.config.now.now();
    let since = now - FAILED_SIGN_IN_WINDOW;
    if let Attempt::Refused { earliest } =
        state.store.count_failed_sign_in(&key, now, since, FAILED_SIGN_INS_ALLOWED).await?
    {
        return Err(sign_ins_paused(earliest + FAILED_SIGN_IN_WINDOW - now));
    }
    let account = match Email::parse(email) {
        Ok(email) => state.store.account_by_email(email.as_str()).await?,
        Err(_) => None,
    };
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let matches = password_matches(&ticket, password.to_owned(), hash).await?;
    match account {
        Some(account) if matches => {
            state.store.clear_failed_sign_ins(&key).await?;
            open(state, account.person, account.role).await
        }
        _ => Err(Problem::bad_credentials()),
    }
}

/// The refusal when an address has too many failed sign-ins, `wait`
/// before one more attempt is let through. Logged without the address or
/// its key: the log holds no personal data.
fn sign_ins_paused(wait: TimeDelta) -> Problem {
    // Whole seconds, rounded up: a client that comes back a moment early
    // is refused again.
    let seconds = u32::try_from(wait.num_milliseconds()).unwrap_or(0).div_ceil(1000).max(1);
    let minutes = seconds.div_ceil(60);
    tracing::warn!(
        retry_after_seconds = seconds,
        "sign-in refused: too many failed sign-ins with one address"
    );
    Problem::sign_ins_paused(
        format!(
            "To keep the account safe, signing in with this address is paused after {} failed attempts \
             in {} minutes. Please try again in {minutes} minute{}.",
            FAILED_SIGN_INS_ALLOWED,
            FAILED_SIGN_IN_WINDOW.num_minutes(),
            if minutes == 1 { "" } else { "s" },
        ),
        seconds,
    )
}

/// End the sign-in behind `token`.
pub async fn sign_out(state: &AppState, token: &str) -> Result<(), Problem> {
    Ok(state.store.close_sign_in(&knead_app::secret::hash(token)).await?)
}

/// The cookie's name: `__Host-` binds it to this host over TLS.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-knead" } else { "knead" }
}

/// `Set-Cookie` for a new sign-in.
pub fn set_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = state.config.secure_cookies;
    let max_age = SIGN_IN_DAYS * 24 * 3600;
    let value = format!(
        "{}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""))
}

/// `Set-Cookie` that removes the sign-in cookie.
pub fn clear_cookie(state: &AppState) -> HeaderValue {
    let secure = state.config.secure_cookies;
    let value = format!(
        "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""))
}

/// The sign-in token in the request's cookies.
pub fn cookie_token(headers: &HeaderMap, secure: bool) -> Option<String> {
    cookie(headers, cookie_name(secure)).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// The value of the request's cookie `name`, if it sent one.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A live sign-in, before its role is looked at: what [`Patient`] and
/// [`Clinician`] are made from.
#[derive(Debug, Clone)]
struct Signed {
    person: PersonId,
    role: Role,
    csrf: String,
    token: String,
}

impl Signed {
    fn check_csrf(&self, sent: &str) -> Result<(), Problem> {
        if constant_time_eq(sent.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(Problem::forbidden(
                "the form is stale or came from another site; reload the page and try again",
            ))
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why a request was not let through: an API caller gets a problem, a page
/// visitor is sent to sign in or shown why not.
#[derive(Debug)]
pub enum Refused {
    /// An API request.
    Api(Problem),
    /// A page: go here instead.
    Page(&'static str),
    /// A page for the other role (403).
    WrongRole(Problem),
    /// A page about someone who is not there or not the caller's to see (404).
    Missing,
}

impl axum::response::IntoResponse for Refused {
    fn into_response(self) -> axum::response::Response {
        match self {
            Refused::Api(p) => p.into_response(),
            Refused::Page(to) => axum::response::Redirect::to(to).into_response(),
            Refused::WrongRole(p) => {
                let html = crate::pages::bare_problem_page(&p.title, p.detail.as_deref().unwrap_or_default());
                (p.status_code(), axum::response::Html(html)).into_response()
            }
            Refused::Missing => {
                (axum::http::StatusCode::NOT_FOUND, axum::response::Html(crate::pages::not_found_page()))
                    .into_response()
            }
        }
    }
}

fn is_api(parts: &Parts) -> bool {
    parts.uri.path().starts_with("/api/")
}

/// The live sign-in behind the request's cookie, with an API write's
/// anti-forgery token checked.
async fn signed_in(parts: &Parts, state: &AppState) -> Result<Signed, Refused> {
    let api = is_api(parts);
    let reject = |p: Problem| if api { Refused::Api(p) } else { Refused::Page("/signin") };
    let token = cookie_token(&parts.headers, state.config.secure_cookies)
        .ok_or_else(|| reject(Problem::unauthenticated()))?;
    let found = state
        .store
        .sign_in(&knead_app::secret::hash(&token), state.config.now.now())
        .await
        .map_err(|e| reject(e.into()))?
        .ok_or_else(|| reject(Problem::unauthenticated()))?;
    let signed = Signed { person: found.person, role: found.role, csrf: found.csrf, token };
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if api && !safe {
        let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        signed.check_csrf(sent).map_err(|_| {
            Refused::Api(Problem::forbidden(format!("a write needs this sign-in's token in {CSRF_HEADER}")))
        })?;
    }
    Ok(signed)
}

/// A sign-in of the wrong role: 403, as a problem or a page.
fn wrong_role(parts: &Parts, wanted: Role) -> Refused {
    let problem = Problem::forbidden(format!("this is for {} accounts", wanted.as_str()));
    if is_api(parts) { Refused::Api(problem) } else { Refused::WrongRole(problem) }
}

/// What every signed-in role can do: name itself, sign out, check a form.
macro_rules! signed_role {
    ($name:ident, $role:expr) => {
        impl $name {
            /// Who is signed in.
            pub fn person(&self) -> PersonId {
                self.0.person
            }

            /// The anti-forgery token to put in forms.
            pub fn csrf(&self) -> &str {
                &self.0.csrf
            }

            /// The sign-in token (to sign out).
            pub fn token(&self) -> &str {
                &self.0.token
            }

            /// Check a form's anti-forgery token.
            pub fn check_csrf(&self, sent: &str) -> Result<(), Problem> {
                self.0.check_csrf(sent)
            }
        }

        impl FromRequestParts<AppState> for $name {
            type Rejection = Refused;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refused> {
                let signed = signed_in(parts, state).await?;
                match $role {
                    Some(wanted) if signed.role != wanted => Err(wrong_role(parts, wanted)),
                    _ => Ok(Self(signed)),
                }
            }
        }
    };
}

/// A signed-in patient: the only key to a journal, and only to their own.
/// Made from a live sign-in of a patient's account; an API write without
/// the sign-in's anti-forgery token is refused before the handler runs.
#[derive(Debug, Clone)]
pub struct Patient(Signed);
signed_role!(Patient, Some(Role::Patient));

/// A signed-in clinician. It reaches no journal by itself: only a
/// [`Treating`] (a live grant from the patient) does.
#[derive(Debug, Clone)]
pub struct Clinician(Signed);
signed_role!(Clinician, Some(Role::Clinician));

/// Anyone signed in, of either role: for what every account does (who am
/// I, sign out). It reaches no journal.
#[derive(Debug, Clone)]
pub struct Someone(Signed);
signed_role!(Someone, None::<Role>);

impl Someone {
    /// Patient or clinician.
    pub fn role(&self) -> Role {
        self.0.role
    }
}

/// A clinician with a live grant to the patient named in the address
/// (`{patient}`): the only key a clinician has to a journal. Checked on
/// every request, so a revocation ends access at the next one. A patient
/// who did not grant access and one who does not exist give the same 404.
#[derive(Debug, Clone)]
pub struct Treating {
    /// Who is looking.
    pub clinician: Clinician,
    /// The use cases on the patient, opened by the grant.
    pub treated: knead_app::Treated<knead_store::any::AnyStore>,
}

impl Treating {
    /// Whose journal.
    pub fn patient(&self) -> PersonId {
        self.grant().patient
    }

    /// The grant that lets them.
    pub fn grant(&self) -> &Grant {
        self.treated.grant()
    }
}

impl FromRequestParts<AppState> for Treating {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refused> {
        let clinician = Clinician::from_request_parts(parts, state).await?;
        let api = is_api(parts);
        let missing = || if api { Refused::Api(Problem::not_found()) } else { Refused::Missing };
        let params =
            axum::extract::RawPathParams::from_request_parts(parts, state).await.map_err(|_| missing())?;
        let patient = params
            .iter()
            .find(|(name, _)| *name == "patient")
            .and_then(|(_, value)| Uuid::parse_str(value).ok())
            .ok_or_else(missing)?;
        let treated = state
            .app
            .treating(clinician.person(), PersonId(patient))
            .await
            .map_err(|e| Refused::Api(e.into()))?
            .ok_or_else(missing)?;
        Ok(Treating { clinician, treated })
    }
}
