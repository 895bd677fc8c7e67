//! What a patient shares with a clinician, written once: a single-use
//! invitation code, its acceptance by a clinician, revoking access, the
//! audit log of who saw what, and messages. Every write that touches a
//! patient's data leaves a line in their audit log, in the same store
//! transaction (the store's Sharing contract).
//!
//! Messages are in threads: one between the patient and each clinician.
//! A message is for the other one of its thread, who alone reads and marks
//! it read, and whom alone its notice goes to.

use crate::attempts::{Client, Counted};
use crate::notices::Notice;
use crate::secret::{self, random_bytes};
use crate::text::Lines;
use crate::{App, Error, Own, Result, Treated};
use chrono::{DateTime, Duration, Utc};
use knead_core::records::PersonId;
use knead_store::accounts::Attempts;
use knead_store::mail::Mailing;
use knead_store::sharing::{AuditAction, AuditEntry, Grant, Invitation, Message, Sharing};
use knead_store::{Store, StoreError};
use std::collections::HashSet;
use uuid::Uuid;

/// How long an invitation can be accepted.
pub const INVITATION_DAYS: i64 = 7;

/// The longest message.
pub const MESSAGE_MAX_CHARS: usize = 2_000;

/// The letters of an invitation code: Crockford's base 32, which leaves
/// out I, L, O and U so that a code read aloud or retyped survives.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Letters in a code (12 x 5 bits = 60 bits), shown in groups of four.
const CODE_LETTERS: usize = 12;

/// A new invitation: the code is shown once and kept only as its hash.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    /// The code to give the clinician (`XXXX-XXXX-XXXX`).
    pub code: String,
    /// After this it cannot be accepted.
    pub expires_at: DateTime<Utc>,
}

impl NewInvitation {
    /// The page where a clinician accepts it (a path on this server).
    pub fn path(&self) -> String {
        format!("/invite/{}", self.code)
    }
}

/// An invitation code, read the way people type it: case, spaces and
/// dashes do not matter, and O, I and L are read as 0, 1 and 1.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

