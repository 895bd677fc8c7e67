//! Accounts and sign-in: who is asking.
//!
//! - Passwords are hashed with argon2id (OWASP's parameters: 19 MiB, 2
//!   passes, 1 lane) on a pool of its own with a bounded queue
//!   ([`crate::hashing`]), so hashing never stalls other requests and a
//!   flood of sign-ins cannot take the server's memory: past the queue the
//!   answer is 429 at once. A new password must also be hard to guess
//!   ([`knead_app::password`]).
//! - Nothing tells whether an address has an account. An unknown address
//!   is checked against a dummy hash, so a wrong address takes as long as
//!   a wrong password; and sign-up answers the same whether or not the
//!   address is taken ([`SignUpAnswer`]), unless the operator chose to
//!   tell.
//! - Guessing is limited per email address, per client, and per purpose,
//!   in the store, so the API, the pages and every server share one count
//!   ([`knead_app::attempts`]). An attempt is counted before its password
//!   is checked, and one over the allowance is refused (429,
//!   `Retry-After`) without a check, so the refusal costs no hashing and
//!   says nothing about the password. Addresses without an account are
//!   counted the same way. A right password forgets the address's
//!   failures: the person who knows it is back to a full allowance
//!   (anyone guessing gets a fresh one too, but only after each sign-in
//!   of the owner, which lasts [`SIGN_IN_DAYS`]).
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
use crate::hashing::{self, Ticket};
use crate::problem::Problem;
use argon2::password_hash::SaltString;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use chrono::Duration;
use knead_app::attempts::{Client, Counted};
use knead_app::password::NewPassword;
use knead_core::records::PersonId;
use knead_store::StoreError;
use knead_store::accounts::{Account, Accounts, Role, SignIn};
use knead_store::sharing::Grant;
use uuid::Uuid;

/// How long a sign-in lasts.
pub const SIGN_IN_DAYS: i64 = 30;

/// The header an API write carries the anti-forgery token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// What sign-up answers for an address that already has an account.
/// Without e-mail, Knead cannot both tell the owner and keep the answer
/// the same, so the operator chooses (`knead serve --tell-taken-addresses`);
/// docs/security.md says what each costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpAnswer {
    /// The same answer whether or not the address is taken: 202 and
    /// [`SIGN_UP_RECEIVED`], nobody signed in, nothing changed for an
    /// existing account. The person then signs in, with the new password
    /// or, if they had forgotten their account, with its old one.
    Uniform,
    /// A new address is signed in at once (201); a taken one is told so
    /// (409), which lets anyone test whether an address has an account,
    /// within the sign-up allowance per client.
    TellTaken,
}

/// What a uniform sign-up says, to the API and on the page alike.
pub const SIGN_UP_RECEIVED: &str = "If this address had no account, it has one now. If it had one \
    already, nothing about it changed, and its own password still applies. Either way, sign in now \
    with the address and password.";

/// The longest email address (RFC 5321's path limit, less the brackets).
pub const EMAIL_MAX_CHARS: usize = 254;

