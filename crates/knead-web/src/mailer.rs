//! Mail out through the operator's mail server: what the application
//! queued ([`knead_app::notices`], [`knead_app::links`]) is sent by a task
//! of each server ([`crate::outgoing`]); this module is only the SMTP end
//! of it (lettre).
//!
//! The mail server is given as a URL, as lettre reads it:
//! `smtp://host:587?tls=required` (STARTTLS, the usual submission port),
//! `smtps://host:465` (TLS from the start), `smtp://user:password@host…`
//! with credentials, or plain `smtp://127.0.0.1:25` for a relay on the
//! same machine. The URL is never logged, nor any address or content: a
//! failure is logged by its kind and SMTP code only.

use knead_app::notices::Site;
use knead_app::outbox::Unsent;
use knead_store::mail::Mail;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use std::time::Duration;

/// How a server sends mail: where its links lead, its mail server, and
/// whom its mail is from.
#[derive(Clone)]
pub struct MailSettings {
    /// Where people reach this server, for the links in its mail.
    pub site: Site,
    /// Whom mail is from (`Knead <knead@example.org>`).
    pub from: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The mail server's URL may hold a password: not shown.
        f.debug_struct("MailSettings").field("site", &self.site).finish_non_exhaustive()
    }
}

impl MailSettings {
    /// Settings from the mail server's URL, the sender's address and the
    /// site's address; the error names the setting at fault and what is
    /// allowed (never the URL, which may hold a password).
    pub fn new(smtp_url: &str, from: &str, site: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|_| {
                "smtp_url: a mail server as smtp://HOST:PORT (add ?tls=required for STARTTLS), \
                 smtps://HOST:PORT, with USER:PASSWORD@ before the host if it asks for them"
                    .to_owned()
            })?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = from.parse::<Mailbox>().map_err(|_| {
            "mail_from: an address mail is sent from, e.g. \"Knead <knead@example.org>\"".to_owned()
        })?;
        let site = Site::parse(site).map_err(|e| e.to_string())?;
        Ok(Self { site, from, transport })
    }
}

impl MailSettings {
    /// Send `mail` to `to` through the mail server.
    pub(crate) async fn send(&self, mail: &Mail, to: &str) -> Result<(), Unsent> {
        let later = Unsent::Later;
        let to = to
            .parse::<Mailbox>()
            .map_err(|_| later("the recipient's address cannot be written".to_owned()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            // The same mail sent again (a server died before it knew it
            // was sent) carries the same id, and is shown once.
            .message_id(Some(format!("<{}@knead>", mail.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| later(format!("the mail cannot be written: {e}")))?;
        self.transport.send(message).await.map(drop).map_err(|e| {
            let code = e.status().map(|c| format!(" (SMTP {c})")).unwrap_or_default();
            let kind = if e.is_permanent() {
                "refused"
            } else if e.is_transient() {
                "deferred"
            } else if e.is_timeout() {
                "timed out"
            } else if e.is_tls() {
                "TLS failed"
            } else {
                "unreachable or broke off"
            };
            later(format!("mail server {kind}{code}"))
        })
    }
}
