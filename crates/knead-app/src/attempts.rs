//! How often a guess may be tried: one allowance per purpose, written
//! once for the API, the pages and every server.
//!
//! Each server used to keep its own count of sign-ins per client address,
//! and the API and the sign-in page each had their own, so a guesser got
//! twice the documented allowance on each server. Now every attempt is
//! counted in the store ([`knead_store::accounts::Attempts`]), under a
//! key made here from what is counted and why, before the attempt is
//! judged; so the count is one whichever interface or server it came
//! through, and attempts sent at once cannot pass it together.
//!
//! What is counted ([`Counted`]), with the default [`Allowances`]:
//!
//! - signing in with one email address: 10 failures in 15 minutes (a
//!   right password forgets them), whatever client they came from;
//! - signing in from one client: 10 attempts a minute, whatever address
//!   they name, so one client cannot try a common password on many
//!   accounts quickly;
//! - making accounts from one client: 10 an hour;
//! - links mailed to one address (a forgotten password, a new address to
//!   confirm): 3 an hour; asked for from one client: 10 an hour;
//! - trying invitation codes from one client: 10 in 15 minutes; and one
//!   code: 5 tries in 15 minutes. A code has 60 random bits, so guessing
//!   one is hopeless at these rates; the count per code stops a script
//!   that retries a code it saw (used or lapsed) from any number of
//!   clients.
//!
//! A client is its IP address, or for IPv6 its /64 network: one home or
//! phone is given a whole /64 and can change addresses within it at will.
//! The store keeps only the SHA-256 of each key and when the attempt
//! lapses: no email address, client address or code.

use crate::{App, Error, Result};
use chrono::TimeDelta;
use knead_store::accounts::{Attempt, Attempts};
use std::net::IpAddr;
use std::num::NonZeroU32;

/// So many attempts within a window, per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    /// Attempts let through within `window`.
    pub attempts: NonZeroU32,
    /// How long an attempt counts.
    pub window: TimeDelta,
}

impl Allowance {
    const fn new(attempts: u32, window: TimeDelta) -> Self {
        match NonZeroU32::new(attempts) {
            Some(attempts) => Self { attempts, window },
            None => panic!("an allowance lets at least one attempt through"),
        }
    }
}

/// The allowance of each purpose. A security number, not a clinical one,
/// so it lives here and not in the content pack; a server may be given
/// others (tests do), but the web and the terminal read one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowances {
    /// Failed sign-ins with one email address. Ten lets a person who
    /// misremembers try the passwords they are likely to have used, while
    /// guessing at one account is held to ten every 15 minutes (under a
    /// thousand a day) however many servers and clients the guesses come
    /// through; well inside NIST SP 800-63B's limit of 100 failed
    /// attempts in a row. Short enough that an owner locked out by their
    /// own typos, or by someone guessing at their address (a limit per
    /// account always lets a stranger do that), waits minutes, not hours.
    pub sign_in_per_account: Allowance,
    /// Sign-in attempts from one client, right or wrong.
    pub sign_in_per_client: Allowance,
    /// Sign-ups from one client.
    pub sign_up_per_client: Allowance,
    /// Tries of one invitation code.
    pub invitation_per_code: Allowance,
    /// Invitation codes tried from one client.
    pub invitation_per_client: Allowance,
    /// Links mailed to one address (a forgotten password, a new address
    /// to confirm): a few an hour, so nobody can fill someone's inbox.
    pub mail_per_address: Allowance,
    /// Links asked for from one client, whatever the address.
    pub mail_per_client: Allowance,
}

impl Allowances {
    /// The allowances `knead serve` runs with.
    pub const DEFAULT: Self = Self {
        sign_in_per_account: Allowance::new(10, TimeDelta::minutes(15)),
        sign_in_per_client: Allowance::new(10, TimeDelta::minutes(1)),
        sign_up_per_client: Allowance::new(10, TimeDelta::hours(1)),
        invitation_per_code: Allowance::new(5, TimeDelta::minutes(15)),
        invitation_per_client: Allowance::new(10, TimeDelta::minutes(15)),
        mail_per_address: Allowance::new(3, TimeDelta::hours(1)),
        mail_per_client: Allowance::new(10, TimeDelta::hours(1)),
    };

    fn of(&self, counted: &Counted<'_>) -> Allowance {
        match counted {
            Counted::SignInAccount(_) => self.sign_in_per_account,
            Counted::SignInClient(_) => self.sign_in_per_client,
            Counted::SignUpClient(_) => self.sign_up_per_client,
            Counted::InvitationCode(_) => self.invitation_per_code,
            Counted::InvitationClient(_) => self.invitation_per_client,
            Counted::MailTo(_) => self.mail_per_address,
            Counted::MailClient(_) => self.mail_per_client,
        }
    }
}

impl Default for Allowances {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Who is asking, as far as counting goes: an IPv4 address, or an IPv6
/// /64 network (an IPv4 address written as IPv6 is the IPv4 address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Client(IpAddr);

impl Client {
    /// The client at `ip`.
    pub fn new(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(IpAddr::V4(v4)),
                None => {
                    let network = u128::from(v6) & !((1_u128 << 64) - 1);
                    Self(IpAddr::V6(network.into()))
                }
            },
            v4 @ IpAddr::V4(_) => Self(v4),
        }
    }
}