/// An email address as kept: trimmed and lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Read an address; the error says what is allowed.
    pub fn parse(text: &str) -> Result<Self, Problem> {
        let email = knead_app::text::email(text);
        let well_formed = text.chars().count() <= EMAIL_MAX_CHARS
            && email.len() <= EMAIL_MAX_CHARS
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && matches!(email.split_once('@'), Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                    && !domain.starts_with('.') && !domain.ends_with('.'));
        if well_formed {
            Ok(Self(email))
        } else {
            Err(Problem::invalid(
                "email",
                format!(
                    "allowed: an email address like name@example.org (at most {EMAIL_MAX_CHARS} characters)"
                ),
            ))
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
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

/// Hash a new password with argon2id on `ticket`'s place in the pool.
pub async fn hash_password(ticket: &Ticket<'_>, password: NewPassword) -> Result<String, Problem> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(|_| Problem::internal())?;
    ticket.run(move || hashing::hash(password.as_bytes(), &salt)).await?.ok_or_else(|| {
        tracing::error!("hashing failed");
        Problem::internal()
    })
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

/// What a sign-up did.
#[derive(Debug)]
pub enum SignedUp {
    /// The account is made and signed in ([`SignUpAnswer::TellTaken`]).
    In(NewSignIn),
    /// The answer that does not tell whether the address was taken
    /// ([`SignUpAnswer::Uniform`]): nobody is signed in.
    Received,
}

/// Make an account with `role` for someone at `client`: the one way to,
/// for the API and the sign-up page alike. The address and password are
/// checked first, so a person choosing a password spends no attempt; the
/// sign-up is then counted per client, and the password hashed whether
/// or not the address is taken, so that time tells nothing either.
pub async fn sign_up(
    state: &AppState,
    client: Client,
    email: &str,
    password: &str,
    role: Role,
) -> Result<SignedUp, Problem> {
    let email = Email::parse(email)?;
    let password = NewPassword::parse(password, email.as_str())?;
    let ticket = state.hashing().ticket()?;
    state.app.attempt(&[Counted::SignUpClient(client)]).await?;
    let account = Account {
        person: PersonId(Uuid::now_v7()),
        role,
        email: email.as_str().to_owned(),
        password_hash: hash_password(&ticket, password).await?,
        created_at: state.config.now.now(),
    };
    drop(ticket);
    let uniform = state.config.sign_up == SignUpAnswer::Uniform;
    match state.store.create_account(&account).await {
        Ok(()) if uniform => Ok(SignedUp::Received),
        Ok(()) => Ok(SignedUp::In(open(state, account.person, role).await?)),
        Err(StoreError::Taken { .. }) if uniform => {
            state.app.mail_taken_notice(email.as_str()).await;
            Ok(SignedUp::Received)
        }
        Err(StoreError::Taken { .. }) => Err(Problem::conflict(
            "email-taken",
            "This email address already has an account",
            "sign in instead, or use another address",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Check an address and password from `client` and sign in: the one way
/// in, for the API and the sign-in page alike. The attempt is counted
/// per client and per address before the password is checked (so
/// attempts made at once cannot pass the limit together), and the
/// address's failures are forgotten when it is right; over an allowance
/// it is refused without a check (see the module's notes).
pub async fn sign_in(
    state: &AppState,
    client: Client,
    email: &str,
    password: &str,
) -> Result<NewSignIn, Problem> {
    match checked(state, client, email, password).await? {
        Some(account) => open(state, account.person, account.role).await,
        None => Err(Problem::bad_credentials()),
    }
}

/// The account whose address and password these are, or `None`: counted
/// per client and per address first, checked on the hashing pool (a dummy
/// hash for an unknown address), and the address's failures forgotten
/// when right. Sign-in and every confirmation with a password go through it.
pub(crate) async fn checked(
    state: &AppState,
    client: Client,
    email: &str,
    password: &str,
) -> Result<Option<knead_store::accounts::Account>, Problem> {
    // A place for the hash first: when the server is too busy, nothing is counted.
    let ticket = state.hashing().ticket()?;
    state.app.attempt(&[Counted::SignInClient(client), Counted::SignInAccount(email)]).await?;
    let account = match Email::parse(email) {
        Ok(email) => state.store.account_by_email(email.as_str()).await?,
        Err(_) => None,
    };
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let matches = ticket.verify(password.to_owned(), hash).await?;
    drop(ticket);
    if !matches {
        return Ok(None);
    }
    state.app.forget_attempts(Counted::SignInAccount(email)).await?;
    Ok(account)
}

/// Give the signed-in person a new password, once they confirmed with
/// their own address and current password: checked as a sign-in is, the
/// new one held to sign-up's rules (its field is `new_password`). Every
/// other sign-in of theirs ends; the one under `token` stays.
pub async fn change_password(
    state: &AppState,
    client: Client,
    person: PersonId,
    token: &str,
    email: &str,
    current: &str,
    new: &str,
) -> Result<(), Problem> {
    let email = Email::parse(email)?;
    let new = NewPassword::parse(new, email.as_str())
        .map_err(|e| Problem { field: Some("new_password".to_owned()), ..e.into() })?;
    match checked(state, client, email.as_str(), current).await? {
        Some(account) if account.person == person => {
            let ticket = state.hashing().ticket()?;
            let hash = hash_password(&ticket, new).await?;
            drop(ticket);
            let keep = knead_app::secret::hash(token);
            Ok(state.store.set_password(person, &hash, Some(&keep)).await?)
        }
        _ => Err(Problem::invalid("password", "the address and current password you sign in with")),
    }
}

/// The longest name a person may choose to be shown by.
pub const DISPLAY_NAME_MAX_CHARS: usize = 80;

/// The name `person` chooses to be shown by to their clinicians, trimmed,
/// on one line, at most [`DISPLAY_NAME_MAX_CHARS`]; nothing (or spaces)
/// clears it, and their address is shown again. Returns what is kept.
pub async fn set_display_name(
    state: &AppState,
    person: PersonId,
    name: Option<&str>,
) -> Result<Option<String>, Problem> {
    let name =
        knead_app::text::optional("display_name", name, DISPLAY_NAME_MAX_CHARS, knead_app::text::Lines::One)?;
    state.store.set_display_name(person, name.as_deref()).await?;
    Ok(name)
}

/// What an operator's reset ([`reset_password`]) gives back.
#[derive(Debug)]
pub struct Reset {
    /// The new password, to give the person by a channel the operator
    /// trusts; they choose their own on their account page.
    pub password: String,
}

/// An operator resets the password of the account at `email` (the person
/// forgot theirs): a new random one (256 bits), every sign-in of theirs
/// ended. Run on the operator's machine, with no server: nothing counts
/// attempts here, and nobody but whoever may read the database runs it.
pub async fn reset_password(store: &knead_store::any::AnyStore, email: &str) -> Result<Reset, Problem> {
    let email = Email::parse(email)?;
    let Some(account) = store.account_by_email(email.as_str()).await? else {
        return Err(Problem::invalid("email", "no account has this address"));
    };
    let password = random_token()?;
    let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(|_| Problem::internal())?;
    let secret = password.clone();
    let hash = tokio::task::spawn_blocking(move || hashing::hash(secret.as_bytes(), &salt))
        .await
        .ok()
        .flatten()
        .ok_or_else(Problem::internal)?;
    store.set_password(account.person, &hash, None).await?;
    Ok(Reset { password })
}

/// End every sign-in of `person`, on every device and server, this one too.
pub async fn sign_out_everywhere(state: &AppState, person: PersonId) -> Result<(), Problem> {
    Ok(state.store.close_sign_ins(person).await?)
}

/// Erase `person`'s account and all that is theirs (see
/// [`knead_store::accounts::ERASE`]), once they confirmed it with their
/// own address and password.
pub async fn erase_account(
    state: &AppState,
    client: Client,
    person: PersonId,
    email: &str,
    password: &str,
) -> Result<(), Problem> {
    match checked(state, client, email, password).await? {
        Some(account) if account.person == person => Ok(state.store.erase(person).await?),
        _ => Err(Problem::invalid("password", "the address and password you sign in with")),
    }
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
