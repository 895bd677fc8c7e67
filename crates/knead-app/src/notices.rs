//! Notices by e-mail, for those who asked for them: a new message, and,
//! for a clinician, a patient whose screening calls for a doctor. A notice
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
use knead_store::mail::{Mail, Mailing};
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
    /// calls for a doctor (emergency, urgent, or a doctor first).
    PatientNeedsAttention,
}

impl Notice {
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Notice::NewMessage => (
                "notice/message",
                "You have a new message in Knead",
                "Someone wrote to you in Knead. Sign in to read it:",
            ),
            Notice::PatientNeedsAttention => (
                "notice/flag",
                "A patient in Knead needs your attention",
                "One of your patients answered Knead's safety questions in a way that calls for a doctor. \
                 Sign in to see who and why:",
            ),
        }
    }
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

impl<S: Mailing> App<S> {
    /// Queue `notice` about `event` for each of `persons` who asked for
    /// e-mail notices, when this server sends mail. Never fails: see the
    /// module's notes.
    pub(crate) async fn notify(&self, notice: Notice, event: Uuid, persons: &[PersonId]) {
        let Some(site) = &self.site else { return };
        if let Err(e) = self.queue_notices(site, notice, event, persons).await {
            tracing::warn!(error = %e, "a notice could not be queued; what caused it is kept");
        }
    }

    async fn queue_notices(
        &self,
        site: &Site,
        notice: Notice,
        event: Uuid,
        persons: &[PersonId],
    ) -> Result<()> {
        let (purpose, subject, lead) = notice.words();
        for (person, to) in self.store.notice_addresses(persons).await? {
            let mail = Mail {
                id: mail_id(purpose, event, person),
                person,
                to,
                subject: subject.to_owned(),
                body: format!("{lead}\n\n{}{SIGNATURE}", site.link("/")),
                queued_at: self.now(),
            };
            self.store.queue_mail(&mail).await?;
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
