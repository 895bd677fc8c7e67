//! Intake v1: the answers a screening decides on.
//!
//! The shape and ranges are the contract of shared/clinical/screening-rules.md
//! §0. Reading is strict: an unknown field, an unknown list word, a number out
//! of range, a wrong type or malformed JSON is refused with an error that
//! names the field. Nothing is guessed.
//!
//! [`Field`] names each field of the contract with the shape of its answer,
//! so that a questionnaire (the content pack's `questionnaire.toml`) can be
//! checked against the intake, and an interface can ask one question at a
//! time and still build the intake through [`Intake::from_answers`], which
//! reads it as strictly as [`Intake::from_json`].

use crate::units::{Age, DurationDays, PainScore};
use crate::vocab::{Character, Equipment, History, Onset, Pattern, Radiation, Skin, Symptom, Vocabulary};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One person's answers to the screening questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

    /// Read an intake from answers given one question at a time, as
    /// strictly as from JSON: a field not given takes its default, a
    /// required one not given is refused, and an error names the field.
    pub fn from_answers<'a>(
        answers: impl IntoIterator<Item = (Field, Answer<'a>)>,
    ) -> Result<Self, IntakeError> {
        let mut json = serde_json::Map::new();
        for (field, answer) in answers {
            let value = match answer {
                Answer::Number(n) => serde_json::Value::from(n),
                Answer::YesNo(b) => serde_json::Value::from(b),
                Answer::Word(w) => serde_json::Value::from(w),
                Answer::Words(words) => serde_json::Value::from(words),
            };
            match field.path().split_once('.') {
                None => {
                    json.insert(field.path().to_owned(), value);
                }
                Some((outer, inner)) => {
                    // Only these paths nest, and always into an object.
                    let nested =
                        json.entry(outer).or_insert_with(|| serde_json::Value::Object(Default::default()));
                    if let serde_json::Value::Object(nested) = nested {
                        nested.insert(inner.to_owned(), value);
                    }
                }
            }
        }
        Self::from_json(&serde_json::Value::Object(json).to_string())
    }

    /// Every field's answer, in the order of [`Field::ALL`]. The intake is
    /// taken apart whole: a field added to it does not compile here until
    /// it is a [`Field`] too.
    pub fn answers(&self) -> Vec<(Field, Answer<'static>)> {
        let Intake {
            age_years,
            pain,
            symptoms,
            history,
            skin_at_site,
            equipment,
            helper_available,
            clinician_cleared,
        } = self;
        let Pain { intensity, duration_days, onset, after_trauma, character, pattern, radiates_to } = pain;
        fn words<V: Vocabulary>(set: &BTreeSet<V>) -> Answer<'static> {
            Answer::Words(set.iter().map(|v| v.as_str()).collect())
        }
        vec![
            (Field::AgeYears, Answer::Number(age_years.get().into())),
            (Field::Intensity, Answer::Number(intensity.get().into())),
            (Field::DurationDays, Answer::Number(duration_days.get().into())),
            (Field::Onset, Answer::Word(onset.as_str())),
            (Field::AfterTrauma, Answer::YesNo(*after_trauma)),
            (Field::Character, words(character)),
            (Field::Pattern, words(pattern)),
            (Field::RadiatesTo, words(radiates_to)),
            (Field::Symptoms, words(symptoms)),
            (Field::History, words(history)),
            (Field::SkinAtSite, words(skin_at_site)),
            (Field::Equipment, words(equipment)),
            (Field::HelperAvailable, Answer::YesNo(*helper_available)),
            (Field::ClinicianCleared, Answer::YesNo(*clinician_cleared)),
        ]
    }
}

/// One answer to one question, before it is read as part of an intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<'a> {
    /// A whole number.
    Number(i64),
    /// Yes or no.
    YesNo(bool),
    /// One word of a list.
    Word(&'a str),
    /// Any number of words of a list.
    Words(Vec<&'a str>),
}

/// A field of intake v1: what one question fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// `age_years`.
    AgeYears,
    /// `pain.intensity`.
    Intensity,
    /// `pain.duration_days`.
    DurationDays,
    /// `pain.onset`.
    Onset,
    /// `pain.after_trauma`.
    AfterTrauma,
    /// `pain.character`.
    Character,
    /// `pain.pattern`.
    Pattern,
    /// `pain.radiates_to`.
    RadiatesTo,
    /// `symptoms`.
    Symptoms,
    /// `history`.
    History,
    /// `skin_at_site`.
    SkinAtSite,
    /// `equipment`.
    Equipment,
    /// `helper_available`.
    HelperAvailable,
    /// `clinician_cleared`.
    ClinicianCleared,
}

