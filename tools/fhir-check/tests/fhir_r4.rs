//! The FHIR export read into an independent FHIR R4 model (fhirbolt, strict
//! mode: an element R4 does not have, or a value of the wrong type, is an
//! error) and written back unchanged, so nothing was silently dropped.
//!
//! A package of its own, outside the workspace: fhirbolt turns on
//! serde_json's `preserve_order` and `arbitrary_precision`, which Cargo
//! would otherwise unify into every crate's test build.

#![allow(clippy::unwrap_used)]

#[path = "../../../crates/knead-export/tests/export/fixture.rs"]
#[allow(dead_code)]
mod fixture;

use fhirbolt::model::r4::Resource;
use fhirbolt::model::r4::resources::{Bundle, ObservationValue, QuestionnaireResponseItemAnswerValue};
use knead_export::fhir::{self, BundleInput, ProgramPeriod};
use serde_json::{Value, json};

const PATIENT: &str = "Patient/example-123";

fn bundle() -> Value {
    fhir::pain_observations(&fixture::sessions(), PATIENT)
}

/// The whole journal: Questionnaire, QuestionnaireResponses, CarePlan,
/// Observations and Communications.
fn journal_bundle() -> Value {
    let journal = fixture::journal();
    let program = fixture::program();
    let messages = fixture::messages();
    let pack = knead_core::pack::ContentPack::builtin().unwrap();
    let input = BundleInput {
        journal: &journal,
        patient_reference: PATIENT,
        questionnaire: &pack.questionnaire,
        program: Some(ProgramPeriod { program: &program, start: fixture::program_start() }),
        messages: &messages,
    };
    fhir::journal_bundle(&input)
}

/// Reads the bundle's text, as a receiving system would, into fhirbolt's R4
/// model. Through its `Resource` enum: reading straight into `Bundle` trips
/// over a fhirbolt 0.4.0 bug (an entry after one with a resource fails with
/// "expected Uri"), while `Resource` reads the same JSON correctly.
fn r4(value: &Value) -> Result<Bundle, String> {
    match fhirbolt::json::from_str::<Resource>(&value.to_string(), None) {
        Ok(Resource::Bundle(bundle)) => Ok(*bundle),
        Ok(other) => Err(format!("not a Bundle: {other:?}")),
        Err(error) => Err(error.to_string()),
    }
}

#[test]
fn the_bundle_is_a_valid_r4_bundle_and_nothing_is_lost_reading_it() {
    let ours = bundle();
    let bundle = r4(&ours).unwrap();
    assert_eq!(bundle.r#type.value.as_deref(), Some("collection"));
    assert_eq!(bundle.entry.len(), 7);
    let text = fhirbolt::json::to_string(&Resource::Bundle(Box::new(bundle)), None).unwrap();
    let back: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, ours, "the R4 model read something other than what was written");
}

#[test]
fn the_r4_model_reads_each_observation_as_an_integer_pain_score() {
    let bundle = r4(&bundle()).unwrap();
    // Four sessions; the last has no "after" score.
    assert_eq!(bundle.entry.len(), 7);
    let scores: Vec<i32> = bundle
        .entry
        .iter()
        .map(|entry| match entry.resource.as_ref().unwrap() {
            Resource::Observation(o) => {
                assert_eq!(o.status.value.as_deref(), Some("final"));
                assert_eq!(o.code.coding[0].code.as_ref().unwrap().value.as_deref(), Some("72514-3"));
                assert_eq!(
                    o.code.coding[0].system.as_ref().unwrap().value.as_deref(),
                    Some("http://loinc.org")
                );
                assert_eq!(o.category[0].coding[0].code.as_ref().unwrap().value.as_deref(), Some("survey"));
                assert_eq!(
                    o.subject.as_ref().unwrap().reference.as_ref().unwrap().value.as_deref(),
                    Some(PATIENT)
                );
                match o.value.as_ref().unwrap() {
                    ObservationValue::Integer(i) => i.value.unwrap(),
                    other => panic!("not an integer: {other:?}"),
                }
            }
            other => panic!("not an Observation: {other:?}"),
        })
        .collect();
    assert_eq!(scores, [6, 4, 5, 6, 4, 3, 5]);
}