/// What an attempt is counted under.
#[derive(Debug, Clone, Copy)]
pub enum Counted<'a> {
    /// Signing in with this email address, as typed (`Ana@x.org ` and
    /// `ana@x.org` are one address; text that is no address at all is
    /// counted too: refusing it differently would tell what is checked first).
    SignInAccount(&'a str),
    /// Signing in from this client.
    SignInClient(Client),
    /// Making an account from this client.
    SignUpClient(Client),
    /// Trying this invitation code, as typed.
    InvitationCode(&'a str),
    /// Trying invitation codes from this client.
    InvitationClient(Client),
    /// Asking for a link mailed to this address, as typed.
    MailTo(&'a str),
    /// Asking for mailed links from this client.
    MailClient(Client),
}

impl Counted<'_> {
    /// The key the store counts under: the SHA-256 of the purpose and
    /// the value, normalised as the use case reads it.
    fn key(&self) -> String {
        let (purpose, value) = match self {
            Counted::SignInAccount(email) => ("sign-in/account", crate::text::email(email)),
            Counted::SignInClient(client) => ("sign-in/client", client.0.to_string()),
            Counted::SignUpClient(client) => ("sign-up/client", client.0.to_string()),
            Counted::InvitationCode(code) => ("invitation/code", crate::sharing::normalise_code(code)),
            Counted::InvitationClient(client) => ("invitation/client", client.0.to_string()),
            Counted::MailTo(email) => ("mail/address", crate::text::email(email)),
            Counted::MailClient(client) => ("mail/client", client.0.to_string()),
        };
        crate::secret::hash(&format!("{purpose}\n{value}"))
    }

    /// The refusal in words, `minutes` before one more attempt.
    fn refusal(&self, allowance: Allowance, minutes: i64) -> (&'static str, &'static str, String) {
        let (n, window) = (allowance.attempts, words(allowance.window));
        let wait = format!("Please try again in {minutes} minute{}.", if minutes == 1 { "" } else { "s" });
        match self {
            Counted::SignInAccount(_) => (
                "sign-ins-paused",
                "Too many attempts to sign in with this address; please wait and try again",
                format!(
                    "To keep the account safe, signing in with this address is paused after {n} failed \
                     attempts in {window}. {wait}"
                ),
            ),
            Counted::SignInClient(_) => (
                "too-many-attempts",
                "Too many attempts; please wait and try again",
                format!("This device or network has made {n} sign-in attempts in {window}. {wait}"),
            ),
            Counted::SignUpClient(_) => (
                "too-many-attempts",
                "Too many attempts; please wait and try again",
                format!("This device or network has made {n} accounts in {window}. {wait}"),
            ),
            Counted::InvitationCode(_) => (
                "too-many-attempts",
                "Too many attempts; please wait and try again",
                format!("This code has been tried {n} times in {window}. {wait}"),
            ),
            Counted::InvitationClient(_) => (
                "too-many-attempts",
                "Too many attempts; please wait and try again",
                format!("This device or network has tried {n} invitation codes in {window}. {wait}"),
            ),
            Counted::MailTo(_) => (
                "too-many-attempts",
                "Too many e-mails to this address; please wait and try again",
                format!("Knead sends at most {n} links to one address in {window}. {wait}"),
            ),
            Counted::MailClient(_) => (
                "too-many-attempts",
                "Too many attempts; please wait and try again",
                format!("This device or network has asked for {n} e-mailed links in {window}. {wait}"),
            ),
        }
    }
}

/// A window in words: "15 minutes", "1 hour".
fn words(window: TimeDelta) -> String {
    let (n, unit) = match window.num_minutes() {
        m if m >= 60 && m % 60 == 0 => (m / 60, "hour"),
        m => (m.max(1), "minute"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

impl<S: Attempts> App<S> {
    /// Count an attempt under each of `counted`, in order, before it is
    /// judged; the first one over its allowance refuses it
    /// ([`Error::TooMany`], with the seconds to wait), and those after it
    /// are not counted. The refusal is logged without what was counted.
    pub async fn attempt(&self, counted: &[Counted<'_>]) -> Result<()> {
        let now = self.now.now();
        for c in counted {
            let allowance = self.allowances.of(c);
            let lapses_at = now + allowance.window;
            if let Attempt::Refused { until } =
                self.store.count_attempt(&c.key(), now, lapses_at, allowance.attempts).await?
            {
                // Whole seconds, rounded up: a client that comes back a
                // moment early is refused again.
                let wait = u32::try_from((until - now).num_milliseconds()).unwrap_or(0).div_ceil(1000).max(1);
                let (kind, title, detail) = c.refusal(allowance, i64::from(wait.div_ceil(60)));
                tracing::warn!(kind, retry_after_seconds = wait, "attempt refused: allowance used up");
                return Err(Error::TooMany { kind, title, detail, retry_after_seconds: wait });
            }
        }
        Ok(())
    }

    /// Forget the attempts counted under `counted` (a right password).
    pub async fn forget_attempts(&self, counted: Counted<'_>) -> Result<()> {
        Ok(self.store.forget_attempts(&counted.key()).await?)
    }
}
