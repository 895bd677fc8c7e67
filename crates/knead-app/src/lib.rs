//! Knead's use cases, each written once.
//!
//! The web API, the web pages and the terminal are interfaces: they read a
//! request, call a use case here and show its answer. Every rule they share
//! (what a screening permits, when pain over time stops self-massage, what
//! a clinician's program allows today, how a session is kept, what a
//! clearance lifts) is applied here, over the store's traits, so the same
//! journal gets the same decision wherever a person uses Knead.
//!
//! Access is a type: [`App::patient`] gives a person's own view
//! ([`Own`]), and [`App::treating`] a clinician's view of one patient
//! ([`Treated`]), made only from a live grant. A use case gets one of these,
//! never the whole store, so it cannot read or write anyone else's records.
//!
//! - [`screening`]: screen and keep; a screening's permit.
//! - [`progress`]: pain over time, judged by §4 of the screening reference.
//! - [`plan`]: plan today, in order of authority: the screening, §4, the
//!   clinician's program, the day's limits.
//! - [`clearance`]: a clinician's clearance, reported by the person or made
//!   by their Knead clinician.
//! - [`sessions`]: keep a session, within the day's limits.
//! - [`program`]: the home program a clinician assigned, as it stands.
//! - [`handout`]: what a printed home-program handout holds, and for whom.
//! - [`journal`]: the journal as kept: sessions, check-ins, an export.
//! - [`clinic`]: the clinician's list of patients and one patient's record.
//! - [`sharing`]: invitations, access and its revocation, the audit log, messages.
//! - [`links`]: single-use links by e-mail: a new password, a new address.
//! - [`notices`]: e-mail notices of a message or a red flag, queued.
//! - [`outbox`]: sending what is queued, and trying again.
//! - [`text`]: text people type, checked once for every store.
//! - [`attempts`]: how often a guess may be tried (sign-in, sign-up, codes).
//! - [`password`]: what a new password must be.
//! - [`secret`]: tokens and codes, kept only as hashes.
//! - [`reminders`]: the private calendar address for session reminders.

pub mod attempts;
pub mod clearance;
pub mod clinic;
pub mod clock;
mod error;
pub mod handout;
pub mod journal;
pub mod kept;
pub mod links;
pub mod notices;
pub mod outbox;
pub mod password;
pub mod plan;
pub mod program;
pub mod progress;
pub mod push;
pub mod reminders;
pub mod screening;
pub mod secret;
pub mod sessions;
pub mod sharing;
pub mod text;
mod zone;

pub use error::{Error, Refusal};
pub use zone::Zone;

use chrono::{DateTime, Utc};
use clock::Now;
use knead_core::pack::ContentPack;
use knead_core::records::{PersonId, ScreeningRecord};
use knead_store::StoreError;
use knead_store::sharing::{Grant, Sharing};
use std::sync::Arc;
use uuid::Uuid;

/// What a use case answers.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Screenings read, kept: every session kept reads its screening, and a
/// screening never changes once kept (the same id with other answers is
/// refused), so what was read once stays true under version 0.
type Screenings = kept::Kept<(PersonId, Uuid), ScreeningRecord>;

/// Screenings kept at most (a few KB each).
const SCREENINGS_KEPT: usize = 20_000;

/// The application: a store, the content pack that decides, and a clock.
pub struct App<S> {
    store: S,
    pack: Arc<ContentPack>,
    now: Arc<dyn Now>,
    screenings: Arc<Screenings>,
    standings: Arc<clinic::Standings>,
    allowances: attempts::Allowances,
    site: Option<notices::Site>,
    push: Option<push::PushServices>,
}

impl<S: Clone> Clone for App<S> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            pack: Arc::clone(&self.pack),
            now: Arc::clone(&self.now),
            screenings: Arc::clone(&self.screenings),
            standings: Arc::clone(&self.standings),
            allowances: self.allowances,
            site: self.site.clone(),
            push: self.push.clone(),
        }
    }
}

impl<S> std::fmt::Debug for App<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("pack", &self.pack.meta.version).finish_non_exhaustive()
    }
}

impl<S> App<S> {
    /// Where this server is reached, when it sends mail.
    pub fn site(&self) -> Option<&notices::Site> {
        self.site.as_ref()
    }

    /// The content pack that decides.
    pub fn pack(&self) -> &ContentPack {
        &self.pack
    }

    /// Now, by the application's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.now.now()
    }
}

impl<S: knead_store::Store + Sharing> App<S> {
    /// The use cases over `store`, decided by `pack`, at the times `now` tells.
    pub fn new(store: S, pack: Arc<ContentPack>, now: Arc<dyn Now>) -> Self {
        Self {
            store,
            pack,
            now,
            screenings: Arc::new(kept::Kept::new(SCREENINGS_KEPT)),
            standings: clinic::standings(),
            allowances: attempts::Allowances::DEFAULT,
            site: None,
            push: None,
        }
    }

    /// The same, with `allowances` instead of [`attempts::Allowances::DEFAULT`].
    pub fn with_allowances(mut self, allowances: attempts::Allowances) -> Self {
        self.allowances = allowances;
        self
    }

    /// The same, mailing notices and links to `site` (when a mail server
    /// sends what is queued): without one, nothing is mailed.
    pub fn with_site(mut self, site: notices::Site) -> Self {
        self.site = Some(site);
        self
    }

    /// The same, notifying people on the devices they turned notices on
    /// for, at `services` (when a sender sends what is queued): without
    /// them, no device can be turned on.
    pub fn with_push(mut self, services: push::PushServices) -> Self {
        self.push = Some(services);
        self
    }

    /// `person`'s own view: their journal and nobody else's. The caller
    /// vouches that `person` is who is asking (a live sign-in, or the
    /// terminal's one local person).
    pub fn patient(&self, person: PersonId) -> Own<'_, S> {
        Own { app: self, person }
    }

    /// A clinician's view of one patient, from a grant the store says is
    /// live: `None` when `clinician` has no live grant for `patient`
    /// (never granted, revoked, or not theirs), told apart from nothing.
    pub async fn treating(&self, clinician: PersonId, patient: PersonId) -> Result<Option<Treated<S>>>
    where
        S: Clone,
    {
        let grant = self.store.live_grant(clinician, patient).await?;
        Ok(grant.map(|grant| Treated { app: self.clone(), grant }))
    }
}

/// A person's own view of the application: every use case on it reads and
/// writes only that person's records.
pub struct Own<'a, S> {
    app: &'a App<S>,
    person: PersonId,
}

impl<S> Own<'_, S> {
    /// Whose view it is.
    pub fn person(&self) -> PersonId {
        self.person
    }
}

/// A clinician's view of a patient they treat, made only from a live grant
/// (by [`App::treating`]). It owns what it needs, so an interface can hold
/// it for the length of a request.
#[derive(Clone)]
pub struct Treated<S> {
    app: App<S>,
    grant: Grant,
}

impl<S> std::fmt::Debug for Treated<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Treated").field("grant", &self.grant.id).finish_non_exhaustive()
    }
}

impl<S> Treated<S> {
    /// The grant it was made from.
    pub fn grant(&self) -> &Grant {
        &self.grant
    }

    /// The patient's view, for what the clinician may see and do.
    pub fn patient(&self) -> Own<'_, S> {
        Own { app: &self.app, person: self.grant.patient }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Store(e)
    }
}
