//! The printed home-program handout: what goes in it, and for whom.
//!
//! A handout is printed only when a plan could follow it, by the same
//! rules in the same order (see [`crate::plan`]): the person's newest
//! screening, judged again now, allows self-care; §4 does not call for a
//! doctor first; a home program in force still fits the screening. What is
//! left out is what a plan of today needs and a sheet kept for weeks does
//! not: a screening from today, and sessions left today.
//!
//! What goes in: the techniques the screening allows (only the program's,
//! when one is in force). A person's handout holds the ways of doing them
//! that their kit allows, as a plan would pick; a clinician's holds every
//! way of doing their program's techniques, as their program view shows.
//! The web's two routes and `knead handout` all ask here.

use crate::{Error, Own, Result, Treated, Zone};
use knead_core::handout::{Assigned, Handout, Item};
use knead_core::planner::{self, Kit, NoPlan};
use knead_core::records::ScreeningRecord;
use knead_core::screening::Permit;
use knead_store::Store;
use knead_store::sharing::Sharing;

/// Which ways of doing a technique are printed.
enum Ways<'k> {
    /// The one a plan would pick for this kit; techniques it cannot do are left out.
    Kit(&'k Kit),
    /// Every way the pack has.
    Every,
}

/// What the rules leave a handout: the newest screening, its permit, and
/// the program in force as that permit leaves it.
struct Allowed {
    screening: ScreeningRecord,
    permit: Permit,
    program: Option<Assigned>,
}

impl<S: Store + Sharing> Own<'_, S> {
    /// The person's handout: what their newest screening and their program
    /// allow, done the ways `kit` allows (or, without one, the kit their
    /// newest screening's answers name), on the person's days in `zone`.
    pub async fn handout(&self, kit: Option<Kit>, zone: Zone) -> Result<Handout> {
        let allowed = self.allowed(zone).await?;
        let kit = kit.unwrap_or_else(|| Kit::of(&allowed.screening.intake));
        self.contents(allowed, &Ways::Kit(&kit))
    }

    async fn allowed(&self, zone: Zone) -> Result<Allowed> {
        let newest = self.newest_screening().await?.ok_or_else(|| {
            Error::refused(
                "no-screening",
                "No screening yet",
                "answer the safety questions first: a handout follows what they allow",
            )
        })?;
        let (screening, permit) = self.permit(newest.id).await?;
        if let Some(flag) = self.judge(zone).await?.stop() {
            return Err(crate::progress::refusal(flag));
        }
        let program = self
            .followable(zone.day(self.app.now()), &permit)
            .await?
            .map(|(a, program)| Assigned { program, start: a.assigned_at.date_naive() });
        Ok(Allowed { screening, permit, program })
    }

    fn contents(&self, allowed: Allowed, ways: &Ways<'_>) -> Result<Handout> {
        let Allowed { permit, program, .. } = allowed;
        let mut items = Vec::new();
        for technique in &self.app.pack().techniques {
            let in_program = program.as_ref().is_none_or(|a| a.program.techniques().contains(&technique.id));
            if !permit.allows(technique.id) || !in_program {
                continue;
            }
            let variants = match ways {
                Ways::Kit(kit) => match planner::fit(technique, kit) {
                    Ok(fit) => vec![fit.variant.id.clone()],
                    Err(_) => continue,
                },
                Ways::Every => technique.variants.iter().map(|v| v.id.clone()).collect(),
            };
            items.push(Item { technique: technique.id, variants });
        }
        if items.is_empty() {
            return Err(Error::refused("no-plan", "No technique fits", NoPlan::NothingFits.to_string()));
        }
        Ok(Handout { items, program })
    }
}

impl<S: Store + Sharing> Treated<S> {
    /// The handout of the home program in force for the patient, every way
    /// of doing its techniques, by the same rules as the patient's own.
    pub async fn handout(&self, zone: Zone) -> Result<Handout> {
        let own = self.patient();
        let allowed = own.allowed(zone).await?;
        if allowed.program.is_none() {
            return Err(Error::refused(
                "no-program",
                "No home program in force",
                "assign a home program first: the handout prints it",
            ));
        }
        own.contents(allowed, &Ways::Every)
    }
}
