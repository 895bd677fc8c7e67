//! What a patient shares with a clinician, written once: a single-use
//! invitation code, its acceptance by a clinician, revoking access, the
//! audit log of who saw what, and messages. Every write that touches a
//! patient's data leaves a line in their audit log, in the same store
//! transaction (the store's Sharing contract).

use crate::secret::{self, random_bytes};
use crate::text::Lines;
use crate::{App, Error, Own, Result, Treated};
use chrono::{DateTime, Duration, Utc};
use knead_core::records::PersonId;
use knead_store::sharing::{AuditAction, AuditEntry, Grant, Invitation, Message, Sharing};
use knead_store::{Store, StoreError};
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
    /// `clinician` accepts the invitation `code`: access from now until the
    /// patient revokes it. A code that is mistyped, used or expired is
    /// refused alike, naming `code`.
    pub async fn accept(&self, clinician: PersonId, code: &str) -> Result<Grant> {
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

    /// End a clinician's access now (again is fine): it ends with their next request.
    pub async fn revoke(&self, grant: Uuid) -> Result<()> {
        Ok(self.app.store.revoke_grant(self.person, grant, self.app.now()).await?)
    }

    /// Who did what with the person's data, newest first, at most `limit`.
    pub async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        Ok(self.app.store.audit_log(self.person, limit).await?)
    }

    /// Messages from clinicians, newest first, at most `limit`.
    pub async fn messages(&self, limit: u32) -> Result<Vec<Message>> {
        Ok(self.app.store.messages(self.person, limit).await?)
    }
}

impl<S: Store + Sharing> Treated<S> {
    /// Leave the patient a message: 1 to [`MESSAGE_MAX_CHARS`] characters
    /// once trimmed; the refusal names `text`.
    pub async fn message(&self, text: &str) -> Result<Message> {
        let text = crate::text::required("text", text, MESSAGE_MAX_CHARS, Lines::Many)?;
        let message = Message {
            id: Uuid::now_v7(),
            patient: self.grant.patient,
            author: self.grant.clinician,
            author_email: self.grant.clinician_email.clone(),
            at: self.app.now(),
            text,
        };
        self.app.store.add_message(&message).await?;
        Ok(message)
    }

    /// Write to the patient's audit log that the clinician saw `what`.
    pub async fn log_view(&self, what: &str) -> Result<()> {
        self.app.log_views(self.grant.clinician, [self.grant.patient], what).await
    }
}