/// What kind of answer a field takes, with the values intake v1 allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A whole number from `min` to `max`.
    Number {
        /// The smallest allowed.
        min: i64,
        /// The largest allowed.
        max: i64,
    },
    /// Yes or no.
    YesNo,
    /// One of these words.
    OneOf(Vec<&'static str>),
    /// Any number of these words.
    AnyOf(Vec<&'static str>),
}

/// When a question is put to the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Before the result: the screening proper.
    Screening,
    /// Before a plan: what they have and who is with them (the planner's kit).
    Kit,
    /// Only after a result that a clinician's clearance would lift.
    Clearance,
}

impl Field {
    /// Every field, in the order of the contract.
    pub const ALL: [Field; 14] = [
        Field::AgeYears,
        Field::Intensity,
        Field::DurationDays,
        Field::Onset,
        Field::AfterTrauma,
        Field::Character,
        Field::Pattern,
        Field::RadiatesTo,
        Field::Symptoms,
        Field::History,
        Field::SkinAtSite,
        Field::Equipment,
        Field::HelperAvailable,
        Field::ClinicianCleared,
    ];

    /// Its path in intake JSON, e.g. `pain.intensity`.
    pub fn path(self) -> &'static str {
        match self {
            Field::AgeYears => "age_years",
            Field::Intensity => "pain.intensity",
            Field::DurationDays => "pain.duration_days",
            Field::Onset => "pain.onset",
            Field::AfterTrauma => "pain.after_trauma",
            Field::Character => "pain.character",
            Field::Pattern => "pain.pattern",
            Field::RadiatesTo => "pain.radiates_to",
            Field::Symptoms => "symptoms",
            Field::History => "history",
            Field::SkinAtSite => "skin_at_site",
            Field::Equipment => "equipment",
            Field::HelperAvailable => "helper_available",
            Field::ClinicianCleared => "clinician_cleared",
        }
    }

    /// Its name without the `pain.` part, e.g. `intensity`: what a form calls it.
    pub fn name(self) -> &'static str {
        self.path().rsplit('.').next().unwrap_or_default()
    }

    /// The field at a path.
    pub fn parse(path: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.path() == path)
    }

    /// All paths, comma-separated, for error messages.
    pub fn allowed() -> String {
        Field::ALL.map(Field::path).join(", ")
    }

    /// The kind of answer it takes.
    pub fn shape(self) -> Shape {
        fn words<V: Vocabulary>() -> Vec<&'static str> {
            V::ALL.iter().map(|v| v.as_str()).collect()
        }
        let number = |min: i64, max: i64| Shape::Number { min, max };
        match self {
            Field::AgeYears => number(Age::MIN.into(), Age::MAX.into()),
            Field::Intensity => number(PainScore::MIN.into(), PainScore::MAX.into()),
            Field::DurationDays => number(DurationDays::MIN.into(), DurationDays::MAX.into()),
            Field::Onset => Shape::OneOf(words::<Onset>()),
            Field::AfterTrauma | Field::HelperAvailable | Field::ClinicianCleared => Shape::YesNo,
            Field::Character => Shape::AnyOf(words::<Character>()),
            Field::Pattern => Shape::AnyOf(words::<Pattern>()),
            Field::RadiatesTo => Shape::AnyOf(words::<Radiation>()),
            Field::Symptoms => Shape::AnyOf(words::<Symptom>()),
            Field::History => Shape::AnyOf(words::<History>()),
            Field::SkinAtSite => Shape::AnyOf(words::<Skin>()),
            Field::Equipment => Shape::AnyOf(words::<Equipment>()),
        }
    }

    /// When it is asked.
    pub fn stage(self) -> Stage {
        match self {
            Field::Equipment | Field::HelperAvailable => Stage::Kit,
            Field::ClinicianCleared => Stage::Clearance,
            _ => Stage::Screening,
        }
    }
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.path())
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
