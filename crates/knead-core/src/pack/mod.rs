//! The content pack: techniques, doses, education, screening rules,
//! escalation thresholds and the questionnaire's wording, read from TOML and
//! checked before use.
//!
//! Parse, don't validate: [`ContentPack::load`] turns raw TOML (the private `raw` module) into
//! the types below, resolving and checking every reference on the way (a
//! rule's condition, a technique named by a rule or a dose, a step that would
//! break its technique's dose). A value of these types is therefore always a
//! usable pack; the rest of the core never re-checks one.

// A pack is loaded once at start-up, and its error carries the file's text
// so it can point into it: the size of the error does not matter here.
#![allow(clippy::result_large_err)]

mod condition;
mod error;
mod figure;
mod load;
mod raw;

pub use condition::{CompareOp, Condition, ListWords, NumberField};
pub use error::PackError;

use crate::intake::{Field, Stage};
use crate::vocab::{Disposition, Equipment, HelperNeed, Position, Symptom, TechniqueId, Vocabulary};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The files a pack directory holds.
pub const PACK_FILES: [&str; 7] = [
    "pack.toml",
    "screening.toml",
    "techniques.toml",
    "doses.toml",
    "escalation.toml",
    "education.toml",
    "questionnaire.toml",
];

/// Where a pack keeps its figures, and what their files are called:
/// `figures/NAME.svg`, NAME in lowercase letters, digits and hyphens.
pub const FIGURES_DIR: &str = "figures";

/// The pack built into the binary: `content/midback/`, its [`PACK_FILES`]
/// and then every figure in `content/midback/figures/` (listed by the build
/// script, so adding a figure needs no Rust).
pub fn builtin_sources() -> Vec<(&'static str, &'static str)> {
    macro_rules! file {
        ($name:literal) => {
            ($name, include_str!(concat!("../../../../content/midback/", $name)))
        };
    }
    let figures: &[(&str, &str)] = &include!(concat!(env!("OUT_DIR"), "/figures.rs"));
    let mut files = vec![
        file!("pack.toml"),
        file!("screening.toml"),
        file!("techniques.toml"),
        file!("doses.toml"),
        file!("escalation.toml"),
        file!("education.toml"),
        file!("questionnaire.toml"),
    ];
    files.extend_from_slice(figures);
    files
}

/// A checked content pack.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ContentPack {
    /// Name, version and provenance.
    pub meta: Meta,
    /// The screening rules and headlines.
    pub screening: Screening,
    /// One entry per [`TechniqueId`], in the order a session uses them.
    pub techniques: Vec<Technique>,
    /// Whole guided sessions allowed per day.
    pub daily_sessions_max: Dose,
    /// Seconds of massage a session needs to count as one: less (every step
    /// skipped, say) is kept as stopped early and not counted as an effect.
    pub session_counted_min: Dose,
    /// When to send someone back to a clinician.
    pub escalation: Escalation,
    /// Why the middle back hurts and why massage can help.
    pub education: Education,
    /// The screening questions in words.
    pub questionnaire: Questionnaire,
    /// Each step's figure as checked SVG text, by its file name
    /// (`figures/NAME.svg`, as [`Figure::file`] names it).
    #[serde(skip)]
    figures: BTreeMap<String, String>,
}

impl ContentPack {
    /// Check a pack given as `(file name, text)` pairs: one for each of
    /// [`PACK_FILES`], and one for each figure, named `figures/NAME.svg`.
    pub fn load(files: &[(&str, &str)]) -> Result<Self, PackError> {
        load::load(files)
    }

    /// The pack built into the binary. It is checked by the test suite, so
    /// failing here is a build defect, not a user error.
    pub fn builtin() -> Result<Self, PackError> {
        Self::load(&builtin_sources())
    }

    /// The technique with this id; every pack has each one exactly once.
    pub fn technique(&self, id: TechniqueId) -> &Technique {
        self.techniques
            .iter()
            .find(|t| t.id == id)
            .unwrap_or_else(|| unreachable!("a loaded pack has every technique"))
    }

