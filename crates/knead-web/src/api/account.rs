//! Sign up, sign in, sign out, and who am I.

use super::body::JsonBody;
use crate::AppState;
use crate::auth::{self, NewSignIn, Someone};
use crate::problem::{ApiResult, Problem};
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
    /// The password (10 to 256 characters for a new account).
    pub password: String,
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// The email address.
    pub email: String,
    /// The password (10 to 256 characters).
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

/// Make an account and sign in.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "account", request_body = NewAccount,
    responses(
        (status = 201, description = "Signed up and in; the cookie is set", body = Me),
        (status = 409, description = "The address has an account", body = Problem),
        (status = 422, description = "Address or password not allowed", body = Problem),
        (status = 429, description = "Too many attempts", body = Problem),
    ))]
pub async fn sign_up(
    State(state): State<AppState>,
    JsonBody(c): JsonBody<NewAccount>,
) -> ApiResult<Response> {
    let new = auth::sign_up(&state, &c.email, &c.password, c.role.into()).await?;
    Ok(signed_in(&state, StatusCode::CREATED, new))
}

/// Sign in.
///
/// Guessing is limited twice: per client address on each server, and per
/// email address on all servers together. Too many failed sign-ins with
/// one address within a few minutes pause it (the problem's `detail` says
/// how many and for how long; a right password clears the count). A
/// paused address is refused without its password being checked, whether
/// or not it has an account.
#[utoipa::path(post, path = "/api/v1/sign-in", tag = "account", request_body = Credentials,
    responses(
        (status = 200, description = "Signed in; the cookie is set", body = Me),
        (status = 401, description = "Wrong address or password", body = Problem),
        (status = 429, description = "Too many attempts from this client, or too many failed sign-ins \
            with this address (`type` `/problems/sign-ins-paused`, with `Retry-After`)", body = Problem,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying this address again \
                (sent when the address is paused)"))),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    JsonBody(c): JsonBody<Credentials>,
) -> ApiResult<Response> {
    let new = auth::sign_in(&state, &c.email, &c.password).await?;
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
