//! Mail: e-mail notices on or off, a link for a forgotten password, and
//! a new sign-in address confirmed by a link sent to it.

use super::body::JsonBody;
use crate::AppState;
use crate::auth::Someone;
use crate::links;
use crate::problem::{ApiResult, Problem};
use crate::security::ClientAddress;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use knead_store::mail::Mailing as _;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether you get e-mail notices.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Notices {
    /// An e-mail when a message is written to you (and, for a clinician,
    /// when a patient's screening or pain over time calls for a doctor). The e-mail says
    /// only that something waits in Knead, never what.
    pub email: bool,
}

/// Your e-mail notices, and whether this server sends e-mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeSettings {
    /// Whether you asked for e-mail notices.
    pub email: bool,
    /// Whether this server sends e-mail at all (its operator set a mail server).
    pub mail_available: bool,
}

/// Your e-mail notices.
#[utoipa::path(get, path = "/api/v1/me/notices", tag = "account",
    responses((status = 200, body = NoticeSettings), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_notices(State(state): State<AppState>, someone: Someone) -> ApiResult<Json<NoticeSettings>> {
    let email = state.store.email_notices(someone.person()).await?;
    Ok(Json(NoticeSettings { email, mail_available: state.app.site().is_some() }))
}

/// Turn e-mail notices on or off.
#[utoipa::path(put, path = "/api/v1/me/notices", tag = "account", request_body = Notices,
    responses(
        (status = 200, description = "What is kept now", body = NoticeSettings),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
    ))]
pub async fn put_notices(
    State(state): State<AppState>,
    someone: Someone,
    JsonBody(n): JsonBody<Notices>,
) -> ApiResult<Json<NoticeSettings>> {
    state.store.set_email_notices(someone.person(), n.email).await?;
    Ok(Json(NoticeSettings { email: n.email, mail_available: state.app.site().is_some() }))
}

/// An address to mail a link to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// The address you sign in with.
    pub email: String,
}

/// What was done, in words.
#[derive(Debug, Serialize, ToSchema)]
pub struct Sent {
    /// What happened, and what to do next.
    pub detail: &'static str,
}

/// Forgot your password: mail a link to choose a new one.
///
/// The answer is the same whether or not the address has an account. The
/// link works once, within an hour; only the newest works. At most 3 links
/// an hour go to one address, and 10 an hour are asked for from one client.
#[utoipa::path(post, path = "/api/v1/password-links", tag = "account", request_body = LinkRequest,
    responses(
        (status = 202, description = "Received (whether or not the address has an account)", body = Sent),
        (status = 409, description = "This server does not send e-mail (`type` ends in `no-mail`)", body = Problem),
        (status = 422, description = "Not an address (`field` is `email`)", body = Problem),
        (status = 429, description = "Too many links asked for", body = Problem,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    ))]
pub async fn ask_for_password_link(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    JsonBody(r): JsonBody<LinkRequest>,
) -> ApiResult<(StatusCode, Json<Sent>)> {
    links::ask_for_password_link(&state, client, &r.email).await?;
    Ok((StatusCode::ACCEPTED, Json(Sent { detail: links::PASSWORD_LINK_SENT })))
}

/// A new password, with the link's token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// The `token` from the link in the e-mail.
    pub token: String,
    /// The new password, held to sign-up's rules.
    pub new_password: String,
}

/// Choose a new password with a mailed link.
///
/// Every sign-in of the account ends; sign in with the new password next.
#[utoipa::path(post, path = "/api/v1/password-links/use", tag = "account", request_body = PasswordReset,
    responses(
        (status = 204, description = "Changed; every sign-in of the account ended"),
        (status = 422, description = "The link is unknown, used or lapsed (`field` is `token`), or the \
            password is not allowed (`new_password`)", body = Problem),
        (status = 429, description = "The server is busy", body = Problem,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    ))]
pub async fn use_password_link(
    State(state): State<AppState>,
    JsonBody(r): JsonBody<PasswordReset>,
) -> ApiResult<StatusCode> {
    links::reset_password(&state, &r.token, &r.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new sign-in address, confirmed with the current one and the password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressChange {
    /// The address you sign in with now.
    pub email: String,
    /// Your password.
    pub password: String,
    /// The address to sign in with from now on.
    pub new_email: String,
}

/// Change your sign-in address.
///
/// Confirmed with your address and password (checked and counted as a
/// sign-in is). A link goes to the new address; the change is made when
/// it is opened, within an hour. A note goes to your current address.
#[utoipa::path(post, path = "/api/v1/me/email", tag = "account", request_body = AddressChange,
    responses(
        (status = 202, description = "The link is on its way to the new address", body = Sent),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 409, description = "This server does not send e-mail (`type` ends in `no-mail`)", body = Problem),
        (status = 422, description = "Not your address and password (`field` is `password`), or not an \
            address (`new_email`)", body = Problem),
        (status = 429, description = "Too many attempts, or the server is busy", body = Problem,
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    ))]
pub async fn ask_for_address_link(
    State(state): State<AppState>,
    someone: Someone,
    ClientAddress(client): ClientAddress,
    JsonBody(c): JsonBody<AddressChange>,
) -> ApiResult<(StatusCode, Json<Sent>)> {
    links::ask_for_address_link(&state, client, someone.person(), &c.email, &c.password, &c.new_email)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(Sent { detail: links::ADDRESS_LINK_SENT })))
}

/// A mailed link's token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkToken {
    /// The `token` from the link in the e-mail.
    pub token: String,
}

/// The address an account signs in with now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Address {
    /// The address.
    pub email: String,
}

/// Confirm a new sign-in address with the link sent to it.
///
/// Needs no sign-in: the link went to the new address, and was asked for
/// with the password.
#[utoipa::path(post, path = "/api/v1/email-links/use", tag = "account", request_body = LinkToken,
    responses(
        (status = 200, description = "The account signs in with this address now", body = Address),
        (status = 422, description = "The link is unknown, used or lapsed (`field` is `token`), or another \
            account has the address by now (`email`)", body = Problem),
    ))]
pub async fn use_address_link(
    State(state): State<AppState>,
    JsonBody(t): JsonBody<LinkToken>,
) -> ApiResult<Json<Address>> {
    let email = links::confirm_address(&state, &t.token).await?;
    Ok(Json(Address { email }))
}