    /// The SVG text of the figure in `file` (`figures/NAME.svg`), if a step
    /// of this pack shows it. It was checked at load: well-formed SVG with
    /// no script, no event handler, no foreign object and no reference
    /// outside itself.
    pub fn figure(&self, file: &str) -> Option<&str> {
        self.figures.get(file).map(String::as_str)
    }
}

/// A number that matters clinically, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dose {
    /// The number.
    pub value: u32,
    /// Its source.
    pub source: String,
}

/// Name, version and provenance of a pack.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Meta {
    /// Short id, e.g. `midback`.
    pub id: String,
    /// Version, recorded with every screening.
    pub version: String,
    /// Title for people.
    pub title: String,
    /// Language of the texts.
    pub language: String,
    /// Seconds of countdown before the first step.
    pub get_ready_seconds: u32,
    /// Where the techniques come from.
    pub based_on: String,
    /// Whether a clinician has reviewed the pack.
    pub review_status: String,
}

/// The screening rules and the headline of each disposition.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Screening {
    /// Rules in evaluation order.
    pub rules: Vec<Rule>,
    /// Headlines, indexed by [`Disposition`] from least to most severe.
    headlines: [Headline; 5],
}

impl Screening {
    /// The common preamble of a disposition.
    pub fn headline(&self, disposition: Disposition) -> &Headline {
        &self.headlines[disposition as usize]
    }
}

/// The common preamble of a disposition.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Headline {
    /// The preamble.
    pub text: String,
    /// Added when a helper is with the person.
    pub with_helper: Option<String>,
    /// Used instead of `text` when a clinician's clearance lowered the result.
    pub when_cleared: Option<String>,
}

/// One screening rule.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Rule {
    /// Stable id, e.g. `EM-01`.
    pub id: String,
    /// What the rule decides when it matches.
    pub disposition: Disposition,
    /// When it matches.
    #[serde(skip)]
    pub when: Condition,
    /// The condition as written in the pack.
    pub when_text: String,
    /// Techniques it rules out.
    pub excludes: BTreeSet<TechniqueId>,
    /// What the person is told (after the disposition's headline).
    pub message: String,
    /// Where the rule comes from.
    pub source: String,
}

/// A massage technique.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Technique {
    /// Which technique.
    pub id: TechniqueId,
    /// Name for people.
    pub name: String,
    /// One-line summary.
    pub summary: String,
    /// Owning any one of these is enough; empty means no equipment.
    pub needs_any: BTreeSet<Equipment>,
    /// Ways of doing it: alone, or with a helper.
    pub variants: Vec<Variant>,
    /// Its limits.
    pub doses: TechniqueDoses,
}

/// The limits of one technique.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct TechniqueDoses {
    /// Most active seconds in one session.
    pub session_max_seconds: Dose,
    /// Longest single bout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bout_max_seconds: Option<Dose>,
    /// Shortest rest between bouts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rest_min_seconds: Option<Dose>,
    /// Seconds on the lowest setting before pressure may rise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ramp_seconds: Option<DoseRange>,
    /// Most active seconds in one day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_max_seconds: Option<Dose>,
}

/// A range of seconds with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoseRange {
    /// Fewest seconds.
    pub min: u32,
    /// Most seconds.
    pub max: u32,
    /// Where it comes from.
    pub source: String,
}

/// One way of doing a technique.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Variant {
    /// `alone` or `with_helper`.
    pub id: String,
    /// Whether it needs a second person.
    pub helper: HelperNeed,
    /// Steps in order.
    pub steps: Vec<Step>,
}

/// One step of a technique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub struct Step {
    /// Id, unique within its variant.
    pub id: String,
    /// Body position.
    pub position: Position,
    /// What to do.
    pub instruction: String,
    /// Safety cues shown during the step.
    pub cues: Vec<String>,
    /// How long it lasts.
    pub timing: Timing,
    /// Time on the lowest setting before pressure may rise.
    pub ramp: bool,
    /// The step that ends the technique safely (switch the device off, sit
    /// up slowly). It is not massage, so it never counts against the
    /// technique's limits, and a limit that ends the technique early still
    /// leads to it (see [`crate::session`]). Only a variant's last step can
    /// be one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub closing: bool,
    /// The picture of the step.
    pub figure: Figure,
}

