//! The web's side of mailed links ([`knead_app::links`]): a forgotten
//! password and a new address, for the API and the pages alike. What is
//! the web's here is what needs the hashing pool: a new password is
//! hashed there, and a change of address is confirmed with the password.

use crate::AppState;
use crate::auth::{self, Email};
use crate::problem::Problem;
use knead_app::attempts::Client;
use knead_app::links::{Kind, Used};
use knead_app::password::NewPassword;
use knead_core::records::PersonId;
use knead_store::accounts::Accounts as _;

/// What asking for a password link says, whether or not the address has
/// an account.
pub const PASSWORD_LINK_SENT: &str = "If an account has this address, a link to choose a new password is \
    on its way to it. It works once, within an hour. Nothing arrived? Look in your spam folder, or ask \
    again later.";

/// What asking for a new address says.
pub const ADDRESS_LINK_SENT: &str = "A link is on its way to the new address: open it within an hour to \
    sign in with that address from now on. Until then, nothing changes. A note went to your current \
    address too.";

/// The refusal of a link that is unknown, used or lapsed (said alike).
fn dead_link() -> Problem {
    Problem::invalid(
        "token",
        "a link from your e-mail that has not been used and is less than an hour old: ask for a new one",
    )
}

/// Mail a link to choose a new password to the account at `email`, if
/// there is one (see [`PASSWORD_LINK_SENT`]).
pub async fn ask_for_password_link(state: &AppState, client: Client, email: &str) -> Result<(), Problem> {
    let email = Email::parse(email)?;
    Ok(state.app.mail_password_link(client, email.as_str()).await?)
}

/// Choose `new` as the password of the account the link behind `token`
/// is for, held to sign-up's rules (its field is `new_password`). The
/// link is spent only once the new password is accepted; every sign-in
/// of the account ends, whoever knew the old password is out.
pub async fn reset_password(state: &AppState, token: &str, new: &str) -> Result<(), Problem> {
    let Some((person, email)) = state.app.password_link(token).await? else {
        return Err(dead_link());
    };
    let new = NewPassword::parse(new, &email)
        .map_err(|e| Problem { field: Some("new_password".to_owned()), ..e.into() })?;
    let ticket = state.hashing().ticket()?;
    let hash = auth::hash_password(&ticket, new).await?;
    drop(ticket);
    match state.app.use_link(token, Kind::Password).await? {
        Some(Used::Reset(used)) if used == person => {
            Ok(state.store.set_password(person, &hash, None).await?)
        }
        _ => Err(dead_link()),
    }
}

/// Mail a link to confirm `new_email` as the signed-in `person`'s
/// address, once they confirmed with their address and password (checked
/// and counted as a sign-in is).
pub async fn ask_for_address_link(
    state: &AppState,
    client: Client,
    person: PersonId,
    email: &str,
    password: &str,
    new_email: &str,
) -> Result<(), Problem> {
    let new_email =
        Email::parse(new_email).map_err(|e| Problem { field: Some("new_email".to_owned()), ..e })?;
    match auth::checked(state, client, email, password).await? {
        Some(account) if account.person == person => {
            Ok(state.app.mail_address_link(client, person, &account.email, new_email.as_str()).await?)
        }
        _ => Err(Problem::invalid("password", "the address and password you sign in with")),
    }
}

/// Use the link behind `token` to move its account to the address it
/// was sent to; returns the new address.
pub async fn confirm_address(state: &AppState, token: &str) -> Result<String, Problem> {
    match state.app.use_link(token, Kind::Address).await? {
        Some(Used::Moved { to, .. }) => Ok(to),
        _ => Err(dead_link()),
    }
}
