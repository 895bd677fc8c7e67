//! What a printed home-program handout holds: the techniques a person may
//! do, each with the ways of doing it that are printed, and the home
//! program they follow, if any.
//!
//! Only the choice is kept here, by id; the words, figures and doses are
//! the content pack's, read when the handout is drawn (knead-export), so a
//! handout cannot say a dose the pack does not. Which techniques go in, and
//! for whom, is decided once, by knead-app's handout use case.

use crate::pack::{ContentPack, Technique, Variant};
use crate::program::HomeProgram;
use crate::vocab::TechniqueId;
use chrono::NaiveDate;

/// A handout's content, in the order printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handout {
    /// The techniques, in the pack's order.
    pub items: Vec<Item>,
    /// The home program the techniques come from, when one is in force.
    pub program: Option<Assigned>,
}

/// One technique and the ways of doing it that are printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The technique.
    pub technique: TechniqueId,
    /// Ids of its variants (`alone`, `with_helper`), in the pack's order.
    pub variants: Vec<String>,
}

/// A home program and the day it began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    /// The program, as checked against the newest screening.
    pub program: HomeProgram,
    /// Its first day.
    pub start: NaiveDate,
}

impl Item {
    /// The technique and its printed variants, from `pack`.
    pub fn resolve<'p>(&self, pack: &'p ContentPack) -> (&'p Technique, Vec<&'p Variant>) {
        let technique = pack.technique(self.technique);
        let variants = technique.variants.iter().filter(|v| self.variants.contains(&v.id)).collect();
        (technique, variants)
    }
}