/// A step's picture: an SVG file of the pack, with the words that stand for
/// it and its licence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub struct Figure {
    /// The file in the pack, `figures/NAME.svg`; its text is
    /// [`ContentPack::figure`].
    pub file: String,
    /// What the figure shows, for people who cannot see it.
    pub alt: String,
    /// Who may use it and how, e.g. `CC BY 4.0, Knead contributors`.
    pub licence: String,
}

impl Step {
    /// Seconds of massage, as planned and at most (see [`Timing::work_seconds`]):
    /// none for a closing step, which is not massage.
    pub fn work_seconds(&self) -> (u32, u32) {
        if self.closing { (0, 0) } else { self.timing.work_seconds() }
    }
}

/// How long a step lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Timing {
    /// A fixed time.
    Fixed {
        /// Seconds.
        seconds: u32,
    },
    /// A time the person may lengthen up to `max_seconds`.
    Range {
        /// Planned seconds.
        min_seconds: u32,
        /// Most seconds.
        max_seconds: u32,
    },
    /// Bouts of work with rests between them.
    Bouts {
        /// Number of bouts.
        count: u32,
        /// Seconds of each bout.
        work_seconds: u32,
        /// Seconds of rest between bouts.
        rest_seconds: u32,
    },
}

impl Timing {
    /// Seconds as planned.
    pub fn planned_seconds(self) -> u32 {
        match self {
            Self::Fixed { seconds } => seconds,
            Self::Range { min_seconds, .. } => min_seconds,
            Self::Bouts { count, work_seconds, rest_seconds } => {
                count * work_seconds + count.saturating_sub(1) * rest_seconds
            }
        }
    }

    /// Most seconds the step can last.
    pub fn max_seconds(self) -> u32 {
        match self {
            Self::Range { max_seconds, .. } => max_seconds,
            other => other.planned_seconds(),
        }
    }

    /// Seconds of active work (rests between bouts excluded), as planned and at most.
    pub fn work_seconds(self) -> (u32, u32) {
        match self {
            Self::Bouts { count, work_seconds, .. } => (count * work_seconds, count * work_seconds),
            other => (other.planned_seconds(), other.max_seconds()),
        }
    }
}

/// When to send someone back to a clinician (screening reference §4).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Escalation {
    /// A rise of this many points from baseline counts as worse.
    pub worsening_rise_points: Dose,
    /// …when it stays up this many days in a row.
    pub worsening_consecutive_days: Dose,
    /// Pain at or above this is severe.
    pub severe_at: Dose,
    /// Less than this percentage fall from baseline is no meaningful improvement.
    pub min_reduction_percent: Dose,
    /// …and, from `points_apply_from_baseline`, less than this many points.
    pub min_reduction_points: Dose,
    /// The baseline from which the points test also applies.
    pub points_apply_from_baseline: Dose,
    /// Days of use after which no improvement means "see a clinician".
    pub review_after_days: Dose,
    /// Days after which no improvement means "see a doctor first".
    pub see_doctor_after_days: Dose,
    /// Days a warning-sign screening keeps a patient flagged on their
    /// clinician's list until the clinician acknowledges it.
    pub red_flag_days: Dose,
}

impl Escalation {
    /// When pain over time calls for a clinician (§4), in words, with
    /// this pack's numbers: what the education page and the handout say.
    pub fn in_words(&self) -> String {
        let weeks = |days: u32| match days % 7 {
            0 if days == 7 => "a week".to_owned(),
            0 => format!("{} weeks", days / 7),
            _ => format!("{days} days"),
        };
        format!(
            "See a doctor or physiotherapist if your pain stays {} points or more above where it started \
             for {} days in a row, if it reaches {} out of 10, or if it has not eased by {} % after {}. \
             If it still has not eased after {}, see a doctor before more self-massage.",
            self.worsening_rise_points.value,
            self.worsening_consecutive_days.value,
            self.severe_at.value,
            self.min_reduction_percent.value,
            weeks(self.review_after_days.value),
            weeks(self.see_doctor_after_days.value),
        )
    }
}

