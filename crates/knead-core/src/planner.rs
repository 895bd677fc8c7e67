//! The planner: from a permit, what the person owns, whether a helper is
//! there and what they did today, a session plan with reasons.
//!
//! It never includes a technique the screening excluded, never plans
//! without a [`Permit`], and never plans past a daily dose.

use crate::intake::Intake;
use crate::pack::{ContentPack, Step, Technique, Variant};
use crate::program::HomeProgram;
use crate::screening::Permit;
use crate::vocab::{Equipment, HelperNeed, TechniqueId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What the person has to hand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kit {
    /// Equipment they own.
    pub equipment: BTreeSet<Equipment>,
    /// Someone is there to help.
    pub helper_available: bool,
}

impl Kit {
    /// What an intake says the person has.
    pub fn of(intake: &Intake) -> Kit {
        Kit { equipment: intake.equipment.clone(), helper_available: intake.helper_available }
    }
}

/// What has been done today already (from the journal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayUsage {
    /// Guided or logged sessions today.
    pub sessions: u32,
    /// Active seconds per technique today.
    pub seconds: BTreeMap<TechniqueId, u32>,
}

/// A session plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub struct Plan {
    /// Version of the pack it was made from.
    pub pack_version: String,
    /// Countdown before the first step.
    pub get_ready_seconds: u32,
    /// The techniques to do, in order.
    pub items: Vec<PlannedTechnique>,
    /// Every technique, with why it is in or out.
    pub choices: Vec<Choice>,
    /// Planned seconds, countdown included.
    pub total_seconds: u32,
    /// Seconds of massage the session needs to count as one: the pack's
    /// minimum, or all the plan's massage when that is less. Less is kept
    /// as stopped early (see [`crate::session::EndReason::TooShort`]).
    pub counted_min_seconds: u32,
}

/// One technique in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub struct PlannedTechnique {
    /// Which technique.
    pub technique: TechniqueId,
    /// Its name.
    pub name: String,
    /// `alone` or `with_helper`.
    pub variant: String,
    /// Its steps.
    pub steps: Vec<Step>,
    /// Planned seconds.
    pub seconds: u32,
    /// Most active seconds allowed in this session: the session limit, or
    /// what is left of the daily limit if that is less.
    pub cap_seconds: u32,
    /// Longest single bout, where the technique has bouts.
    pub bout_max_seconds: Option<u32>,
}

/// Why a technique is in the plan or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub struct Choice {
    /// The technique.
    pub technique: TechniqueId,
    /// Whether it is in the plan.
    pub included: bool,
    /// Why, in plain words.
    pub why: String,
    /// Screening rules that excluded it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
}

/// Why no plan was made although the screening allows self-massage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoPlan {
    /// Today's sessions are used up.
    #[error("today's limit of {max} sessions is reached ({why}); rest and try again tomorrow")]
    DailyLimit {
        /// The limit.
        max: u32,
        /// Where it comes from.
        why: String,
    },
    /// No technique fits what the person has today.
    #[error("no technique fits what you have today")]
    NothingFits,
}

/// How a kit lets a person do a technique.
#[derive(Debug, Clone, Copy)]
pub struct Fit<'p> {
    /// The way to do it: with the helper when there is one and the
    /// technique has such a way, else alone.
    pub variant: &'p Variant,
    /// The equipment it is done with (the first owned of those it needs);
    /// `None` when it needs none.
    pub equipment: Option<Equipment>,
}

/// Whether what the person has (`kit`) lets them do `technique`, and how;
/// or, in plain words, why not. Clinical permission is the screening's,
/// not this: see [`usable`] for both.
pub fn fit<'p>(technique: &'p Technique, kit: &Kit) -> Result<Fit<'p>, String> {
    let equipment = technique.needs_any.intersection(&kit.equipment).next().copied();
    if !technique.needs_any.is_empty() && equipment.is_none() {
        let names: Vec<_> = technique.needs_any.iter().map(|e| e.described()).collect();
        return Err(format!("It needs {}, and you have none.", names.join(" or ")));
    }
    let helper = if kit.helper_available { HelperNeed::Required } else { HelperNeed::None };
    technique
        .variants
        .iter()
        .find(|v| v.helper == helper)
        .or_else(|| technique.variants.iter().find(|v| v.helper == HelperNeed::None))
        .map(|variant| Fit { variant, equipment })
        .ok_or_else(|| "It needs a helper.".to_owned())
}

