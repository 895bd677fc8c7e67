//! The screening as a FHIR R4 `Questionnaire` (intake v1) and each
//! screening as a `QuestionnaireResponse` to it.
//!
//! The questions, their order, wording, hints and answer labels are the
//! content pack's ([`knead_core::pack::Questionnaire`]), the same the
//! terminal and the web form ask. One item per intake field, its `linkId`
//! the field's path in intake JSON (`pain.intensity`); a hint is a `display`
//! item inside it, shown as help. The words of each list are coded in a code
//! system per list under [`CANONICAL_BASE`](super::CANONICAL_BASE), with the
//! pack's label as their display. The answers are read from an intake
//! through [`Intake::answers`](knead_core::intake::Intake::answers), which
//! takes it apart whole.
//!
//! The screening's result (its disposition) rides along as an extension of
//! the response, since R4 has no element for it.

use super::{CANONICAL_BASE, entry, id};
use crate::csv::timestamp;
use knead_core::intake::{Answer, Field};
use knead_core::pack::{Kind, Question, Questionnaire};
use knead_core::records::ScreeningRecord;
use knead_core::vocab::Vocabulary;
use serde_json::{Value, json};

/// The canonical URL of the screening Questionnaire.
pub const QUESTIONNAIRE_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/fhir/Questionnaire/knead-intake");

/// Its version: the intake contract's version.
pub const QUESTIONNAIRE_VERSION: &str = "1";

/// The extension that carries a screening's disposition.
const DISPOSITION_EXTENSION: &str =
    concat!(env!("CARGO_PKG_REPOSITORY"), "/fhir/StructureDefinition/screening-disposition");

/// The code system of a list field's words, named after its list (part of
/// each coding's canonical URL: a name changed here changes every export).
/// Only a list field has one.
fn system(field: Field) -> Option<&'static str> {
    Some(match field {
        Field::Onset => "intake-onset",
        Field::Character => "intake-character",
        Field::Pattern => "intake-pattern",
        Field::RadiatesTo => "intake-radiation",
        Field::Symptoms => "intake-symptom",
        Field::History => "intake-history",
        Field::SkinAtSite => "intake-skin",
        Field::Equipment => "intake-equipment",
        Field::AgeYears
        | Field::Intensity
        | Field::DurationDays
        | Field::AfterTrauma
        | Field::HelperAvailable
        | Field::ClinicianCleared => return None,
    })
}

/// One of a question's words as a FHIR `Coding`, its label as display.
fn coding(question: &Question, word: &str) -> Value {
    let system = system(question.field)
        .unwrap_or_else(|| unreachable!("only a list's words are answered with a word, and coded"));
    json!({
        "system": format!("{CANONICAL_BASE}/CodeSystem/{system}"),
        "code": word,
        "display": question.label(word),
    })
}

/// The pack's screening questions as a FHIR R4 `Questionnaire` resource.
pub fn questionnaire(questionnaire: &Questionnaire) -> Value {
    let items: Vec<Value> = questionnaire.questions().iter().map(item).collect();
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

/// One question as a Questionnaire item.
fn item(q: &Question) -> Value {
    let mut item = json!({ "linkId": q.field.path(), "text": q.text });
    match &q.kind {
        Kind::Number { min, max } => {
            item["type"] = json!("integer");
            item["required"] = json!(true);
            item["extension"] = json!([
                { "url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": min },
                { "url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": max },
            ]);
        }
        Kind::YesNo => item["type"] = json!("boolean"),
        Kind::OneOf(choices) | Kind::AnyOf(choices) => {
            item["type"] = json!("choice");
            item["repeats"] = json!(matches!(q.kind, Kind::AnyOf(_)));
            item["answerOption"] =
                choices.iter().map(|c| json!({ "valueCoding": coding(q, c.word) })).collect();
        }
    }
    if let Some(help) = &q.help {
        item["item"] = json!([{
            "linkId": format!("{}.help", q.field.path()),
            "text": help,
            "type": "display",
            "extension": [{
                "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl",
                "valueCodeableConcept": { "coding": [{
                    "system": "http://hl7.org/fhir/questionnaire-item-control",
                    "code": "help",
                }] },
            }],
        }]);
    }
    item
}

/// The Questionnaire as a bundle entry.
pub(super) fn questionnaire_entry(questionnaire: &Questionnaire) -> Value {
    entry(id(QUESTIONNAIRE_URL), self::questionnaire(questionnaire))
}

/// A screening as a `QuestionnaireResponse` entry about `patient_reference`,
/// to the pack's questions. A list answered with nothing ticked has no item
/// (FHIR allows no empty answers).
pub(super) fn response(
    questionnaire: &Questionnaire,
    screening: &ScreeningRecord,
    patient_reference: &str,
) -> Value {
    let items: Vec<Value> = screening
        .intake
        .answers()
        .into_iter()
        .filter_map(|(field, answer)| {
            let question = questionnaire.question(field);
            let values: Vec<Value> = match answer {
                Answer::Number(n) => vec![json!({ "valueInteger": n })],
                Answer::YesNo(b) => vec![json!({ "valueBoolean": b })],
                Answer::Word(w) => vec![json!({ "valueCoding": coding(question, w) })],
                Answer::Words(words) => {
                    words.into_iter().map(|w| json!({ "valueCoding": coding(question, w) })).collect()
                }
            };
            (!values.is_empty())
                .then(|| json!({ "linkId": field.path(), "text": question.text, "answer": values }))
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
