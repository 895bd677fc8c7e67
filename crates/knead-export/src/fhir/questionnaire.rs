//! The screening as a FHIR R4 `Questionnaire` (intake v1) and each
//! screening as a `QuestionnaireResponse` to it.
//!
//! One question per intake field, its `linkId` the field's path in intake
//! JSON (`pain.intensity`). The answer options of each list come from
//! knead-core's vocabulary (`Vocabulary::ALL`), coded in a code system per
//! list under [`CANONICAL_BASE`](super::CANONICAL_BASE), so a word added to
//! the vocabulary is offered here without a change. The answers are read
//! from an [`Intake`] by destructuring it whole: a field added to the intake
//! does not compile here until it has a question.
//!
//! The screening's result (its disposition) rides along as an extension of
//! the response, since R4 has no element for it.

use super::{CANONICAL_BASE, entry, id};
use crate::csv::timestamp;
use knead_core::intake::{Intake, Pain};
use knead_core::records::ScreeningRecord;
use knead_core::units::{Age, DurationDays, PainScore};
use knead_core::vocab::{
    Character, Equipment, History, Onset, Pattern, Radiation, Skin, Symptom, Vocabulary,
};
use serde_json::{Value, json};

/// The canonical URL of the screening Questionnaire.
pub const QUESTIONNAIRE_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/fhir/Questionnaire/knead-intake");

/// Its version: the intake contract's version.
pub const QUESTIONNAIRE_VERSION: &str = "1";

/// The extension that carries a screening's disposition.
const DISPOSITION_EXTENSION: &str =
    concat!(env!("CARGO_PKG_REPOSITORY"), "/fhir/StructureDefinition/screening-disposition");

/// One question.
struct Question {
    link_id: &'static str,
    text: &'static str,
    kind: Kind,
}

/// What kind of answer a question takes.
enum Kind {
    /// A whole number in a range.
    Integer { min: i64, max: i64 },
    /// Yes or no.
    Boolean,
    /// Words from a vocabulary: one, or (`repeats`) any number.
    Choice { system: &'static str, words: fn() -> Vec<&'static str>, repeats: bool },
}

/// The spellings of a vocabulary, for a [`Kind::Choice`].
fn words<V: Vocabulary>() -> Vec<&'static str> {
    V::ALL.iter().map(|v| v.as_str()).collect()
}

const AGE: Question = Question {
    link_id: "age_years",
    text: "How old are you, in whole years?",
    kind: Kind::Integer { min: Age::MIN as i64, max: Age::MAX as i64 },
};
const INTENSITY: Question = Question {
    link_id: "pain.intensity",
    text: "How bad is the pain now (0 = none, 10 = worst)?",
    kind: Kind::Integer { min: PainScore::MIN as i64, max: PainScore::MAX as i64 },
};
const DURATION: Question = Question {
    link_id: "pain.duration_days",
    text: "How many days ago did this pain begin?",
    kind: Kind::Integer { min: DurationDays::MIN as i64, max: DurationDays::MAX as i64 },
};
const ONSET: Question = Question {
    link_id: "pain.onset",
    text: "How did it begin?",
    kind: Kind::Choice { system: "intake-onset", words: words::<Onset>, repeats: false },
};
const TRAUMA: Question = Question {
    link_id: "pain.after_trauma",
    text: "Did it begin after a fall, blow, accident or injury?",
    kind: Kind::Boolean,
};
const CHARACTER: Question = Question {
    link_id: "pain.character",
    text: "How does the pain feel?",
    kind: Kind::Choice { system: "intake-character", words: words::<Character>, repeats: true },
};
const PATTERN: Question = Question {
    link_id: "pain.pattern",
    text: "How does the pain behave?",
    kind: Kind::Choice { system: "intake-pattern", words: words::<Pattern>, repeats: true },
};
const RADIATION: Question = Question {
    link_id: "pain.radiates_to",
    text: "Does the pain spread anywhere?",
    kind: Kind::Choice { system: "intake-radiation", words: words::<Radiation>, repeats: true },
};
const SYMPTOMS: Question = Question {
    link_id: "symptoms",
    text: "Do you have any of these now?",
    kind: Kind::Choice { system: "intake-symptom", words: words::<Symptom>, repeats: true },
};
const HISTORY: Question = Question {
    link_id: "history",
    text: "Do any of these apply to you?",
    kind: Kind::Choice { system: "intake-history", words: words::<History>, repeats: true },
};
const SKIN: Question = Question {
    link_id: "skin_at_site",
    text: "Is any of this on the skin where you would massage?",
    kind: Kind::Choice { system: "intake-skin", words: words::<Skin>, repeats: true },
};
const EQUIPMENT: Question = Question {
    link_id: "equipment",
    text: "What do you have to massage with (hands need nothing)?",
    kind: Kind::Choice { system: "intake-equipment", words: words::<Equipment>, repeats: true },
};
const HELPER: Question =
    Question { link_id: "helper_available", text: "Can someone help with the massage?", kind: Kind::Boolean };
const CLEARED: Question = Question {
    link_id: "clinician_cleared",
    text: "Has a clinician assessed this pain and said self-massage is fine?",
    kind: Kind::Boolean,
};

