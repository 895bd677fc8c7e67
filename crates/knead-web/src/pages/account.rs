//! The account page: take your data away, change the password or the
//! address, e-mail notices, sign out everywhere, or delete the account and
//! all that is in it. The rules are in [`auth`] and [`links`], the API's too.

use super::{one, pairs, render, with_retry_after};
use crate::AppState;
use crate::auth::{self, Someone};
use crate::links;
use crate::problem::Problem;
use crate::security::ClientAddress;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use knead_store::accounts::{Accounts, Role};
use knead_store::mail::Mailing as _;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    title: &'static str,
    csrf: Option<String>,
    csrf_token: String,
    clinician: bool,
    error: Option<String>,
    notice: Option<String>,
    /// What a new password must be.
    allowed: &'static str,
    /// The name shown to clinicians ("" for none: the address is).
    name: String,
    name_max: usize,
    /// Whether this server sends e-mail.
    mail: bool,
    /// Whether the person asked for e-mail notices.
    notices: bool,
    /// The site's push key, when this server notifies devices.
    push_key: Option<String>,
}

#[derive(Template)]
#[template(path = "erased.html")]
struct ErasedPage {
    title: &'static str,
    csrf: Option<String>,
}

async fn page(
    state: &AppState,
    someone: &Someone,
    refused: Option<Problem>,
    notice: Option<&str>,
) -> Response {
    let read = async {
        let name = state.store.display_name(someone.person()).await?;
        let notices = state.store.email_notices(someone.person()).await?;
        let push_key = state.push_key().await?;
        Ok::<_, knead_store::StoreError>((name.unwrap_or_default(), notices, push_key))
    };
    let (name, notices, push_key) = match read.await {
        Ok(read) => read,
        Err(e) => return Problem::from(e).into_response(),
    };
    let status = refused.as_ref().map_or(StatusCode::OK, Problem::status_code);
    let retry_after = refused.as_ref().and_then(|p| p.retry_after);
    let page = AccountPage {
        title: "Your account",
        csrf: Some(someone.csrf().to_owned()),
        csrf_token: someone.csrf().to_owned(),
        clinician: someone.role() == Role::Clinician,
        error: refused.map(|p| p.detail.unwrap_or(p.title)),
        notice: notice.map(str::to_owned),
        allowed: knead_app::password::ALLOWED,
        name,
        name_max: auth::DISPLAY_NAME_MAX_CHARS,
        mail: state.app.site().is_some(),
        notices,
        push_key,
    };
    with_retry_after(render(status, &page), retry_after)
}

/// `GET /account`.
pub(super) async fn account(State(state): State<AppState>, someone: Someone) -> Response {
    page(&state, &someone, None, None).await
}

/// `POST /account/password`: a new password, confirmed with the address
/// and the current one; the person's other sign-ins end.
pub(super) async fn password(
    State(state): State<AppState>,
    someone: Someone,
    ClientAddress(client): ClientAddress,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let done = async {
        someone.check_csrf(one(&form, "csrf"))?;
        let (email, current, new) = (one(&form, "email"), one(&form, "password"), one(&form, "new_password"));
        auth::change_password(&state, client, someone.person(), someone.token(), email, current, new).await
    };
    match done.await {
        Ok(()) => {
            page(&state, &someone, None, Some("Password changed. Every other sign-in of yours has ended."))
                .await
        }
        Err(p) => page(&state, &someone, Some(p), None).await,
    }
}

/// `POST /account/name`: the name clinicians see (empty: the address).
pub(super) async fn name(State(state): State<AppState>, someone: Someone, body: Bytes) -> Response {
    let form = pairs(&body);
    let done = async {
        someone.check_csrf(one(&form, "csrf"))?;
        auth::set_display_name(&state, someone.person(), Some(one(&form, "display_name"))).await
    };
    match done.await {
        Ok(Some(_)) => page(&state, &someone, None, Some("Saved. Your clinicians see this name.")).await,
        Ok(None) => {
            page(&state, &someone, None, Some("Saved. Your clinicians see your email address.")).await
        }
        Err(p) => page(&state, &someone, Some(p), None).await,
    }
}

/// `POST /account/notices`: e-mail notices on (`email=on`) or off.
pub(super) async fn notices(State(state): State<AppState>, someone: Someone, body: Bytes) -> Response {
    let form = pairs(&body);
    let on = one(&form, "email") == "on";
    let done = async {
        someone.check_csrf(one(&form, "csrf"))?;
        Ok::<_, Problem>(state.store.set_email_notices(someone.person(), on).await?)
    };
    let said = if on {
        "Saved: Knead e-mails you when something waits for you."
    } else {
        "Saved: no e-mail notices."
    };
    match done.await {
        Ok(()) => page(&state, &someone, None, Some(said)).await,
        Err(p) => page(&state, &someone, Some(p), None).await,
    }
}

/// `POST /account/email`: a new address, confirmed with the current one
/// and the password; a link goes to the new address.
pub(super) async fn email(
    State(state): State<AppState>,
    someone: Someone,
    ClientAddress(client): ClientAddress,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let done = async {
        someone.check_csrf(one(&form, "csrf"))?;
        let (email, password, new) = (one(&form, "email"), one(&form, "password"), one(&form, "new_email"));
        links::ask_for_address_link(&state, client, someone.person(), email, password, new).await
    };
    match done.await {
        Ok(()) => page(&state, &someone, None, Some(links::ADDRESS_LINK_SENT)).await,
        Err(p) => page(&state, &someone, Some(p), None).await,
    }
}

/// `POST /account/sign-out-everywhere`: every sign-in ends, this one too.
pub(super) async fn sign_out_everywhere(
    State(state): State<AppState>,
    someone: Someone,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let done = async {
        someone.check_csrf(one(&form, "csrf"))?;
        auth::sign_out_everywhere(&state, someone.person()).await
    };
    match done.await {
        Ok(()) => ([(header::SET_COOKIE, auth::clear_cookie(&state))], Redirect::to("/")).into_response(),
        Err(p) => page(&state, &someone, Some(p), None).await,
    }
}

/// `POST /account/erase`: delete the account, confirmed with the address
/// and password; signed out, and told so.
pub(super) async fn erase(
    State(state): State<AppState>,
    someone: Someone,
    ClientAddress(client): ClientAddress,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    let done = async {
        someone.check_csrf(one(&form, "csrf"))?;
        if one(&form, "understood") != "yes" {
            return Err(Problem::invalid(
                "understood",
                "tick the box to say you understand it cannot be undone",
            ));
        }
        auth::erase_account(&state, client, someone.person(), one(&form, "email"), one(&form, "password"))
            .await
    };
    match done.await {
        Ok(()) => {
            let page = render(StatusCode::OK, &ErasedPage { title: "Account deleted", csrf: None });
            ([(header::SET_COOKIE, auth::clear_cookie(&state))], page).into_response()
        }
        Err(p) => page(&state, &someone, Some(p), None).await,
    }
}