fn new_code() -> Result<String> {
    let bytes = random_bytes::<CODE_LETTERS>()?;
    let letters: Vec<char> = bytes.iter().map(|b| char::from(CODE_ALPHABET[usize::from(b % 32)])).collect();
    Ok(letters.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-"))
}

impl<S: Store + Sharing> App<S> {
    /// Write to each patient's audit log that `clinician` saw `what`, in
    /// one transaction.
    pub(crate) async fn log_views(
        &self,
        clinician: PersonId,
        patients: impl IntoIterator<Item = PersonId>,
        what: &str,
    ) -> Result<()> {
        let at = self.now();
        let entries: Vec<AuditEntry> = patients
            .into_iter()
            .map(|patient| AuditEntry {
                id: Uuid::now_v7(),
                patient,
                at,
                actor: clinician,
                actor_email: String::new(),
                action: AuditAction::Viewed,
                detail: what.to_owned(),
            })
            .collect();
        Ok(self.store.audit(&entries).await?)
    }
}

impl<S: Store + Sharing + Attempts> App<S> {
    /// `clinician`, asking from `client`, accepts the invitation `code`:
    /// access from now until the patient revokes it. The try is counted
    /// first, per client and per code ([`crate::attempts`]). A code that
    /// is mistyped, used or expired is refused alike, naming `code`.
    pub async fn accept(&self, clinician: PersonId, code: &str, client: Client) -> Result<Grant> {
        self.attempt(&[Counted::InvitationClient(client), Counted::InvitationCode(code)]).await?;
        let hash = secret::hash(&normalise_code(code));
        match self.store.accept_invitation(&hash, clinician, Uuid::now_v7(), self.now()).await {
            Ok(grant) => Ok(grant),
            Err(StoreError::NotFound { .. }) => Err(Error::invalid(
                "code",
                "no invitation with this code is open: it may be mistyped, used already, or past its 7 days",
            )),
            Err(e) => Err(e.into()),
        }
    }
}

impl<S: Store + Sharing> Own<'_, S> {
    /// Make a single-use invitation for a clinician, valid [`INVITATION_DAYS`].
    pub async fn invite(&self) -> Result<NewInvitation> {
        let code = new_code()?;
        let now = self.app.now();
        let invitation = Invitation {
            patient: self.person,
            created_at: now,
            expires_at: now + Duration::days(INVITATION_DAYS),
        };
        self.app.store.create_invitation(&secret::hash(&normalise_code(&code)), &invitation).await?;
        Ok(NewInvitation { code, expires_at: invitation.expires_at })
    }

    /// Who has access, and who had it.
    pub async fn grants(&self) -> Result<Vec<Grant>> {
        Ok(self.app.store.grants_of_patient(self.person).await?)
    }

    /// The clinicians who have access now.
    pub(crate) async fn clinicians(&self) -> Result<Vec<PersonId>> {
        Ok(self.grants().await?.iter().filter(|g| g.revoked_at.is_none()).map(|g| g.clinician).collect())
    }

    /// End a clinician's access now (again is fine): it ends with their next request.
    pub async fn revoke(&self, grant: Uuid) -> Result<()> {
        Ok(self.app.store.revoke_grant(self.person, grant, self.app.now()).await?)
    }

    /// Who did what with the person's data, newest first, at most `limit`.
    pub async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        Ok(self.app.store.audit_log(self.person, limit).await?)
    }

    /// The person's messages in every thread, newest first, at most `limit`.
    pub async fn messages(&self, limit: u32) -> Result<Vec<Message>> {
        Ok(self.app.store.messages(self.person, None, limit).await?)
    }

    /// The person's threads: one with each clinician who has access now,
    /// and one with each who had and wrote (or was written to) before,
    /// each with its newest `limit` messages; the newest message first,
    /// then those with none yet.
    pub async fn threads(&self, limit: u32) -> Result<Vec<Thread>> {
        let grants = self.grants().await?;
        let open: HashSet<PersonId> =
            grants.iter().filter(|g| g.revoked_at.is_none()).map(|g| g.clinician).collect();
        let mut threads = Vec::new();
        for t in self.app.store.threads(self.person).await? {
            threads.push(Thread {
                open: open.contains(&t.clinician),
                messages: self.app.store.messages(self.person, Some(t.clinician), limit).await?,
                clinician: t.clinician,
                clinician_email: t.clinician_email,
                unread: t.unread,
            });
        }
        for g in grants.into_iter().filter(|g| g.revoked_at.is_none()) {
            if !threads.iter().any(|t| t.clinician == g.clinician) {
                threads.push(Thread {
                    clinician: g.clinician,
                    clinician_email: g.clinician_email,
                    open: true,
                    unread: 0,
                    messages: Vec::new(),
                });
            }
        }
        Ok(threads)
    }

    /// The messages from clinicians the person has not read yet, in every
    /// thread, newest first (at most [`UNREAD_READ`] looked through).
    pub async fn unread(&self) -> Result<Vec<Message>> {
        let all = self.app.store.messages(self.person, None, UNREAD_READ).await?;
        Ok(all.into_iter().filter(|m| !m.by_patient() && m.read_at.is_none()).collect())
    }

    /// Refused while a clinician's message to read before the next session
    /// is unread, in any thread: what a clinician asked comes before any plan.
    pub async fn check_messages_read(&self) -> Result<()> {
        if self.unread().await?.iter().any(|m| m.before_session) {
            return Err(Error::refused(
                "read-messages-first",
                "Your clinician asked you to read a message first",
                "read the message your clinician marked to read before your next session (on your home page), \
                 then plan the session",
            ));
        }
        Ok(())
    }

    /// The person has read the messages written to them up to `through`
    /// (the newest they were shown; every one so far without it), in their
    /// thread with `clinician`, or in every thread: one that came in while
    /// they read stays unread.
    pub async fn read_messages(
        &self,
        clinician: Option<PersonId>,
        through: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let now = self.app.now();
        let through = through.map_or(now, |t| t.min(now));
        Ok(self.app.store.read_messages(self.person, clinician, self.person, through, now).await?)
    }
}

