//! The home program a clinician assigns: checked against the pack's limits
//! and the patient's newest screening when it is set, and again each time
//! it is used (a plan, a reminder), because the screening may have changed
//! since.

use crate::text::{self, Lines, NOTE_MAX_CHARS};
use crate::{Error, Own, Result, Treated};
use chrono::NaiveDate;
use knead_core::program::{HomeProgram, ProgramRequest, SetBy};
use knead_core::screening::Permit;
use knead_core::vocab::TechniqueId;
use knead_store::Store;
use knead_store::sharing::{Assignment, Sharing};
use std::collections::BTreeSet;
use uuid::Uuid;

/// A program as a clinician asks for it.
#[derive(Debug, Clone)]
pub struct NewProgram {
    /// The techniques.
    pub techniques: BTreeSet<TechniqueId>,
    /// Sessions a day: 1 to the pack's daily limit.
    pub sessions_per_day: u32,
    /// Days a week: 1 to 7.
    pub days_per_week: u8,
    /// Weeks: 1 or more.
    pub weeks: u16,
    /// A note for the patient.
    pub note: Option<String>,
}

/// A program in force, as it stands against the newest screening.
#[derive(Debug)]
pub struct Followed {
    /// The program, or why it is on hold, in words.
    pub program: std::result::Result<HomeProgram, String>,
    /// Its first day.
    pub start: NaiveDate,
}

/// The program's last day.
pub fn ends_on(a: &Assignment) -> NaiveDate {
    knead_core::program::last_day(a.assigned_at.date_naive(), a.weeks)
}

fn request(a: &Assignment, techniques: BTreeSet<TechniqueId>) -> ProgramRequest {
    ProgramRequest {
        techniques,
        sessions_per_day: a.sessions_per_day,
        days_per_week: a.days_per_week,
        weeks: a.weeks,
        note: a.note.clone(),
        set_by: SetBy::Clinician(a.clinician_email.clone()),
    }
}

impl<S: Store + Sharing> Own<'_, S> {
    /// The assignment as a checked program under `permit`: the techniques
    /// the screening now rules out are left out; none left is said in words.
    pub fn checked(&self, a: &Assignment, permit: &Permit) -> std::result::Result<HomeProgram, String> {
        let allowed: BTreeSet<TechniqueId> =
            a.techniques.iter().copied().filter(|t| permit.allows(*t)).collect();
        if allowed.is_empty() {
            return Err("the newest screening rules out every technique in it".to_owned());
        }
        HomeProgram::new(self.app.pack(), permit, request(a, allowed)).map_err(|e| e.to_string())
    }

    /// The program in force on `today` as `permit` leaves it, with its
    /// assignment; refused when the permit leaves none of it, so neither a
    /// plan nor a handout goes past a program on hold.
    pub(crate) async fn followable(
        &self,
        today: NaiveDate,
        permit: &Permit,
    ) -> Result<Option<(Assignment, HomeProgram)>> {
        let Some(assignment) = self.in_force(today).await? else { return Ok(None) };
        let program = self.checked(&assignment, permit).map_err(|why| {
            Error::refused(
                "program-on-hold",
                "Your home program cannot be followed now",
                format!("{why}; ask {} to look at it again", assignment.clinician_email),
            )
        })?;
        Ok(Some((assignment, program)))
    }

    /// The newest assignment, whether or not it has ended.
    pub async fn assignment(&self) -> Result<Option<Assignment>> {
        Ok(self.app.store.assignment(self.person).await?)
    }

    /// The program in force on `today` (not yet ended), if any.
    pub async fn in_force(&self, today: NaiveDate) -> Result<Option<Assignment>> {
        Ok(self.assignment().await?.filter(|a| ends_on(a) >= today))
    }

    /// The program followed on `today`, as it stands against the newest screening.
    pub async fn followed(&self, today: NaiveDate) -> Result<Option<Followed>> {
        let Some(assignment) = self.in_force(today).await? else { return Ok(None) };
        let program = match self.newest_permit().await? {
            Ok(permit) => self.checked(&assignment, &permit),
            Err(headline) => Err(headline),
        };
        Ok(Some(Followed { program, start: assignment.assigned_at.date_naive() }))
    }

    /// The newest assignment and why plans cannot follow it now, if so.
    pub async fn program(&self) -> Result<Option<(Assignment, Option<String>)>> {
        let Some(a) = self.assignment().await? else { return Ok(None) };
        let on_hold = match self.newest_permit().await? {
            Ok(permit) => self.checked(&a, &permit).err(),
            Err(headline) => Some(headline),
        };
        Ok(Some((a, on_hold)))
    }
}

impl<S: Store + Sharing> Treated<S> {
    /// Check `new` for the patient and keep it. It must fit the pack's
    /// limits and the patient's newest screening: a program cannot be
    /// assigned to someone whose screening stops self-care, nor with a
    /// technique it rules out; the refusal names the field and the limit.
    pub async fn assign(&self, new: NewProgram) -> Result<Assignment> {
        let note = text::optional("note", new.note.as_deref(), NOTE_MAX_CHARS, Lines::Many)?;
        let own = self.patient();
        let permit = own.newest_permit().await?.map_err(|headline| {
            Error::refused(
                "no-self-care",
                "The patient's screening does not allow self-massage",
                format!("{headline}; a program can be assigned once a new screening allows it"),
            )
        })?;
        let assignment = Assignment {
            id: Uuid::now_v7(),
            patient: own.person(),
            clinician: self.grant.clinician,
            clinician_email: self.grant.clinician_email.clone(),
            assigned_at: own.app.now(),
            techniques: new.techniques,
            sessions_per_day: new.sessions_per_day,
            days_per_week: new.days_per_week,
            weeks: new.weeks,
            note,
        };
        let program =
            HomeProgram::new(own.app.pack(), &permit, request(&assignment, assignment.techniques.clone()))
                .map_err(|e| {
                    // The message starts with the field's name, which the error adds itself.
                    let message = e.to_string();
                    let said =
                        message.strip_prefix(&format!("{}: ", e.field())).unwrap_or(&message).to_owned();
                    Error::invalid(e.field(), said)
                })?;
        let kept = Assignment { note: program.note().map(str::to_owned), ..assignment };
        own.app.store.assign(&kept).await?;
        Ok(kept)
    }
}
