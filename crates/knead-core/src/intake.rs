//! Intake v1: the answers a screening decides on.
//!
//! The shape and ranges are the contract of shared/clinical/screening-rules.md
//! §0. Reading is strict: an unknown field, an unknown list word, a number out
//! of range, a wrong type or malformed JSON is refused with an error that
//! names the field. Nothing is guessed.

use crate::units::{Age, DurationDays, PainScore};
use crate::vocab::{Character, Equipment, History, Onset, Pattern, Radiation, Skin, Symptom};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One person's answers to the screening questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intake {
    /// Age in whole years.
    pub age_years: Age,
    /// The pain itself.
    pub pain: Pain,
    /// Other symptoms now.
    #[serde(default)]
    pub symptoms: BTreeSet<Symptom>,
    /// Medical history.
    #[serde(default)]
    pub history: BTreeSet<History>,
    /// The skin where they want to massage.
    #[serde(default)]
    pub skin_at_site: BTreeSet<Skin>,
    /// What they own; hands need nothing.
    #[serde(default)]
    pub equipment: BTreeSet<Equipment>,
    /// Someone can help with the massage. Changes wording, never a disposition.
    #[serde(default)]
    pub helper_available: bool,
    /// A clinician has assessed this pain and said self-massage is fine.
    #[serde(default)]
    pub clinician_cleared: bool,
}

/// What the pain is like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pain {
    /// Pain now, 0-10.
    pub intensity: PainScore,
    /// Days since this episode began.
    pub duration_days: DurationDays,
    /// How it began.
    #[serde(default = "gradual")]
    pub onset: Onset,
    /// Began after a fall, blow, accident or injury.
    #[serde(default)]
    pub after_trauma: bool,
    /// How it feels.
    #[serde(default)]
    pub character: BTreeSet<Character>,
    /// How it behaves.
    #[serde(default)]
    pub pattern: BTreeSet<Pattern>,
    /// Where it spreads.
    #[serde(default)]
    pub radiates_to: BTreeSet<Radiation>,
}

fn gradual() -> Onset {
    Onset::Gradual
}

/// Why an intake was refused: the field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid intake: {field}: {problem}")]
pub struct IntakeError {
    /// Dotted path of the field (`pain.character[1]`), or `intake` for the whole document.
    pub field: String,
    /// What is wrong and what is allowed.
    pub problem: String,
}

impl Intake {
    /// Read an intake from JSON text.
    pub fn from_json(text: &str) -> Result<Self, IntakeError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let intake: Intake = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." { "intake".to_owned() } else { path };
            IntakeError { field, problem: describe(e.inner()) }
        })?;
        de.end().map_err(|e| IntakeError { field: "intake".to_owned(), problem: describe(&e) })?;
        Ok(intake)
    }
}

/// serde_json's message, with its position kept for syntax errors only
/// (for a wrong value the field path says more than a column number).
fn describe(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    // serde says "variant" for what a person calls a value.
    let message = e.to_string().replace("unknown variant", "unknown value");
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => format!("malformed JSON: {message}"),
        Category::Data => match message.rfind(" at line ") {
            Some(cut) => message[..cut].to_owned(),
            None => message,
        },
    }
}
