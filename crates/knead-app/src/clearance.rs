//! A clinician's clearance: a doctor or physiotherapist assessed this back
//! pain and said self-massage is fine. It lifts two things only, and both
//! the same way wherever it is made (the person's own report, on the web or
//! in the terminal, or their Knead clinician):
//!
//! - a screening's advice to see a doctor first (emergency and urgent
//!   advice, and technique limits, still stand);
//! - a §4 flag: the count of pain over time starts again after the day of
//!   the clearance.
//!
//! A clearance is kept as a new screening: today's answers with
//! `clinician_cleared`, judged again, with who cleared the person and on
//! what day. Only the person's newest screening, from today, can be cleared:
//! clearing an older one would step around a newer warning sign.
//!
//! The person's Knead clinician may confirm a clearance the person reported,
//! or withdraw any clearance. A withdrawn clearance lifts nothing: the §4
//! count no longer starts again at it, and when it was the one the newest
//! screening stood on, that screening's answers are judged again without it
//! and kept as a new screening, so the person is back where the answers put
//! them (see a doctor first). After a withdrawal the person's own word
//! counts again only for a clearance from a later day: a new assessment,
//! not the one withdrawn.

use crate::screening::{CLEARED_BY_MAX_CHARS, not_today};
use crate::{Error, Own, Result, Treated, Zone};
use chrono::NaiveDate;
use knead_core::intake::Intake;
use knead_core::outcomes;
use knead_core::records::{Clearance, Review, ScreeningRecord};
use knead_core::screening;
use knead_store::Store;
use knead_store::sharing::AuditAction;
use knead_store::sharing::Sharing;
use uuid::Uuid;

/// A clearance as a person reports it, checked: `by` trimmed and 1 to 120
/// characters, `on` not after `today`. Errors name `clearance.by` or
/// `clearance.on`.
pub fn reported(by: &str, on: NaiveDate, today: NaiveDate) -> Result<Clearance> {
    // Said as a question to the person, where the text contract would say "allowed: ...".
    let n = by.trim().chars().count();
    if n == 0 || n > CLEARED_BY_MAX_CHARS {
        return Err(Error::invalid(
            "clearance.by",
            format!("say who cleared you, in 1 to {CLEARED_BY_MAX_CHARS} characters; this has {n}"),
        ));
    }
    let by = crate::text::required("clearance.by", by, CLEARED_BY_MAX_CHARS, crate::text::Lines::One)?;
    if on > today {
        return Err(Error::invalid(
            "clearance.on",
            format!("{on} has not come yet: give the day you were cleared, {today} or earlier"),
        ));
    }
    Ok(Clearance::reported(by, on))
}

/// What a clearance would do for a screening now.
#[derive(Debug, Clone, PartialEq)]
pub enum Lift {
    /// Lift it: these are its answers, cleared.
    Now(Intake),
    /// It would, but the answers are not from today: they are asked again first.
    NotToday,
    /// Nothing: the screening allows self-care and no §4 flag stops it, or
    /// warning signs decide whatever a clinician said before.
    No,
}

/// Answers a clearance may lower: only [`Own::clearable`] makes one, so no
/// screening is cleared without its checks.
#[derive(Debug)]
pub struct Clearable(Intake);

impl<S: Store + Sharing> Own<'_, S> {
    /// What a clearance would do now for screening `record`, on the
    /// person's days in `zone`.
    pub async fn lift(&self, record: &ScreeningRecord, zone: Zone) -> Result<Lift> {
        let pack = self.app.pack();
        let cleared = Intake { clinician_cleared: true, ..record.intake.clone() };
        let liftable = if screening::screen(pack, &record.intake).permit().is_ok() {
            // Self-care already: only a §4 flag could stand in the way.
            self.judge(zone).await?.stop().is_some()
        } else {
            screening::screen(pack, &cleared).permit().is_ok()
        };
        Ok(match liftable {
            false => Lift::No,
            true if zone.day(record.at) != zone.day(self.app.now()) => Lift::NotToday,
            true => Lift::Now(cleared),
        })
    }

    /// Whether screening `record` may be cleared now: the newest, from
    /// today, and one a clearance lifts. Refusals say why.
    pub async fn clearable(&self, record: &ScreeningRecord, zone: Zone) -> Result<Clearable> {
        let answers = match self.lift(record, zone).await? {
            Lift::Now(cleared) => cleared,
            Lift::NotToday => return Err(not_today()),
            Lift::No => {
                return Err(Error::refused(
                    "nothing-to-clear",
                    "A clearance does not change this screening",
                    "a clearance lifts only the advice to see a doctor first: this screening allows self-care \
                     already, or it found signs that need care now whatever a clinician said before",
                ));
            }
        };
        self.newest_only(record.id).await?;
        Ok(Clearable(answers))
    }

    /// The new screening `clearance` makes of `answers`, judged and ready
    /// to keep. Refused when it would not lift a §4 flag: a clearance from
    /// before the pain that raised it does not cover that pain.
    async fn cleared(&self, answers: Clearable, clearance: Clearance, zone: Zone) -> Result<ScreeningRecord> {
        let judged = self.judge(zone).await?;
        let from = judged.cleared_on.max(Some(clearance.on));
        let again = outcomes::assess(&self.app.pack().escalation, &judged.readings, judged.today, from);
        if let Some(flag) = crate::progress::stopping(&again) {
            return Err(Error::invalid(
                "clearance.on",
                format!(
                    "a clearance on {} comes before the pain it would have to cover: {} Give the day a doctor \
                     or physiotherapist saw you about it.",
                    clearance.on,
                    flag.message()
                ),
            ));
        }
        self.judged(Uuid::now_v7(), answers.0, Some(clearance))
    }

    /// A clearance the person reports (who, on what day), checked as
    /// [`reported`] does and against the clinician's last withdrawal: after
    /// one, only a clearance from a later day counts.
    pub async fn report_clearance(&self, by: &str, on: NaiveDate, zone: Zone) -> Result<Clearance> {
        let clearance = reported(by, on, zone.day(self.app.now()))?;
        if let Some(at) = self.app.store.last_withdrawal(self.person).await? {
            let withdrawn_on = zone.day(at);
            if clearance.on <= withdrawn_on {
                return Err(Error::invalid(
                    "clearance.on",
                    format!(
                        "your clinician withdrew your clearance on {withdrawn_on}: a clearance counts again only \
                         from a new assessment after that day"
                    ),
                ));
            }
        }
        Ok(clearance)
    }

    /// The person reports a clearance (who, on what day) for their
    /// screening `record`: checked, kept as a new screening, returned.
    pub async fn clear_self(
        &self,
        record: &ScreeningRecord,
        by: &str,
        on: NaiveDate,
        zone: Zone,
    ) -> Result<ScreeningRecord> {
        let answers = self.clearable(record, zone).await?;
        let clearance = self.report_clearance(by, on, zone).await?;
        let made = self.cleared(answers, clearance, zone).await?;
        self.app.store.add_screening(self.person, &made).await?;
        Ok(made)
    }
}

