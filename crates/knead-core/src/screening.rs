//! Screening: one intake in, one result out, exactly as the contract of
//! shared/clinical/screening-rules.md §0-§1 says.
//!
//! Every rule is evaluated; the most severe disposition among the matches
//! decides; technique exclusions are the union over all matches; a
//! clinician's clearance lifts `see_doctor_first` rules only. The result is
//! the only way to a [`Permit`], and a permit is the only way to a plan.

use crate::intake::Intake;
use crate::pack::ContentPack;
use crate::vocab::{Disposition, TechniqueId, Vocabulary};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What the screening decided, in the JSON shape of the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub struct ScreeningResult {
    /// The most severe disposition among the deciding rules.
    pub disposition: Disposition,
    /// The common preamble of that disposition.
    pub headline: String,
    /// Every matched rule, most severe first.
    pub reasons: Vec<Reason>,
    /// Which techniques are allowed and which are excluded, and by what.
    pub techniques: Techniques,
    /// True when a clinician's clearance lowered the disposition.
    pub cleared_by_clinician: bool,
}

/// One matched rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub struct Reason {
    /// The rule's id.
    pub rule: String,
    /// The rule's own disposition (a lifted rule keeps `see_doctor_first`).
    pub disposition: Disposition,
    /// The disposition's preamble followed by the rule's message.
    pub message: String,
    /// The rule's message alone, for screens that show the preamble once.
    #[serde(skip)]
    pub detail: String,
}

/// The technique part of a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub struct Techniques {
    /// Techniques the person may use; empty above `self_care_with_limits`.
    pub allowed: Vec<TechniqueId>,
    /// Techniques ruled out, with the rules that ruled them out.
    pub excluded: Vec<Exclusion>,
}

/// A technique ruled out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub struct Exclusion {
    /// The technique.
    pub technique: TechniqueId,
    /// The rules that exclude it, in pack order.
    pub rules: Vec<String>,
}

/// Screen one intake against a pack's rules.
pub fn screen(pack: &ContentPack, intake: &Intake) -> ScreeningResult {
    let rules = &pack.screening.rules;
    let mut matched = Vec::with_capacity(rules.len());
    for rule in rules {
        let hit = rule.when.holds(intake, &matched);
        matched.push(hit);
    }
    let hits: Vec<_> = rules.iter().zip(&matched).filter(|(_, hit)| **hit).map(|(r, _)| r).collect();

    let lifted = |d: Disposition| intake.clinician_cleared && d == Disposition::SeeDoctorFirst;
    let strictest = hits.iter().map(|r| r.disposition).max().unwrap_or(Disposition::SelfCare);
    let disposition =
        hits.iter().map(|r| r.disposition).filter(|d| !lifted(*d)).max().unwrap_or(Disposition::SelfCare);
    let cleared_by_clinician = disposition < strictest;

    let headline = pack.screening.headline(disposition);
    let mut headline_text = match (&headline.when_cleared, cleared_by_clinician) {
        (Some(cleared), true) => cleared.clone(),
        _ => headline.text.clone(),
    };
    if intake.helper_available
        && let Some(extra) = &headline.with_helper
    {
        headline_text = format!("{headline_text} {extra}");
    }

    let mut reasons: Vec<Reason> = hits
        .iter()
        .map(|r| Reason {
            rule: r.id.clone(),
            disposition: r.disposition,
            message: format!("{} {}", pack.screening.headline(r.disposition).text, r.message),
            detail: r.message.clone(),
        })
        .collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.disposition));

    let mut excluded: BTreeMap<TechniqueId, Vec<String>> = BTreeMap::new();
    for rule in &hits {
        for technique in &rule.excludes {
            excluded.entry(*technique).or_default().push(rule.id.clone());
        }
    }
    let allowed = if disposition <= Disposition::SelfCareWithLimits {
        TechniqueId::ALL.iter().copied().filter(|t| !excluded.contains_key(t)).collect()
    } else {
        Vec::new()
    };

    ScreeningResult {
        disposition,
        headline: headline_text,
        reasons,
        techniques: Techniques {
            allowed,
            excluded: excluded.into_iter().map(|(technique, rules)| Exclusion { technique, rules }).collect(),
        },
        cleared_by_clinician,
    }
}

impl ScreeningResult {
    /// Permission to plan a session, or why there is none.
    pub fn permit(&self) -> Result<Permit, Refusal> {
        if self.disposition <= Disposition::SelfCareWithLimits {
            Ok(Permit {
                allowed: self.techniques.allowed.iter().copied().collect(),
                excluded: self.techniques.excluded.iter().map(|e| (e.technique, e.rules.clone())).collect(),
            })
        } else {
            Err(Refusal { disposition: self.disposition, headline: self.headline.clone() })
        }
    }
}

/// Permission to plan a session. Only [`ScreeningResult::permit`] makes one,
/// and only for `self_care` or `self_care_with_limits`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permit {
    allowed: BTreeSet<TechniqueId>,
    excluded: BTreeMap<TechniqueId, Vec<String>>,
}

impl Permit {
    /// Whether the screening allows a technique.
    pub fn allows(&self, technique: TechniqueId) -> bool {
        self.allowed.contains(&technique)
    }

    /// The rules that exclude a technique (empty when allowed).
    pub fn excluded_by(&self, technique: TechniqueId) -> &[String] {
        self.excluded.get(&technique).map_or(&[], Vec::as_slice)
    }
}

/// Why no session may be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no self-massage today ({disposition}): {headline}")]
pub struct Refusal {
    /// The disposition that stops it.
    pub disposition: Disposition,
    /// What to do instead.
    pub headline: String,
}
