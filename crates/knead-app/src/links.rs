//! Links by e-mail, each for one thing, once, within [`LINK_MINUTES`]: a
//! new password for someone who forgot theirs, and a new address, sent to
//! that address so that only its owner can confirm it.
//!
//! The link carries a random 256-bit secret; the store keeps its SHA-256,
//! so a copy of the database opens nothing. Asking for a link answers the
//! same whether or not an account has the address, and asking is counted
//! per address and per client ([`crate::attempts`]), so nobody can learn
//! who has an account or fill someone's inbox. Only the newest link of
//! each kind works.

use crate::attempts::{Client, Counted};
use crate::notices::{SIGNATURE, Site};
use crate::{App, Error, Result, secret};
use chrono::TimeDelta;
use knead_core::records::PersonId;
use knead_store::StoreError;
use knead_store::accounts::{Accounts, Attempts};
use knead_store::mail::{AccountToken, Mail, Mailing, Recipient, TokenPurpose};
use uuid::Uuid;

/// How long a mailed link works: long enough to find the mail, short
/// enough that an old mailbox opens nothing (OWASP's forgot-password
/// guidance asks for a short expiry).
pub const LINK_MINUTES: i64 = 60;

/// Where a link to choose a new password leads.
pub const RESET_PATH: &str = "/reset-password";

/// Where a link to confirm a new address leads.
pub const CONFIRM_PATH: &str = "/confirm-email";

/// A kind of link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// To choose a new password.
    Password,
    /// To confirm a new address.
    Address,
}

/// What a used link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Used {
    /// The account's password may now be set: whose.
    Reset(PersonId),
    /// The account's address is now `to`.
    Moved {
        /// Whose.
        person: PersonId,
        /// The new address.
        to: String,
    },
}

impl<S: Accounts + Attempts + Mailing> App<S> {
    fn mailing_site(&self) -> Result<&Site> {
        self.site.as_ref().ok_or_else(|| {
            Error::refused(
                "no-mail",
                "This server does not send e-mail",
                "ask whoever runs this Knead server: they can give you a new password \
                 (`knead admin reset-password`)",
            )
        })
    }

    /// A new link of `purpose` for `person`, mailed to `to`.
    async fn mail_link(&self, person: PersonId, to: &str, purpose: TokenPurpose, words: Words) -> Result<()> {
        let site = self.mailing_site()?;
        let secret = crate::reminders::random_token()?;
        let now = self.now();
        let path = match purpose {
            TokenPurpose::ResetPassword => RESET_PATH,
            TokenPurpose::ChangeEmail { .. } => CONFIRM_PATH,
        };
        let token = AccountToken {
            token_hash: secret::hash(&secret),
            person,
            purpose,
            expires_at: now + TimeDelta::minutes(LINK_MINUTES),
        };
        self.store.open_token(&token).await?;
        let link = site.link(&format!("{path}?token={secret}"));
        let mail = Mail {
            id: Uuid::now_v7(),
            person,
            to: Recipient::Email(to.to_owned()),
            subject: words.subject.to_owned(),
            body: format!("{}\n\n{link}\n\n{}{SIGNATURE}", words.lead, words.after),
            queued_at: now,
        };
        Ok(self.store.queue_mail(&mail).await?)
    }

    /// Mail a link to choose a new password to the account at `email`
    /// (as parsed by the caller), asked for from `client`. Counted first;
    /// then the same answer whether or not there is an account.
    pub async fn mail_password_link(&self, client: Client, email: &str) -> Result<()> {
        self.mailing_site()?;
        self.attempt(&[Counted::MailClient(client), Counted::MailTo(email)]).await?;
        match self.store.account_by_email(email).await? {
            Some(account) => self.mail_link(account.person, email, TokenPurpose::ResetPassword, RESET).await,
            None => Ok(()),
        }
    }

