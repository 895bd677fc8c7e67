//! Sign up, sign in, sign out, and who am I.

use super::body::JsonBody;
use crate::AppState;
use crate::auth::{self, NewSignIn, SignedUp, Someone};
use crate::problem::{ApiResult, Problem};
use crate::security::ClientAddress;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use knead_store::accounts::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// An address and a password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// The email address.
    pub email: String,
    /// The password.
    pub password: String,
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// The email address.
    pub email: String,
    /// The password: 10 to 256 characters that are hard to guess (not a
    /// common or breached password, a word with a few digits, a keyboard
    /// pattern or the address; a few unrelated words work well).
    pub password: String,
    /// What the account is for: `patient` (the default) keeps a journal,
    /// `clinician` follows patients who invite them. It cannot be changed.
    #[serde(default)]
    pub role: RoleWord,
}

/// A role, as the API spells it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleWord {
    /// Keeps a journal.
    #[default]
    Patient,
    /// Follows patients who invited them.
    Clinician,
}

impl From<RoleWord> for Role {
    fn from(word: RoleWord) -> Self {
        match word {
            RoleWord::Patient => Role::Patient,
            RoleWord::Clinician => Role::Clinician,
        }
    }
}

impl From<Role> for RoleWord {
    fn from(role: Role) -> Self {
        match role {
            Role::Patient => RoleWord::Patient,
            Role::Clinician => RoleWord::Clinician,
        }
    }
}

/// The signed-in caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The person's id.
    pub person: Uuid,
    /// Patient or clinician.
    pub role: RoleWord,
    /// The anti-forgery token: send it as `X-CSRF-Token` with every write.
    pub csrf: String,
}

fn signed_in(state: &AppState, status: StatusCode, new: NewSignIn) -> Response {
    let me = Me { person: new.person.0, role: new.role.into(), csrf: new.csrf };
    (status, [(header::SET_COOKIE, auth::set_cookie(state, &new.token))], Json(me)).into_response()
}

/// The answer to a sign-up that does not tell whether the address had an
/// account: sign in next.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignUpReceived {
    /// What happened, and what to do next, in words.
    pub detail: &'static str,
}

/// Make an account.
///
/// By default the answer is the same whether or not the address already
/// has an account (202, nobody signed in, an existing account unchanged),
/// so sign-up cannot be used to learn who has one: sign in next. A server
/// run with `--tell-taken-addresses` signs a new account in at once (201)
/// and answers 409 for a taken address instead.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "account", request_body = NewAccount,
    responses(
        (status = 201, description = "Signed up and in; the cookie is set (with `--tell-taken-addresses`)", body = Me),
        (status = 202, description = "Received: sign in next (the default, whether or not the address had an \
            account)", body = SignUpReceived),
        (status = 409, description = "The address has an account (with `--tell-taken-addresses`)", body = Problem),
        (status = 422, description = "Address or password not allowed; `field` names which and `detail` why",
            body = Problem),
        (status = 429, description = "Too many sign-ups from this client, or the server is busy \
            (with `Retry-After`)", body = Problem,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    ))]
pub async fn sign_up(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    JsonBody(c): JsonBody<NewAccount>,
) -> ApiResult<Response> {
    match auth::sign_up(&state, client, &c.email, &c.password, c.role.into()).await? {
        SignedUp::In(new) => Ok(signed_in(&state, StatusCode::CREATED, new)),
        SignedUp::Received => {
            Ok((StatusCode::ACCEPTED, Json(SignUpReceived { detail: auth::SIGN_UP_RECEIVED }))
                .into_response())
        }
    }
}

/// Sign in.
///
/// Guessing is limited per client and per email address, counted on all
/// servers and together with the sign-in page. Too many failed sign-ins
/// with one address within a few minutes pause it (the problem's `detail`
/// says how many and for how long; a right password clears the count). A
/// paused address is refused without its password being checked, whether
/// or not it has an account.
#[utoipa::path(post, path = "/api/v1/sign-in", tag = "account", request_body = Credentials,
    responses(
        (status = 200, description = "Signed in; the cookie is set", body = Me),
        (status = 401, description = "Wrong address or password", body = Problem),
        (status = 429, description = "Too many attempts from this client (`type` \
            `/problems/too-many-attempts`), too many failed sign-ins with this address \
            (`/problems/sign-ins-paused`), or the server is busy (`/problems/server-busy`)", body = Problem,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    JsonBody(c): JsonBody<Credentials>,
) -> ApiResult<Response> {
    let new = auth::sign_in(&state, client, &c.email, &c.password).await?;
    Ok(signed_in(&state, StatusCode::OK, new))
}

/// Sign out: this sign-in ends everywhere.
#[utoipa::path(post, path = "/api/v1/sign-out", tag = "account",
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn sign_out(State(state): State<AppState>, someone: Someone) -> ApiResult<Response> {
    auth::sign_out(&state, someone.token()).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::clear_cookie(&state))]).into_response())
}