/// Background for the person.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Education {
    /// Why the middle back hurts.
    pub causes: Vec<Topic>,
    /// Why massage can help.
    pub benefits: Vec<Topic>,
    /// When to stop a session, when to get help now; the pain-over-time
    /// rules are said from [`Escalation::in_words`], with their numbers.
    pub stop: Vec<Topic>,
}

/// One short explanation.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Topic {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
}

/// The screening questions, in the order asked: one for each intake field.
///
/// Every interface asks from here (the terminal, the web form, the FHIR
/// Questionnaire), so none has wording of its own.
#[derive(Debug, Clone, Serialize)]
pub struct Questionnaire {
    questions: Vec<Question>,
}

impl Questionnaire {
    /// Every question, in the order asked.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// The questions asked at one stage, in order.
    pub fn at(&self, stage: Stage) -> impl Iterator<Item = &Question> {
        self.questions.iter().filter(move |q| q.field.stage() == stage)
    }

    /// Each question with `intake`'s answer to it in words, in the order
    /// asked: a number, "Yes" or "No", or the labels of the words chosen
    /// ("None" when a list was left empty). What a clinician reads to see
    /// what a person said.
    pub fn answered(&self, intake: &crate::intake::Intake) -> Vec<(&Question, String)> {
        use crate::intake::Answer;
        intake
            .answers()
            .into_iter()
            .map(|(field, answer)| {
                let question = self.question(field);
                let words = match answer {
                    Answer::Number(n) => n.to_string(),
                    Answer::YesNo(true) => "Yes".to_owned(),
                    Answer::YesNo(false) => "No".to_owned(),
                    Answer::Word(w) => question.label(w).to_owned(),
                    Answer::Words(words) if words.is_empty() => "None".to_owned(),
                    Answer::Words(words) => {
                        words.iter().map(|w| question.label(w)).collect::<Vec<_>>().join(", ")
                    }
                };
                (question, words)
            })
            .collect()
    }

    /// The warning signs a session watches for, in the pack's words: the
    /// screening's symptoms but a cough. A guided session asks about them
    /// when something new appears, and the printed handout lists them as
    /// reasons to stop; both read this one list.
    pub fn warning_signs(&self) -> impl Iterator<Item = &Choice> {
        self.question(Field::Symptoms).kind.choices().iter().filter(|c| c.word != Symptom::Cough.as_str())
    }

    /// The question that fills `field`; a loaded pack asks each once.
    pub fn question(&self, field: Field) -> &Question {
        self.questions
            .iter()
            .find(|q| q.field == field)
            .unwrap_or_else(|| unreachable!("a loaded pack asks every field"))
    }
}

/// One question.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Question {
    /// The intake field it fills.
    pub field: Field,
    /// The question.
    pub text: String,
    /// A hint shown with it.
    pub help: Option<String>,
    /// What answer it takes.
    pub kind: Kind,
}

impl Question {
    /// The label of one of its words (the word itself if it has none,
    /// which a loaded pack never lets happen).
    pub fn label<'a>(&'a self, word: &'a str) -> &'a str {
        self.kind.choices().iter().find(|c| c.word == word).map_or(word, |c| c.label.as_str())
    }
}

/// What answer a question takes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A whole number from `min` to `max`.
    Number {
        /// The smallest allowed.
        min: i64,
        /// The largest allowed.
        max: i64,
    },
    /// Yes or no; no until the person says yes.
    YesNo,
    /// One of these; the first until another is picked.
    OneOf(Vec<Choice>),
    /// Any number of these, none included.
    AnyOf(Vec<Choice>),
}

impl Kind {
    /// The words offered, in order; none for a number or yes/no.
    pub fn choices(&self) -> &[Choice] {
        match self {
            Kind::OneOf(choices) | Kind::AnyOf(choices) => choices,
            Kind::Number { .. } | Kind::YesNo => &[],
        }
    }
}

/// A word offered, with its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The vocabulary word, as intake JSON spells it.
    pub word: &'static str,
    /// What people read.
    pub label: String,
}

/// A choice shows as its label (what a terminal prompt lists).
impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}