    /// Someone asked to make an account with `email` (as parsed by the
    /// caller), which has one: when this server mails, its owner is told,
    /// with a link to ask for a new password, while sign-up answers as for
    /// any address. At most as often as links to that address; never
    /// fails the sign-up (see [`crate::notices`]).
    pub async fn mail_taken_notice(&self, email: &str) {
        let Some(site) = &self.site else { return };
        let queued = async {
            self.attempt(&[Counted::MailTo(email)]).await?;
            let Some(account) = self.store.account_by_email(email).await? else { return Ok(()) };
            let mail = Mail {
                id: Uuid::now_v7(),
                person: account.person,
                to: Recipient::Email(email.to_owned()),
                subject: "Someone tried to make a Knead account with your address".to_owned(),
                body: format!(
                    "Someone asked to make a new Knead account with this e-mail address, which has an \
                     account already. Nothing about your account changed, and your password still \
                     applies. If it was you and you have forgotten your password, ask for a new one \
                     here:\n\n{}{SIGNATURE}",
                    site.link("/forgot-password")
                ),
                queued_at: self.now(),
            };
            self.store.queue_mail(&mail).await.map_err(Error::from)
        };
        match queued.await {
            Ok(()) => {}
            Err(Error::TooMany { .. }) => {
                tracing::debug!("taken-address notice not sent: enough went already")
            }
            Err(e) => tracing::warn!(error = %e, "a taken-address notice could not be queued"),
        }
    }

    /// The account a password link is for (whose, and its address), if
    /// the link still works; it stays unused.
    pub async fn password_link(&self, secret: &str) -> Result<Option<(PersonId, String)>> {
        let found = self.store.peek_token(&secret::hash(secret), self.now()).await?;
        Ok(found
            .filter(|(t, _)| t.purpose == TokenPurpose::ResetPassword)
            .map(|(t, email)| (t.person, email)))
    }

    /// Mail a link to confirm `to` as `person`'s new address, to `to`,
    /// and a word to `from`, their address now, that a change was asked
    /// for. The caller has checked it is them (their password) and
    /// parsed `to`. An address taken by another account is refused only
    /// when the link is used: asking tells nothing.
    pub async fn mail_address_link(
        &self,
        client: Client,
        person: PersonId,
        from: &str,
        to: &str,
    ) -> Result<()> {
        let site = self.mailing_site()?;
        self.attempt(&[Counted::MailClient(client), Counted::MailTo(to)]).await?;
        if from == to {
            return Err(Error::invalid("new_email", "an address other than the one you sign in with now"));
        }
        let purpose = TokenPurpose::ChangeEmail { to: to.to_owned() };
        self.mail_link(person, to, purpose, CONFIRM).await?;
        let warning = Mail {
            id: Uuid::now_v7(),
            person,
            to: Recipient::Email(from.to_owned()),
            subject: "Your Knead sign-in address is about to change".to_owned(),
            body: format!(
                "Someone signed in to your Knead account asked to sign in with another e-mail address from \
                 now on. Nothing changes until that address is confirmed. If this was not you, change your \
                 password now:\n\n{}{SIGNATURE}",
                site.link("/account")
            ),
            queued_at: self.now(),
        };
        Ok(self.store.queue_mail(&warning).await?)
    }

    /// Use the link of `kind` behind `secret`, once: `None` when it is
    /// unknown, used, lapsed or of another kind (said alike; a link of
    /// another kind stays unused). A new address taken by another account
    /// since is refused, naming `email`.
    pub async fn use_link(&self, secret: &str, kind: Kind) -> Result<Option<Used>> {
        let hash = secret::hash(secret);
        let Some((token, _)) = self.store.peek_token(&hash, self.now()).await? else {
            return Ok(None);
        };
        let of_kind = match token.purpose {
            TokenPurpose::ResetPassword => Kind::Password,
            TokenPurpose::ChangeEmail { .. } => Kind::Address,
        };
        if of_kind != kind {
            return Ok(None);
        }
        match self.store.use_token(&hash, self.now()).await {
            Ok(Some(AccountToken { person, purpose: TokenPurpose::ResetPassword, .. })) => {
                Ok(Some(Used::Reset(person)))
            }
            Ok(Some(AccountToken { person, purpose: TokenPurpose::ChangeEmail { to }, .. })) => {
                Ok(Some(Used::Moved { person, to }))
            }
            Ok(None) => Ok(None),
            Err(StoreError::Taken { .. }) => {
                Err(Error::invalid("email", "an address no other account has: this one has an account now"))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// What a mail with a link says, around the link.
#[derive(Debug, Clone, Copy)]
struct Words {
    subject: &'static str,
    lead: &'static str,
    after: &'static str,
}

const RESET: Words = Words {
    subject: "Choose a new Knead password",
    lead: "Someone asked for a new password for the Knead account at this address. To choose one, \
           open this link within an hour:",
    after: "The link works once. If you did not ask, you can ignore this e-mail: your password stays \
            as it is.",
};

const CONFIRM: Words = Words {
    subject: "Confirm your new Knead sign-in address",
    lead: "To sign in to Knead with this address from now on, open this link within an hour:",
    after: "The link works once. If you did not ask for this, ignore this e-mail: nothing changes.",
};
