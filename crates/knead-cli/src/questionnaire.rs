//! The screening questions in plain language, a few per screen, building an
//! intake v1: the same intake `knead check` reads from a file.

use inquire::validator::Validation;
use inquire::{Confirm, CustomType, MultiSelect, Select};
use knead_core::intake::{Intake, Pain};
use knead_core::labels::Label;
use knead_core::units::{Age, DurationDays, PainScore};
use knead_core::vocab::{
    Character, Equipment, History, Onset, Pattern, Radiation, Region, Skin, Symptom, Vocabulary,
};
use std::collections::BTreeSet;
use std::fmt;

/// Why the questions did not finish.
#[derive(Debug, thiserror::Error)]
pub enum Cancelled {
    /// The person pressed Esc or Ctrl-C.
    #[error("cancelled; nothing was saved")]
    ByPerson,
    /// The terminal could not ask.
    #[error("{0}")]
    Terminal(String),
}

impl From<inquire::InquireError> for Cancelled {
    fn from(e: inquire::InquireError) -> Self {
        match e {
            inquire::InquireError::OperationCanceled | inquire::InquireError::OperationInterrupted => {
                Cancelled::ByPerson
            }
            inquire::InquireError::NotTTY => Cancelled::Terminal(
                "knead start needs an interactive terminal; scripts can use knead check, plan and log"
                    .to_owned(),
            ),
            other => Cancelled::Terminal(other.to_string()),
        }
    }
}

/// A word shown by its label.
#[derive(Clone, Copy)]
struct Shown<V>(V);

impl<V: Label + Copy> fmt::Display for Shown<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.label())
    }
}

const PICK: &str = "↑↓ to move, space to select, enter when done (none is fine)";

fn pick<V: Vocabulary + Label>(question: &str, only: &[V]) -> Result<BTreeSet<V>, Cancelled> {
    let options: Vec<Shown<V>> = only.iter().copied().map(Shown).collect();
    let picked = MultiSelect::new(question, options).with_help_message(PICK).with_page_size(10).prompt()?;
    Ok(picked.into_iter().map(|s| s.0).collect())
}

fn number(question: &str, help: &str, max: i64, default: Option<i64>) -> Result<i64, Cancelled> {
    let mut prompt = CustomType::<i64>::new(question)
        .with_help_message(help)
        .with_error_message("Please type a whole number.")
        .with_validator(move |v: &i64| {
            Ok(if (0..=max).contains(v) {
                Validation::Valid
            } else {
                Validation::Invalid(format!("Please give a number from 0 to {max}.").into())
            })
        });
    if let Some(d) = default {
        prompt = prompt.with_default(d);
    }
    Ok(prompt.prompt()?)
}

/// A 0-10 pain score.
pub fn pain(question: &str, default: Option<PainScore>) -> Result<PainScore, Cancelled> {
    let v = number(
        question,
        "0 = no pain, 10 = the worst pain you can imagine",
        10,
        default.map(|p| p.get().into()),
    )?;
    PainScore::new(v).map_err(|e| Cancelled::Terminal(e.to_string()))
}

/// Where the pain is.
pub fn region() -> Result<Region, Cancelled> {
    let options: Vec<Shown<Region>> = Region::ALL.iter().copied().map(Shown).collect();
    Ok(Select::new("Where is the pain?", options).prompt()?.0)
}

/// Ask everything and build the intake.
pub fn ask() -> Result<Intake, Cancelled> {
    println!();
    print!(
        "{}",
        crate::text::wrap(
            "A few questions first. They look for signs that your back pain needs a doctor rather than a \
             massage. Answer for how things are now. Esc cancels at any time; nothing is saved until the end.",
            "",
            ""
        )
    );
    println!();

    let age = number("How old are you?", "In whole years", i64::from(Age::MAX), None)?;
    let intensity = pain("How bad is your back pain right now, from 0 to 10?", None)?;
    let days = number(
        "How many days ago did this pain start?",
        "0 = today, 7 = a week ago, 30 = about a month",
        i64::from(DurationDays::MAX),
        None,
    )?;
    let onset =
        Select::new("How did it start?", vec!["Gradually, over hours or days", "Suddenly, all at once"])
            .prompt()?;
    let after_trauma = Confirm::new("Did it start after a fall, a blow, an accident or another injury?")
        .with_default(false)
        .prompt()?;

    let character = pick("How does the pain feel?", Character::ALL)?;
    let pattern = pick("How does the pain behave?", Pattern::ALL)?;
    let radiates_to = pick("Does the pain spread anywhere?", Radiation::ALL)?;

    let body_signs = [
        Symptom::ChestPain,
        Symptom::ShortnessOfBreath,
        Symptom::Sweating,
        Symptom::NauseaVomiting,
        Symptom::Lightheaded,
        Symptom::Fever,
        Symptom::Chills,
        Symptom::UnexplainedWeightLoss,
        Symptom::NightSweats,
        Symptom::Cough,
    ];
    let nerve_signs: Vec<Symptom> =
        Symptom::ALL.iter().copied().filter(|s| !body_signs.contains(s)).collect();
    let mut symptoms = pick("Do you have any of these right now?", &body_signs)?;
    symptoms.extend(pick("And any of these?", &nerve_signs)?);

    let history = pick("Does any of this apply to you?", History::ALL)?;
    let skin_at_site = pick("Is there anything on the skin where you want to massage?", Skin::ALL)?;
    let equipment = pick("What do you have? (Your hands need nothing.)", Equipment::ALL)?;
    let helper_available =
        Confirm::new("Is someone with you who could help with the massage?").with_default(false).prompt()?;

    let bad = |e: knead_core::units::OutOfRange| Cancelled::Terminal(e.to_string());
    Ok(Intake {
        age_years: Age::new(age).map_err(bad)?,
        pain: Pain {
            intensity,
            duration_days: DurationDays::new(days).map_err(bad)?,
            onset: if onset.starts_with("Sudden") { Onset::Sudden } else { Onset::Gradual },
            after_trauma,
            character,
            pattern,
            radiates_to,
        },
        symptoms,
        history,
        skin_at_site,
        equipment,
        helper_available,
        clinician_cleared: false,
    })
}

/// Warning signs that may have appeared during a session.
pub fn anything_new() -> Result<BTreeSet<Symptom>, Cancelled> {
    let signs: Vec<Symptom> = Symptom::ALL.iter().copied().filter(|s| *s != Symptom::Cough).collect();
    pick("Anything new since you started? Pick any that you notice now.", &signs)
}

/// The global rating of change, -3 to +3.
pub fn change() -> Result<knead_core::units::ChangeRating, Cancelled> {
    let labels: Vec<&str> = (-3..=3).rev().map(knead_core::labels::change).collect();
    let picked =
        Select::new("Since you started, your back is…", labels.clone()).with_starting_cursor(3).prompt()?;
    let value = 3 - labels.iter().position(|l| *l == picked).map_or(3, |p| i64::try_from(p).unwrap_or(3));
    knead_core::units::ChangeRating::new(value).map_err(|e| Cancelled::Terminal(e.to_string()))
}