impl<S: Store + Sharing> Treated<S> {
    /// The clinician clears the patient: their screening `id`, the newest
    /// and from today, is judged again with a clearance by the clinician's
    /// address on the clinician's today (in `zone`) and kept as a new
    /// screening, with a line in the patient's audit log, in one write.
    pub async fn clear(&self, id: Uuid, zone: Zone) -> Result<ScreeningRecord> {
        let own = self.patient();
        let record = own
            .screening(id)
            .await?
            .ok_or_else(|| Error::invalid("screening", "not a screening of this patient"))?;
        let answers = own.clearable(&record, zone).await?;
        let clearance = Clearance::recorded(
            self.grant.clinician,
            self.grant.clinician_email.clone(),
            zone.day(own.app.now()),
        );
        let made = own.cleared(answers, clearance, zone).await?;
        own.app.store.clear(own.person(), self.grant.clinician, &made).await?;
        // Clearing follows reading the record: what was raised before is seen.
        self.acknowledged(made.at, Some("Cleared the patient.".to_owned())).await?;
        Ok(made)
    }

    /// The patient's screening `id` (without its clearance) and the
    /// clearance kept with it.
    async fn with_clearance(&self, id: Uuid) -> Result<(ScreeningRecord, Clearance)> {
        let missing = || Error::invalid("screening", "not a screening of this patient with a clearance");
        let mut record = self.patient().screening(id).await?.ok_or_else(missing)?;
        let clearance = record.clearance.take().ok_or_else(missing)?;
        Ok((record, clearance))
    }

    /// The clinician confirms the clearance the patient reported with
    /// screening `id`: it shows as confirmed by them, and the patient's
    /// audit log says so. Confirming it again changes nothing. A clearance
    /// a clinician recorded, or one withdrawn, is not confirmed.
    pub async fn confirm_clearance(&self, id: Uuid) -> Result<Clearance> {
        let (_, clearance) = self.with_clearance(id).await?;
        if clearance.withdrawn.is_some() {
            return Err(Error::refused(
                "clearance-withdrawn",
                "This clearance was withdrawn",
                "a withdrawn clearance stays withdrawn: clear the patient afresh once they have been assessed",
            ));
        }
        if clearance.recorded_by.is_some() {
            return Err(Error::refused(
                "clearance-recorded",
                "A clinician recorded this clearance",
                "only a clearance the patient reported themselves is confirmed",
            ));
        }
        if clearance.confirmed.is_some() {
            return Ok(clearance);
        }
        let (patient, clinician, now) = (self.grant.patient, self.grant.clinician, self.app.now());
        let confirmed = Clearance { confirmed: Some(Review { by: clinician, at: now }), ..clearance };
        let action = AuditAction::Confirmed;
        self.app.store.review_clearance(patient, clinician, id, &confirmed, None, action, now).await?;
        Ok(confirmed)
    }

    /// The clinician withdraws the clearance kept with screening `id`: it
    /// lifts nothing from now on, in one write with the patient's audit
    /// line. When the patient's newest screening stood on it, its answers
    /// are judged again without it and kept as a new screening (returned),
    /// which puts the patient back to see a doctor first. Withdrawing it
    /// again changes nothing.
    pub async fn withdraw_clearance(&self, id: Uuid) -> Result<(Clearance, Option<ScreeningRecord>)> {
        let (record, clearance) = self.with_clearance(id).await?;
        if clearance.withdrawn.is_some() {
            return Ok((clearance, None));
        }
        let own = self.patient();
        let (patient, clinician, now) = (self.grant.patient, self.grant.clinician, self.app.now());
        let withdrawn = Clearance { withdrawn: Some(Review { by: clinician, at: now }), ..clearance };
        let then = match own.newest_screening().await? {
            Some(newest) if newest.id == id => {
                let answers = Intake { clinician_cleared: false, ..record.intake };
                Some(own.judged(Uuid::now_v7(), answers, None)?)
            }
            _ => None,
        };
        let action = AuditAction::Withdrew;
        self.app
            .store
            .review_clearance(patient, clinician, id, &withdrawn, then.as_ref(), action, now)
            .await?;
        Ok((withdrawn, then))
    }
}
