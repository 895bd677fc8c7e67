//! The screening questions, one per screen, building an intake v1: the same
//! intake `knead check` reads from a file.
//!
//! The questions and their words are the content pack's
//! (`questionnaire.toml`), the same the web form and the FHIR Questionnaire
//! ask, each as a prompt with the question's text as its message. Only the
//! keys to press are the terminal's own.

use inquire::validator::Validation;
use inquire::{Confirm, CustomType, MultiSelect, Select};
use knead_core::intake::{Answer, Field, Intake, Stage};
use knead_core::labels::Label;
use knead_core::pack::{Choice, Kind, Question, Questionnaire};
use knead_core::units::PainScore;
use knead_core::vocab::{Region, Symptom, Vocabulary};
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

/// Columns kept free beside a prompt's message: inquire's `? ` before it,
/// and the hint (`(y/N)`) and the answer after its last line.
const PROMPT_ROOM: usize = 10;

/// A prompt's message, broken between words where the terminal is too
/// narrow for it (inquire would break it at the edge, mid-word); lines
/// after the first line up under its first word.
fn message(text: &str) -> String {
    fit(text, PROMPT_ROOM, "  ")
}

/// A prompt's help, broken between words (inquire puts it in brackets).
fn help_text(text: &str) -> String {
    fit(text, 2, " ")
}

/// `text` in lines as wide as the terminal less `room`, between words.
fn fit(text: &str, room: usize, rest: &str) -> String {
    match crate::text::columns() {
        Some(columns) => {
            crate::text::wrap_to(columns.saturating_sub(room).max(20), text, "", rest).trim_end().to_owned()
        }
        None => text.to_owned(),
    }
}

/// Ask one question of the pack: its text is the prompt's message, its help
/// the hint; the answer as the intake takes it.
fn ask_one(question: &Question) -> Result<Answer<'_>, Cancelled> {
    let text = message(&question.text);
    let help = question.help.as_deref().map(help_text);
    let (text, help) = (text.as_str(), help.as_deref());
    Ok(match &question.kind {
        Kind::Number { min, max } => Answer::Number(number(text, help, *min, *max).prompt()?),
        Kind::YesNo => {
            let mut confirm = Confirm::new(text).with_default(false);
            if let Some(help) = help {
                confirm = confirm.with_help_message(help);
            }
            Answer::YesNo(confirm.prompt()?)
        }
        Kind::OneOf(choices) => {
            let mut select = Select::new(text, choices.iter().collect());
            if let Some(help) = help {
                select = select.with_help_message(help);
            }
            Answer::Word(select.prompt()?.word)
        }
        Kind::AnyOf(choices) => {
            Answer::Words(pick(text, help, choices.iter().collect())?.into_iter().map(|c| c.word).collect())
        }
    })
}

/// Any number of `options`, with the keys to press after the help.
fn pick<T: fmt::Display>(text: &str, help: Option<&str>, options: Vec<T>) -> Result<Vec<T>, Cancelled> {
    let keys = help_text(&help.map_or_else(|| PICK.to_owned(), |help| format!("{help} {PICK}")));
    let text = message(text);
    Ok(MultiSelect::new(&text, options).with_help_message(&keys).with_page_size(10).prompt()?)
}

fn number<'a>(text: &'a str, help: Option<&'a str>, min: i64, max: i64) -> CustomType<'a, i64> {
    let prompt = CustomType::<i64>::new(text)
        .with_error_message("Please type a whole number.")
        .with_validator(move |v: &i64| {
            Ok(if (min..=max).contains(v) {
                Validation::Valid
            } else {
                Validation::Invalid(format!("Please give a number from {min} to {max}.").into())
            })
        });
    match help {
        Some(help) => prompt.with_help_message(help),
        None => prompt,
    }
}

/// A 0-10 pain score, asked as `text` with the pain question's scale as
/// help (the same scale in the same words as the screening asks it).
pub fn pain(
    questionnaire: &Questionnaire,
    text: &str,
    default: Option<PainScore>,
) -> Result<PainScore, Cancelled> {
    let scale = questionnaire.question(Field::Intensity);
    let (text, help) = (message(text), scale.help.as_deref().map(help_text));
    let mut prompt = number(&text, help.as_deref(), PainScore::MIN.into(), PainScore::MAX.into());
    if let Some(d) = default {
        prompt = prompt.with_default(d.get().into());
    }
    PainScore::new(prompt.prompt()?).map_err(|e| Cancelled::Terminal(e.to_string()))
}

/// Where the pain is.
pub fn region() -> Result<Region, Cancelled> {
    let options: Vec<Shown<Region>> = Region::ALL.iter().copied().map(Shown).collect();
    Ok(Select::new("Where is the pain?", options).prompt()?.0)
}

/// Ask the screening and the kit questions, in the pack's order, and build
/// the intake. A clinician's clearance is asked later, and only when it
/// would change the result (see `start`).
pub fn ask(questionnaire: &Questionnaire) -> Result<Intake, Cancelled> {
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
    let mut answers = Vec::new();
    for question in questionnaire.questions().iter().filter(|q| q.field.stage() != Stage::Clearance) {
        answers.push((question.field, ask_one(question)?));
    }
    Intake::from_answers(answers).map_err(|e| Cancelled::Terminal(e.to_string()))
}

/// Whether a clinician has already cleared this back pain: the pack's question.
pub fn cleared(questionnaire: &Questionnaire) -> Result<bool, Cancelled> {
    let answer = ask_one(questionnaire.question(Field::ClinicianCleared))?;
    Ok(answer == Answer::YesNo(true))
}

/// Warning signs that may have appeared during a session, in the pack's words.
pub fn anything_new(questionnaire: &Questionnaire) -> Result<BTreeSet<Symptom>, Cancelled> {
    let signs: Vec<&Choice> = questionnaire.warning_signs().collect();
    let picked = pick("Anything new since you started? Pick any that you notice now.", None, signs)?;
    Ok(picked.into_iter().filter_map(|c| Symptom::parse(c.word)).collect())
}

/// The global rating of change, -3 to +3.
pub fn change() -> Result<knead_core::units::ChangeRating, Cancelled> {
    let labels: Vec<&str> = (-3..=3).rev().map(knead_core::labels::change).collect();
    let picked =
        Select::new("Since you started, your back is…", labels.clone()).with_starting_cursor(3).prompt()?;
    let value = 3 - labels.iter().position(|l| *l == picked).map_or(3, |p| i64::try_from(p).unwrap_or(3));
    knead_core::units::ChangeRating::new(value).map_err(|e| Cancelled::Terminal(e.to_string()))
}