#[test]
fn the_r4_model_is_strict_enough_to_catch_mistakes() {
    // A check that passes everything proves nothing: these must fail.
    let mut unknown_element = bundle();
    unknown_element["entry"][0]["resource"]["valueScore"] = json!(6);
    assert!(r4(&unknown_element).is_err());

    let mut wrong_type = bundle();
    wrong_type["entry"][0]["resource"]["valueInteger"] = json!(true);
    assert!(r4(&wrong_type).is_err());

    let mut two_values = bundle();
    two_values["entry"][0]["resource"]["valueString"] = json!("6");
    assert!(r4(&two_values).is_err());

    let mut wrong_resource = bundle();
    wrong_resource["entry"][0]["resource"]["resourceType"] = json!("Obsrvation");
    assert!(r4(&wrong_resource).is_err());

    let mut not_a_concept = bundle();
    not_a_concept["entry"][0]["resource"]["code"] = json!("72514-3");
    assert!(r4(&not_a_concept).is_err());

    let mut no_status = bundle();
    no_status["entry"][0]["resource"].as_object_mut().unwrap().remove("status");
    assert!(r4(&no_status).unwrap_err().contains("missing field `status`"));
}

#[test]
fn an_empty_bundle_is_valid() {
    assert!(r4(&fhir::pain_observations(&[], PATIENT)).unwrap().entry.is_empty());
}

#[test]
fn the_journal_bundle_is_valid_r4_and_nothing_is_lost_reading_it() {
    let ours = journal_bundle();
    let bundle = r4(&ours).unwrap();
    assert_eq!(bundle.entry.len(), 13);
    let text = fhirbolt::json::to_string(&Resource::Bundle(Box::new(bundle)), None).unwrap();
    let back: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, ours, "the R4 model read something other than what was written");
}

#[test]
fn the_r4_model_reads_the_questionnaire_the_responses_and_the_care_plan() {
    let bundle = r4(&journal_bundle()).unwrap();
    let resources: Vec<&Resource> = bundle.entry.iter().map(|e| e.resource.as_ref().unwrap()).collect();
    let Resource::Questionnaire(questionnaire) = resources[0] else { panic!("not a Questionnaire") };
    assert_eq!(questionnaire.url.as_ref().unwrap().value.as_deref(), Some(fhir::QUESTIONNAIRE_URL));
    assert_eq!(questionnaire.item.len(), 14);
    let Resource::QuestionnaireResponse(response) = resources[1] else {
        panic!("not a QuestionnaireResponse")
    };
    assert_eq!(response.status.value.as_deref(), Some("completed"));
    let age = &response.item[0];
    assert_eq!(age.link_id.value.as_deref(), Some("age_years"));
    match age.answer[0].value.as_ref().unwrap() {
        QuestionnaireResponseItemAnswerValue::Integer(i) => assert_eq!(i.value, Some(58)),
        other => panic!("not an integer: {other:?}"),
    }
    assert!(matches!(resources[2], Resource::QuestionnaireResponse(_)));
    let Resource::CarePlan(plan) = resources[3] else { panic!("not a CarePlan") };
    assert_eq!(plan.intent.value.as_deref(), Some("plan"));
    assert_eq!(plan.activity.len(), 1);
    assert!(resources[4..11].iter().all(|r| matches!(r, Resource::Observation(_))));
    let Resource::Communication(from_clinician) = resources[11] else { panic!("not a Communication") };
    assert_eq!(from_clinician.status.value.as_deref(), Some("completed"));
    assert_eq!(from_clinician.recipient[0].reference.as_ref().unwrap().value.as_deref(), Some(PATIENT));
    assert!(from_clinician.received.is_some());
    let Resource::Communication(from_patient) = resources[12] else { panic!("not a Communication") };
    assert_eq!(
        from_patient.sender.as_ref().unwrap().reference.as_ref().unwrap().value.as_deref(),
        Some(PATIENT)
    );
    assert_eq!(from_patient.recipient[0].display.as_ref().unwrap().value.as_deref(), Some("physio@example.org"));
    assert!(from_patient.received.is_some());
}

#[test]
fn the_r4_model_catches_mistakes_in_the_new_resources() {
    let mut answer_of_the_wrong_type = journal_bundle();
    answer_of_the_wrong_type["entry"][1]["resource"]["item"][0]["answer"][0]["valueInteger"] = json!(true);
    assert!(r4(&answer_of_the_wrong_type).is_err());

    let mut no_detail_status = journal_bundle();
    no_detail_status["entry"][3]["resource"]["activity"][0]["detail"]
        .as_object_mut()
        .unwrap()
        .remove("status");
    assert!(r4(&no_detail_status).is_err());

    let mut unknown = journal_bundle();
    unknown["entry"][0]["resource"]["item"][0]["answerValue"] = json!("58");
    assert!(r4(&unknown).is_err());

    let mut payload_of_no_r4_type = journal_bundle();
    payload_of_no_r4_type["entry"][11]["resource"]["payload"][0] = json!({ "contentText": "hello" });
    assert!(r4(&payload_of_no_r4_type).is_err());

    let mut sent_not_a_time = journal_bundle();
    sent_not_a_time["entry"][12]["resource"]["sent"] = json!(20260109);
    assert!(r4(&sent_not_a_time).is_err());
}