/// Who is signed in, and the token for writes.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(someone: Someone) -> Json<Me> {
    Json(Me { person: someone.person().0, role: someone.role().into(), csrf: someone.csrf().to_owned() })
}

/// Delete your account and everything in it (GDPR Art. 17).
///
/// Confirmed with your address and password, checked as a sign-in is
/// (and counted with sign-ins). Then, at once and for good: your journal
/// (screenings, sessions, check-ins), your sharing (every grant ends, for
/// you and your clinicians alike), your messages and programs, your
/// calendar address and every sign-in. Lines you left in other people's
/// records (a clinician's looks in a patient's log) keep no address.
/// Download your data first: `/api/v1/me/journal` and `/api/v1/me/fhir`.
#[utoipa::path(delete, path = "/api/v1/me", tag = "account", request_body = Credentials,
    responses(
        (status = 204, description = "Deleted, and signed out"),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 422, description = "Not your address and password (`field` is `password`)", body = Problem),
        (status = 429, description = "Too many attempts, or the server is busy", body = Problem,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    ))]
pub async fn erase(
    State(state): State<AppState>,
    someone: Someone,
    ClientAddress(client): ClientAddress,
    JsonBody(c): JsonBody<Credentials>,
) -> ApiResult<Response> {
    auth::erase_account(&state, client, someone.person(), &c.email, &c.password).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::clear_cookie(&state))]).into_response())
}

/// A new password, confirmed with the address and the current one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The email address you sign in with.
    pub email: String,
    /// Your current password.
    pub password: String,
    /// The new one, held to sign-up's rules.
    pub new_password: String,
}

/// Change your password.
///
/// Confirmed with your address and current password (checked and counted
/// as a sign-in is). Every other sign-in of yours ends, on every device;
/// this one stays.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "account", request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; your other sign-ins ended"),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 422, description = "Not your address and current password (`field` is `password`), or a new \
            password that is not allowed (`new_password`)", body = Problem),
        (status = 429, description = "Too many attempts, or the server is busy", body = Problem,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    someone: Someone,
    ClientAddress(client): ClientAddress,
    JsonBody(c): JsonBody<PasswordChange>,
) -> ApiResult<StatusCode> {
    auth::change_password(
        &state,
        client,
        someone.person(),
        someone.token(),
        &c.email,
        &c.password,
        &c.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The name you are shown by.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisplayName {
    /// Shown to your clinicians beside your address (1 to 80 characters,
    /// one line); `null` or empty: your address alone.
    pub display_name: Option<String>,
}

/// Set the name your clinicians see.
///
/// Shown with your address on their list and your record. Trimmed; empty
/// or `null` shows your address alone again.
#[utoipa::path(put, path = "/api/v1/me/name", tag = "account", request_body = DisplayName,
    responses(
        (status = 200, description = "What is kept now", body = DisplayName),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 422, description = "Too long, or more than one line; `field` is `display_name`", body = Problem),
    ))]
pub async fn set_display_name(
    State(state): State<AppState>,
    someone: Someone,
    JsonBody(d): JsonBody<DisplayName>,
) -> ApiResult<Json<DisplayName>> {
    let kept = auth::set_display_name(&state, someone.person(), d.display_name.as_deref()).await?;
    Ok(Json(DisplayName { display_name: kept }))
}

/// Sign out everywhere: every sign-in of yours ends, on every device and
/// server, this one too.
#[utoipa::path(post, path = "/api/v1/me/sign-out-everywhere", tag = "account",
    responses((status = 204, description = "Signed out everywhere"), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn sign_out_everywhere(State(state): State<AppState>, someone: Someone) -> ApiResult<Response> {
    auth::sign_out_everywhere(&state, someone.person()).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::clear_cookie(&state))]).into_response())
}
