//! The pages of mailed links: asking for a link when a password is
//! forgotten, choosing the new one, and confirming a new address. The
//! rules are in [`crate::links`], the API's too. A link opened in a mail
//! program only shows a form: nothing changes until it is sent, so a mail
//! scanner that follows links spends none.

use super::{one, pairs, render, with_retry_after};
use crate::AppState;
use crate::links;
use crate::problem::Problem;
use crate::security::ClientAddress;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "links.html")]
struct LinksPage {
    title: &'static str,
    csrf: Option<String>,
    /// Which form: `ask`, `choose`, `confirm`, or none (done).
    form: &'static str,
    token: String,
    error: Option<String>,
    notice: Option<String>,
    allowed: &'static str,
}

fn page(title: &'static str, form: &'static str, token: &str) -> LinksPage {
    LinksPage {
        title,
        csrf: None,
        form,
        token: token.to_owned(),
        error: None,
        notice: None,
        allowed: knead_app::password::ALLOWED,
    }
}

/// A dead password link's words: the page offers to ask for a new one at once.
const DEAD_PASSWORD_LINK: &str =
    "This link has been used, or is more than an hour old. Ask for a new one here.";

/// A dead address link's words.
const DEAD_ADDRESS_LINK: &str = "This link has been used, or is more than an hour old. To change your \
    address, sign in and ask again on your account page.";

fn refused(p: Problem, page: LinksPage) -> Response {
    let (status, retry_after) = (p.status_code(), p.retry_after);
    let dead = p.field.as_deref() == Some("token");
    let page = match page.title {
        RESET if dead => LinksPage {
            error: Some(DEAD_PASSWORD_LINK.to_owned()),
            form: "ask",
            token: String::new(),
            ..page
        },
        CONFIRM if dead => LinksPage { error: Some(DEAD_ADDRESS_LINK.to_owned()), ..page },
        _ => LinksPage { error: Some(p.detail.unwrap_or(p.title)), ..page },
    };
    with_retry_after(render(status, &page), retry_after)
}

fn token_of(query: Option<&str>) -> String {
    pairs(query.unwrap_or_default().as_bytes())
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
        .unwrap_or_default()
}

const FORGOT: &str = "Forgot your password?";
const RESET: &str = "Choose a new password";
const CONFIRM: &str = "Confirm your new address";

/// `GET /forgot-password`.
pub(super) async fn forgot_form() -> Response {
    render(StatusCode::OK, &page(FORGOT, "ask", ""))
}

/// `POST /forgot-password`: a link to the address, if it has an account.
pub(super) async fn forgot(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    body: Bytes,
) -> Response {
    let form = pairs(&body);
    match links::ask_for_password_link(&state, client, one(&form, "email")).await {
        Ok(()) => {
            let done =
                LinksPage { notice: Some(links::PASSWORD_LINK_SENT.to_owned()), ..page(FORGOT, "", "") };
            render(StatusCode::ACCEPTED, &done)
        }
        Err(p) => refused(p, page(FORGOT, "ask", "")),
    }
}

/// `GET /reset-password?token=…`: the form for a new password.
pub(super) async fn reset_form(RawQuery(query): RawQuery) -> Response {
    render(StatusCode::OK, &page(RESET, "choose", &token_of(query.as_deref())))
}

/// `POST /reset-password`: the new password; every sign-in ends.
pub(super) async fn reset(State(state): State<AppState>, body: Bytes) -> Response {
    let form = pairs(&body);
    let token = one(&form, "token");
    match links::reset_password(&state, token, one(&form, "new_password")).await {
        Ok(()) => {
            let notice = "Your new password is set. Sign in with it.".to_owned();
            render(StatusCode::OK, &LinksPage { notice: Some(notice), ..page(RESET, "", "") })
        }
        Err(p) => refused(p, page(RESET, "choose", token)),
    }
}

/// `GET /confirm-email?token=…`: the button that confirms.
pub(super) async fn confirm_form(RawQuery(query): RawQuery) -> Response {
    render(StatusCode::OK, &page(CONFIRM, "confirm", &token_of(query.as_deref())))
}

/// `POST /confirm-email`: the account signs in with the new address.
pub(super) async fn confirm(State(state): State<AppState>, body: Bytes) -> Response {
    let form = pairs(&body);
    match links::confirm_address(&state, one(&form, "token")).await {
        Ok(email) => {
            let notice = format!("Done: sign in with {email} from now on.");
            render(StatusCode::OK, &LinksPage { notice: Some(notice), ..page(CONFIRM, "", "") })
        }
        Err(p) => refused(p, page(CONFIRM, "", "")),
    }
}