/// A patient's thread with one clinician, as the patient sees it.
#[derive(Debug, Clone)]
pub struct Thread {
    /// The clinician.
    pub clinician: PersonId,
    /// Their address (empty for an account since deleted).
    pub clinician_email: String,
    /// Whether they have access now: only then can the patient write to them.
    pub open: bool,
    /// Their messages the patient has not read.
    pub unread: u32,
    /// The newest messages, newest first.
    pub messages: Vec<Message>,
}

impl<S: Store + Sharing + Mailing> Own<'_, S> {
    /// The person writes to `clinician` (one with access now; without one,
    /// the only one with access): 1 to [`MESSAGE_MAX_CHARS`] characters
    /// once trimmed. The refusal names `text`, or `clinician` when it is
    /// not one with access, or when none is given and there is not exactly
    /// one. Only that clinician reads it, and is told that a message waits
    /// if they asked for notices.
    pub async fn reply(&self, clinician: Option<PersonId>, text: &str) -> Result<Message> {
        let text = crate::text::required("text", text, MESSAGE_MAX_CHARS, Lines::Many)?;
        let open = self.clinicians().await?;
        let clinician = match (clinician, open.as_slice()) {
            (Some(c), _) if open.contains(&c) => c,
            (Some(_), _) => {
                return Err(Error::invalid(
                    "clinician",
                    "not a clinician who can see your diary now; allowed: one of those on your Sharing page \
                     with access",
                ));
            }
            (None, [only]) => *only,
            (None, []) => {
                return Err(Error::invalid(
                    "clinician",
                    "no clinician can see your diary now: invite one first, then write to them",
                ));
            }
            (None, _) => {
                return Err(Error::invalid(
                    "clinician",
                    "more than one clinician can see your diary: say which one this is for",
                ));
            }
        };
        let message = Message {
            id: Uuid::now_v7(),
            patient: self.person,
            clinician,
            clinician_email: String::new(),
            author: self.person,
            at: self.app.now(),
            text,
            before_session: false,
            read_at: None,
        };
        self.app.store.add_message(&message).await?;
        self.app.notify(Notice::NewMessage, message.id, &[clinician]).await;
        Ok(message)
    }
}

/// How many of the newest messages are looked through for unread ones.
pub const UNREAD_READ: u32 = 200;

impl<S: Store + Sharing + Mailing> Treated<S> {
    /// Write to the patient in the clinician's thread: 1 to [`MESSAGE_MAX_CHARS`] characters
    /// once trimmed; the refusal names `text`. With `before_session`, the
    /// patient gets no plan until they have read it. A patient who asked
    /// for notices is told that a message waits.
    pub async fn message(&self, text: &str, before_session: bool) -> Result<Message> {
        let text = crate::text::required("text", text, MESSAGE_MAX_CHARS, Lines::Many)?;
        let message = Message {
            id: Uuid::now_v7(),
            patient: self.grant.patient,
            clinician: self.grant.clinician,
            clinician_email: self.grant.clinician_email.clone(),
            author: self.grant.clinician,
            at: self.app.now(),
            text,
            before_session,
            read_at: None,
        };
        self.app.store.add_message(&message).await?;
        self.app.notify(Notice::NewMessage, message.id, &[self.grant.patient]).await;
        Ok(message)
    }
}

impl<S: Store + Sharing> Treated<S> {
    /// Write to the patient's audit log that the clinician saw `what`.
    pub async fn log_view(&self, what: &str) -> Result<()> {
        self.app.log_views(self.grant.clinician, [self.grant.patient], what).await
    }
}
