//! Screen and keep: the safety gate. A screening is judged once, with this
//! build's content pack, and kept with its answers; a plan or a session
//! only ever goes from a screening judged again now, so a newer pack's
//! stricter rule applies to older answers too.
//!
//! A clinician's clearance ("a doctor or physiotherapist has assessed this
//! back pain and said self-massage is fine") is part of a screening: its
//! answers say `clinician_cleared: true` and the screening keeps who cleared
//! the person and on what day. The one never comes without the other, so no
//! screening is lowered by a clearance nobody can name.

use crate::notices::Notice;
use crate::{Error, Own, Result};
use knead_core::intake::Intake;
use knead_core::records::{Clearance, ScreeningRecord};
use knead_core::screening::{self, Permit};
use knead_core::vocab::Disposition;
use knead_store::Store;
use knead_store::mail::Mailing;
use knead_store::sharing::Sharing;
use std::sync::Arc;
use uuid::Uuid;

/// The longest name of whoever cleared a person.
pub const CLEARED_BY_MAX_CHARS: usize = 120;

impl<S: Store + Sharing> Own<'_, S> {
    /// `intake` judged now, as screening `id` ready to keep. A clearance and
    /// `clinician_cleared` come together or not at all; the refusal names
    /// `clearance`.
    pub(crate) fn judged(
        &self,
        id: Uuid,
        intake: Intake,
        clearance: Option<Clearance>,
    ) -> Result<ScreeningRecord> {
        match (intake.clinician_cleared, &clearance) {
            (true, None) => {
                return Err(Error::invalid(
                    "clearance",
                    "required when intake.clinician_cleared is true: who cleared the person (by) and on what day (on)",
                ));
            }
            (false, Some(_)) => {
                return Err(Error::invalid(
                    "clearance",
                    "allowed only when intake.clinician_cleared is true",
                ));
            }
            _ => {}
        }
        let pack = self.app.pack();
        let result = screening::screen(pack, &intake);
        Ok(ScreeningRecord {
            id,
            at: self.app.now(),
            result: serde_json::to_value(&result).map_err(|e| Error::Internal(e.to_string()))?,
            intake,
            disposition: result.disposition,
            pack_version: pack.meta.version.clone(),
            clearance,
        })
    }

    /// The person's screenings, newest first, at most `limit`.
    pub async fn screenings(&self, limit: u32) -> Result<Vec<ScreeningRecord>> {
        Ok(self.app.store.screenings(self.person, limit).await?)
    }

    /// The person's newest screening, if any.
    pub async fn newest_screening(&self) -> Result<Option<ScreeningRecord>> {
        Ok(self.screenings(1).await?.into_iter().next())
    }

    /// The person's screening `id`, from what was read before when it can be.
    pub async fn screening(&self, id: Uuid) -> Result<Option<ScreeningRecord>> {
        let key = (self.person, id);
        if let Some(kept) = self.app.screenings.get(&key, 0) {
            return Ok(Some(ScreeningRecord::clone(&kept)));
        }
        let found = self.app.store.screening(self.person, id).await?;
        // Kept only without a clearance: a clinician may confirm or
        // withdraw a clearance (on any server), the rest never changes.
        if let Some(record) = found.as_ref().filter(|r| r.clearance.is_none()) {
            self.app.screenings.put(key, 0, 1, Arc::new(record.clone()));
        }
        Ok(found)
    }

    /// The screening `id`, judged again now: its permit, or the refusal.
    /// Used for plans and for every session kept, so neither can get past
    /// a red flag.
    pub async fn permit(&self, id: Uuid) -> Result<(ScreeningRecord, Permit)> {
        let record = self.screening(id).await?.ok_or(Error::NotFound)?;
        let permit = screening::screen(self.app.pack(), &record.intake).permit().map_err(|refusal| {
            Error::refused(
                "no-self-care",
                "This screening does not allow a massage session",
                refusal.headline,
            )
        })?;
        Ok((record, permit))
    }

    /// The newest screening judged again now: its permit, or the headline
    /// that refuses one (also when there is no screening yet).
    pub async fn newest_permit(&self) -> Result<std::result::Result<Permit, String>> {
        let Some(newest) = self.newest_screening().await? else {
            return Ok(Err("no screening yet".to_owned()));
        };
        Ok(screening::screen(self.app.pack(), &newest.intake).permit().map_err(|r| r.headline))
    }

    /// Refuse screening `id` when it is not the person's newest: a newer one decides.
    pub(crate) async fn newest_only(&self, id: Uuid) -> Result<()> {
        if self.newest_screening().await?.map(|s| s.id) == Some(id) {
            Ok(())
        } else {
            Err(Error::refused(
                "stale-screening",
                "A newer screening decides",
                "only the newest screening counts: use that one",
            ))
        }
    }
}

impl<S: Store + Sharing + Mailing> Own<'_, S> {
    /// Judge `intake` (with its clearance, if any) and keep it as screening
    /// `id`. `true` when it is new; `false` for a retry of a screening kept
    /// before with the same answers and clearance. The id kept with other
    /// answers is a conflict. Answers with a clearance are kept whatever
    /// they decide: a clearance never hides a warning sign. A new one that
    /// calls for a doctor is a notice to the person's clinicians.
    pub async fn screen(
        &self,
        id: Uuid,
        intake: Intake,
        clearance: Option<Clearance>,
    ) -> Result<(bool, ScreeningRecord)> {
        let record = self.judged(id, intake, clearance)?;
        if let Some(kept) = self.screening(id).await? {
            // The same word on the clearance: a clinician may have confirmed it since.
            let word = |r: &ScreeningRecord| r.clearance.as_ref().map(|c| (c.by.clone(), c.on));
            return if kept.intake == record.intake && word(&kept) == word(&record) {
                Ok((false, kept))
            } else {
                Err(Error::refused(
                    "conflict",
                    "Already kept with different content",
                    format!("screening {id} is another screening"),
                ))
            };
        }
        // Not this person's: the store's conflict is someone else's screening.
        self.app.store.add_screening(self.person, &record).await.map_err(|e| Error::from(e).not_theirs())?;
        if record.disposition >= Disposition::SeeDoctorFirst {
            self.app.notify(Notice::PatientNeedsAttention, id, &self.clinicians().await?).await;
        }
        Ok((true, record))
    }
}

/// A plan or a clearance goes from today's answers, never from older ones.
pub(crate) fn not_today() -> Error {
    Error::refused(
        "stale-screening",
        "The screening is not from today",
        "answer the questions again first: things may have changed",
    )
}
