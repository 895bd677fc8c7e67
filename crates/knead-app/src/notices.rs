//! Notices by e-mail and on devices (Web Push), for those who asked for
//! them: a new message, and, for a clinician, a patient whose screening
//! calls for a doctor. A notice
//! says that something is waiting in Knead and where, never what: no name,
//! no answer, no message text, since an inbox is read on a lock screen
//! and kept by others.
//!
//! Queuing a notice never fails what caused it: the message or screening
//! is kept whatever the outbox says, and a notice that could not be
//! queued is logged (without who it was for) and dropped. Each notice's
//! id comes from what caused it and whom it is for, so a request sent
//! again queues nothing new.

use crate::{App, Result};
use knead_core::records::PersonId;
use knead_store::mail::{Mail, Mailing, Recipient};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

/// Where this server is reached, for the links in what it mails
/// (`https://knead.example.org`): e-mail is sent only when a server has
/// one, with a mail server to send through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site(String);

impl Site {
    /// The site at `address`: `http://` or `https://` and a host, with no
    /// query or fragment; a trailing `/` is dropped. The refusal names
    /// `public_url`.
    pub fn parse(address: &str) -> Result<Self> {
        let address = address.trim().trim_end_matches('/');
        let rest = address.strip_prefix("https://").or_else(|| address.strip_prefix("http://"));
        match rest {
            Some(rest) if !rest.is_empty() && !rest.contains(['?', '#', ' ']) && !rest.starts_with('/') => {
                Ok(Self(address.to_owned()))
            }
            _ => Err(crate::Error::invalid(
                "public_url",
                "the address people reach this server at, starting with https:// (or http://), \
                 without ? or #: e.g. https://knead.example.org",
            )),
        }
    }

    /// The address of `path` (starting with `/`) on this site.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// A message was written to the person.
    NewMessage,
    /// A patient of the clinician answered a screening in a way that
    /// calls for a doctor (emergency, urgent, or a doctor first), or their
    /// pain over time does (§4).
    PatientNeedsAttention,
}

/// What a notice says: its purpose (part of its id), the subject of its
/// e-mail (also the title of its push), the e-mail's first line, and the
/// line a push shows under its title.
struct Words {
    purpose: &'static str,
    subject: &'static str,
    lead: &'static str,
    line: &'static str,
}

impl Notice {
    fn words(self) -> Words {
        match self {
            Notice::NewMessage => Words {
                purpose: "notice/message",
                subject: "You have a new message in Knead",
                lead: "Someone wrote to you in Knead. Sign in to read it:",
                line: "Open Knead to read it.",
            },
            Notice::PatientNeedsAttention => Words {
                purpose: "notice/flag",
                subject: "A patient in Knead needs your attention",
                lead: "One of your patients answered Knead's safety questions, or recorded pain over time, \
                       in a way that calls for a doctor. Sign in to see who and why:",
                line: "Open Knead to see who and why.",
            },
        }
    }
}

/// What a push carries, as JSON: its title, a line, and the page it opens
/// (on this site: the service worker opens it). The same for everyone and
/// every event of a kind, so it gives nothing away even to whoever could
/// read it, which the encryption already prevents.
pub fn push_payload(title: &str, line: &str) -> String {
    serde_json::json!({ "title": title, "body": line, "url": "/" }).to_string()
}

/// The id of a mail about `event` for `person`: the same pair, the same id.
pub(crate) fn mail_id(purpose: &str, event: Uuid, person: PersonId) -> Uuid {
    let digest = Sha256::digest(format!("{purpose}\n{event}\n{}", person.0).as_bytes());
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The ending every mail Knead sends carries.
pub(crate) const SIGNATURE: &str = "\n\n-- \nKnead, your back-care coach. To stop these e-mails, turn them off on your \
     account page.";

impl<S> App<S> {
    /// Whether this server sends notices at all (e-mail or pushes).
    pub(crate) fn sends_notices(&self) -> bool {
        self.site.is_some() || self.push.is_some()
    }
}

impl<S: Mailing> App<S> {
    /// Queue `notice` about `event` for each of `persons` who asked for
    /// e-mail notices, when this server sends mail, and for each device
    /// they turned notices on for, when it sends pushes. Never fails: see
    /// the module's notes.
    pub(crate) async fn notify(&self, notice: Notice, event: Uuid, persons: &[PersonId]) {
        if let Err(e) = self.queue_notices(notice.words(), event, persons).await {
            tracing::warn!(error = %e, "a notice could not be queued; what caused it is kept");
        }
    }

    async fn queue_notices(&self, words: Words, event: Uuid, persons: &[PersonId]) -> Result<()> {
        if let Some(site) = &self.site {
            for (person, to) in self.store.notice_addresses(persons).await? {
                let mail = Mail {
                    id: mail_id(words.purpose, event, person),
                    person,
                    to: Recipient::Email(to),
                    subject: words.subject.to_owned(),
                    body: format!("{}\n\n{}{SIGNATURE}", words.lead, site.link("/")),
                    queued_at: self.now(),
                };
                self.store.queue_mail(&mail).await?;
            }
        }
        if self.push.is_some() {
            for (person, device) in self.store.push_subscriptions(persons).await? {
                let mail = Mail {
                    id: mail_id(&format!("{}/push {}", words.purpose, device.endpoint), event, person),
                    person,
                    to: Recipient::Push(device),
                    subject: words.subject.to_owned(),
                    body: push_payload(words.subject, words.line),
                    queued_at: self.now(),
                };
                self.store.queue_mail(&mail).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_is_an_http_address_without_query() {
        assert_eq!(
            Site::parse("https://knead.example.org/").unwrap().link("/x"),
            "https://knead.example.org/x"
        );
        assert_eq!(Site::parse("http://127.0.0.1:8080").unwrap().link("/"), "http://127.0.0.1:8080/");
        for bad in ["", "knead.example.org", "ftp://x", "https://", "https://x?y=1", "https:///x"] {
            assert!(Site::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_mail_id_is_the_same_for_the_same_event_and_person_only() {
        let (event, a, b) = (Uuid::now_v7(), PersonId(Uuid::now_v7()), PersonId(Uuid::now_v7()));
        assert_eq!(mail_id("p", event, a), mail_id("p", event, a));
        assert_ne!(mail_id("p", event, a), mail_id("p", event, b));
        assert_ne!(mail_id("p", event, a), mail_id("q", event, a));
    }
}