/// Every question, in the order asked.
const QUESTIONS: [&Question; 14] = [
    &AGE, &INTENSITY, &DURATION, &ONSET, &TRAUMA, &CHARACTER, &PATTERN, &RADIATION, &SYMPTOMS, &HISTORY,
    &SKIN, &EQUIPMENT, &HELPER, &CLEARED,
];

/// An intake's answer to one question.
enum Answer {
    Integer(i64),
    Boolean(bool),
    Words(Vec<&'static str>),
}

/// Every answer of an intake, with its question.
fn answers(intake: &Intake) -> Vec<(&'static Question, Answer)> {
    let Intake {
        age_years,
        pain,
        symptoms,
        history,
        skin_at_site,
        equipment,
        helper_available,
        clinician_cleared,
    } = intake;
    let Pain { intensity, duration_days, onset, after_trauma, character, pattern, radiates_to } = pain;
    fn list<V: Vocabulary>(set: &std::collections::BTreeSet<V>) -> Answer {
        Answer::Words(set.iter().map(|v| v.as_str()).collect())
    }
    vec![
        (&AGE, Answer::Integer(i64::from(age_years.get()))),
        (&INTENSITY, Answer::Integer(i64::from(intensity.get()))),
        (&DURATION, Answer::Integer(i64::from(duration_days.get()))),
        (&ONSET, Answer::Words(vec![onset.as_str()])),
        (&TRAUMA, Answer::Boolean(*after_trauma)),
        (&CHARACTER, list(character)),
        (&PATTERN, list(pattern)),
        (&RADIATION, list(radiates_to)),
        (&SYMPTOMS, list(symptoms)),
        (&HISTORY, list(history)),
        (&SKIN, list(skin_at_site)),
        (&EQUIPMENT, list(equipment)),
        (&HELPER, Answer::Boolean(*helper_available)),
        (&CLEARED, Answer::Boolean(*clinician_cleared)),
    ]
}

/// A vocabulary word as a FHIR `Coding` in the list's code system.
fn coding(system: &str, word: &str) -> Value {
    json!({
        "system": format!("{CANONICAL_BASE}/CodeSystem/{system}"),
        "code": word,
        "display": word.replace('_', " "),
    })
}

/// The screening questions as a FHIR R4 `Questionnaire` resource.
pub fn questionnaire() -> Value {
    let items: Vec<Value> = QUESTIONS
        .iter()
        .map(|q| {
            let mut item = json!({ "linkId": q.link_id, "text": q.text });
            match &q.kind {
                Kind::Integer { min, max } => {
                    item["type"] = json!("integer");
                    item["required"] = json!(true);
                    item["extension"] = json!([
                        { "url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": min },
                        { "url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": max },
                    ]);
                }
                Kind::Boolean => item["type"] = json!("boolean"),
                Kind::Choice { system, words, repeats } => {
                    item["type"] = json!("choice");
                    item["repeats"] = json!(repeats);
                    item["answerOption"] =
                        words().into_iter().map(|w| json!({ "valueCoding": coding(system, w) })).collect();
                }
            }
            item
        })
        .collect();
    json!({
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE_URL,
        "version": QUESTIONNAIRE_VERSION,
        "name": "KneadIntake",
        "title": "Knead: screening before self-massage for middle back pain",
        "status": "draft",
        "subjectType": ["Patient"],
        "description": "The questions Knead asks before any self-massage, to find warning signs. \
            Not clinically validated.",
        "item": items,
    })
}

/// The Questionnaire as a bundle entry.
pub(super) fn questionnaire_entry() -> Value {
    entry(id(QUESTIONNAIRE_URL), questionnaire())
}

/// A screening as a `QuestionnaireResponse` entry about `patient_reference`.
/// A list answered with nothing ticked has no item (FHIR allows no empty
/// answers).
pub(super) fn response(screening: &ScreeningRecord, patient_reference: &str) -> Value {
    let items: Vec<Value> = answers(&screening.intake)
        .into_iter()
        .filter_map(|(question, answer)| {
            let values: Vec<Value> = match (answer, &question.kind) {
                (Answer::Integer(n), _) => vec![json!({ "valueInteger": n })],
                (Answer::Boolean(b), _) => vec![json!({ "valueBoolean": b })],
                (Answer::Words(words), Kind::Choice { system, .. }) => {
                    words.into_iter().map(|w| json!({ "valueCoding": coding(system, w) })).collect()
                }
                (Answer::Words(words), _) => words.into_iter().map(|w| json!({ "valueString": w })).collect(),
            };
            (!values.is_empty())
                .then(|| json!({ "linkId": question.link_id, "text": question.text, "answer": values }))
        })
        .collect();
    entry(
        id(&format!("knead/screening/{}", screening.id)),
        json!({
            "resourceType": "QuestionnaireResponse",
            "questionnaire": format!("{QUESTIONNAIRE_URL}|{QUESTIONNAIRE_VERSION}"),
            "status": "completed",
            "subject": { "reference": patient_reference },
            "authored": timestamp(screening.at),
            "extension": [{
                "url": DISPOSITION_EXTENSION,
                "valueCode": screening.disposition.as_str(),
            }],
            "item": items,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_question_is_asked_once() {
        let mut ids: Vec<&str> = QUESTIONS.iter().map(|q| q.link_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), QUESTIONS.len());
    }
}