/// The techniques of `allowed` (those a screening allows) that `kit` lets
/// the person do, in the same order: what they may use today with what
/// they have.
pub fn usable(pack: &ContentPack, allowed: &[TechniqueId], kit: &Kit) -> Vec<TechniqueId> {
    allowed.iter().copied().filter(|id| fit(pack.technique(*id), kit).is_ok()).collect()
}

/// Make a plan.
pub fn plan(pack: &ContentPack, permit: &Permit, kit: &Kit, today: &DayUsage) -> Result<Plan, NoPlan> {
    plan_within(pack, permit, kit, today, None)
}

/// Make a plan that follows a home program: only its techniques, and no
/// more sessions a day than it sets. The screening's permit still decides
/// first, so a program cannot bring back a technique the screening ruled
/// out since it was set.
pub fn plan_program(
    pack: &ContentPack,
    permit: &Permit,
    kit: &Kit,
    today: &DayUsage,
    program: &HomeProgram,
) -> Result<Plan, NoPlan> {
    plan_within(pack, permit, kit, today, Some(program))
}

fn plan_within(
    pack: &ContentPack,
    permit: &Permit,
    kit: &Kit,
    today: &DayUsage,
    program: Option<&HomeProgram>,
) -> Result<Plan, NoPlan> {
    let daily = &pack.daily_sessions_max;
    if today.sessions >= daily.value {
        return Err(NoPlan::DailyLimit { max: daily.value, why: daily.source.clone() });
    }
    if let Some(program) = program.filter(|p| today.sessions >= p.sessions_per_day()) {
        return Err(NoPlan::DailyLimit {
            max: program.sessions_per_day(),
            why: format!("your home program ({})", program.set_by().described()),
        });
    }
    let mut items = Vec::new();
    let mut choices = Vec::new();
    for technique in &pack.techniques {
        let id = technique.id;
        let mut choice = |included: bool, why: String, rules: Vec<String>| {
            choices.push(Choice { technique: id, included, why, rules });
        };
        if !permit.allows(id) {
            let rules = permit.excluded_by(id).to_vec();
            choice(false, format!("Your screening rules it out ({}).", rules.join(", ")), rules);
            continue;
        }
        if let Some(program) = program.filter(|p| !p.techniques().contains(&id)) {
            choice(
                false,
                format!("It is not in your home program ({}).", program.set_by().described()),
                vec![],
            );
            continue;
        }
        let (variant, owned) = match fit(technique, kit) {
            Ok(Fit { variant, equipment }) => (variant, equipment),
            Err(why) => {
                choice(false, why, vec![]);
                continue;
            }
        };
        let doses = &technique.doses;
        let mut cap = doses.session_max_seconds.value;
        if let Some(day_max) = &doses.daily_max_seconds {
            let used = today.seconds.get(&id).copied().unwrap_or(0);
            cap = cap.min(day_max.value.saturating_sub(used));
        }
        let work: u32 = variant.steps.iter().map(|s| s.work_seconds().0).sum();
        if work > cap {
            choice(false, format!("Today's time with it is used up ({cap} s left)."), vec![]);
            continue;
        }
        let seconds = variant.steps.iter().map(|s| s.timing.planned_seconds()).sum();
        let why = match (owned, variant.helper) {
            (None, _) => "It needs only your hands.".to_owned(),
            (Some(e), HelperNeed::Required) => format!("You have {}, and a helper.", e.described()),
            (Some(e), HelperNeed::None) => format!("You have {}.", e.described()),
        };
        choice(true, why, vec![]);
        items.push(PlannedTechnique {
            technique: id,
            name: technique.name.clone(),
            variant: variant.id.clone(),
            steps: variant.steps.clone(),
            seconds,
            cap_seconds: cap,
            bout_max_seconds: doses.bout_max_seconds.as_ref().map(|d| d.value),
        });
    }
    if items.is_empty() {
        return Err(NoPlan::NothingFits);
    }
    let get_ready_seconds = pack.meta.get_ready_seconds;
    let total_seconds = get_ready_seconds + items.iter().map(|i| i.seconds).sum::<u32>();
    let work: u32 = items.iter().flat_map(|i| &i.steps).map(|s| s.work_seconds().0).sum();
    let counted_min_seconds = pack.session_counted_min.value.min(work);
    Ok(Plan {
        pack_version: pack.meta.version.clone(),
        get_ready_seconds,
        items,
        choices,
        total_seconds,
        counted_min_seconds,
    })
}
