//! The FHIR export: a snapshot of the whole bundle (ids and times
//! redacted), and the rules a FHIR model does not check (dateTime and id
//! formats, the codes, answers that match their questions) by hand. The
//! bundle is also read into an independent FHIR R4 model by
//! tools/fhir-check, kept outside the workspace because that model turns
//! on serde_json features that would change every other crate's tests.

use crate::fixture;
use knead_core::pack::ContentPack;
use knead_export::fhir::{self, BundleInput, ProgramPeriod};
use serde_json::{Value, json};

const PATIENT: &str = "Patient/example-123";

fn bundle() -> Value {
    fhir::pain_observations(&fixture::sessions(), PATIENT)
}

/// The whole journal with the program: Questionnaire, two responses,
/// CarePlan, seven Observations.
fn journal_bundle() -> Value {
    let journal = fixture::journal();
    let program = fixture::program();
    let pack = ContentPack::builtin().unwrap();
    let input = BundleInput {
        journal: &journal,
        patient_reference: PATIENT,
        questionnaire: &pack.questionnaire,
        program: Some(ProgramPeriod { program: &program, start: fixture::program_start() }),
        messages: &fixture::messages(),
    };
    fhir::journal_bundle(&input)
}

/// The value with ids and times replaced by placeholders, for a snapshot
/// that shows the shape (the tests below check the ids and times).
fn redacted(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match k.as_str() {
                        "id" | "fullUrl" => json!("[id]"),
                        "authored" | "effectiveDateTime" | "start" | "end" => json!("[time]"),
                        _ => redacted(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redacted).collect()),
        other => other.clone(),
    }
}

/// The value with every object's keys sorted.
///
/// Sorted, so the snapshot does not depend on serde_json's map order.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let sorted: std::collections::BTreeMap<&String, Value> =
                map.iter().map(|(k, v)| (k, canonical(v))).collect();
            Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

#[test]
fn journal_bundle_snapshot() {
    insta::assert_snapshot!(serde_json::to_string_pretty(&canonical(&redacted(&journal_bundle()))).unwrap());
}

#[test]
fn the_journal_bundle_holds_each_resource_in_order() {
    let value = journal_bundle();
    let types: Vec<&str> = value["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "Questionnaire",
            "QuestionnaireResponse",
            "QuestionnaireResponse",
            "CarePlan",
            "Observation",
            "Observation",
            "Observation",
            "Observation",
            "Observation",
            "Observation",
            "Observation",
            "Communication",
            "Communication",
        ]
    );
    // Every fullUrl is a UUID v5 and unique.
    let urls: std::collections::BTreeSet<&str> =
        value["entry"].as_array().unwrap().iter().map(|e| e["fullUrl"].as_str().unwrap()).collect();
    assert_eq!(urls.len(), types.len());
    // Without screenings or a program: just the Observations.
    let mut journal = fixture::journal();
    journal.screenings.clear();
    let pack = ContentPack::builtin().unwrap();
    let plain = fhir::journal_bundle(&BundleInput {
        journal: &journal,
        patient_reference: PATIENT,
        questionnaire: &pack.questionnaire,
        program: None,
        messages: &[],
    });
    assert_eq!(plain, bundle());
}

#[test]
fn the_questionnaire_asks_the_packs_questions_and_the_answers_match_them() {
    let pack = ContentPack::builtin().unwrap();
    let value = journal_bundle();
    let entries = value["entry"].as_array().unwrap();
    let questionnaire = &entries[0]["resource"];
    assert_eq!(questionnaire["url"], fhir::QUESTIONNAIRE_URL);
    assert!(
        fhir::QUESTIONNAIRE_URL.starts_with("https://example.invalid/knead/fhir/"),
        "under the repository URL"
    );
    let items = questionnaire["item"].as_array().unwrap();
    let asked = pack.questionnaire.questions();
    assert_eq!(items.len(), asked.len());
    for (item, question) in items.iter().zip(asked) {
        assert_eq!((&item["linkId"], &item["text"]), (&json!(question.field.path()), &json!(question.text)));
        assert_eq!(item["item"][0]["text"], json!(question.help), "the hint, if any");
        let offered: Vec<(&str, &str)> = item["answerOption"]
            .as_array()
            .map(|options| {
                options
                    .iter()
                    .map(|o| {
                        let coding = &o["valueCoding"];
                        (coding["code"].as_str().unwrap(), coding["display"].as_str().unwrap())
                    })
                    .collect()
            })
            .unwrap_or_default();
        let words: Vec<(&str, &str)> =
            question.kind.choices().iter().map(|c| (c.word, c.label.as_str())).collect();
        assert_eq!(offered, words, "{}", question.field.path());
    }
    for response in &entries[1..3] {
        let response = &response["resource"];
        assert_eq!(
            response["questionnaire"],
            format!("{}|{}", fhir::QUESTIONNAIRE_URL, fhir::QUESTIONNAIRE_VERSION)
        );
        for item in response["item"].as_array().unwrap() {
            let question =
                items.iter().find(|q| q["linkId"] == item["linkId"]).expect("every answer has its question");
            assert_eq!(question["text"], item["text"]);
            for answer in item["answer"].as_array().unwrap() {
                if let Some(coding) = answer.get("valueCoding") {
                    assert!(
                        question["answerOption"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|o| o["valueCoding"] == *coding)
                    );
                }
            }
        }
    }
    let first = &entries[1]["resource"];
    assert_eq!(first["authored"], "2026-01-05T07:20:00Z");
    assert_eq!(first["extension"][0]["valueCode"], "self_care_with_limits");
}

#[test]
fn the_care_plan_states_the_program() {
    let value = journal_bundle();
    let plan = &value["entry"][3]["resource"];
    assert_eq!(plan["period"], json!({ "start": "2026-01-08", "end": "2026-02-04" }));
    assert_eq!(plan["author"], json!({ "display": "Dr Rivera" }));
    assert_eq!(plan["activity"].as_array().unwrap().len(), 1);
    assert_eq!(plan["activity"][0]["detail"]["scheduledTiming"]["repeat"]["frequency"], 2);
    assert_eq!(plan["note"][0]["text"], "Gentle pressure only; stop if you bruise.");
    assert!(
        plan["description"].as_str().unwrap().contains("2 session(s) a day, 5 day(s) a week, for 4 week(s)")
    );
}

#[test]
fn times_ids_and_component_follow_the_rules_the_model_does_not_check() {
    let value = bundle();
    let entries = value["entry"].as_array().unwrap();
    let mut full_urls = std::collections::BTreeSet::new();
    for entry in entries {
        let full_url = entry["fullUrl"].as_str().unwrap();
        let uuid = full_url.strip_prefix("urn:uuid:").unwrap();
        assert_eq!(uuid::Uuid::parse_str(uuid).unwrap().get_version_num(), 5);
        // Resource.id: [A-Za-z0-9\-\.]{1,64}, here the UUID itself.
        assert_eq!(entry["resource"]["id"], uuid);
        assert!(full_urls.insert(full_url.to_owned()), "duplicate fullUrl {full_url}");
        // FHIR dateTime with a time needs a zone; ours are UTC to the second.
        let effective = entry["resource"]["effectiveDateTime"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(effective).is_ok() && effective.ends_with('Z'));
        assert!((0..=10).contains(&entry["resource"]["valueInteger"].as_i64().unwrap()));
    }
    // Before at the start, after at the end, or at the start without an end.
    let effective: Vec<&str> =
        entries.iter().map(|e| e["resource"]["effectiveDateTime"].as_str().unwrap()).collect();
    assert_eq!(
        effective,
        [
            "2026-01-05T07:30:00Z",
            "2026-01-05T07:42:00Z",
            "2026-01-06T18:00:00Z",
            "2026-01-06T18:03:30Z",
            "2026-01-08T07:15:00Z",
            "2026-01-08T07:15:00Z",
            "2026-01-09T20:00:00Z",
        ]
    );
    let first = &entries[0]["resource"];
    assert_eq!(first["component"][0]["valueString"], "before");
    assert_eq!(entries[1]["resource"]["component"][0]["valueString"], "after");
    let techniques: Vec<&str> = first["component"].as_array().unwrap()[1..]
        .iter()
        .map(|c| c["valueString"].as_str().unwrap())
        .collect();
    assert_eq!(techniques, ["foam roller", "hands"]);
}

#[test]
fn exporting_twice_gives_the_same_bundle() {
    assert_eq!(bundle(), bundle());
    assert_eq!(bundle().to_string(), bundle().to_string());
}

#[test]
fn no_sessions_is_an_empty_valid_bundle() {
    let value = fhir::pain_observations(&[], PATIENT);
    assert_eq!(value, json!({ "resourceType": "Bundle", "type": "collection" }));
}

/// A clinician's message is sent by them to the patient and was received
/// when the patient read it; the patient's answer is sent by the patient to
/// that clinician, and received when the clinician read it.
#[test]
fn messages_are_communications_from_their_sender() {
    let value = journal_bundle();
    let sent: Vec<&Value> = value["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "Communication")
        .collect();
    assert_eq!(sent.len(), 2);
    let (theirs, mine) = (sent[0], sent[1]);
    assert_eq!(theirs["status"], "completed");
    assert_eq!(theirs["sender"], json!({ "display": "physio@example.org" }));
    assert_eq!(theirs["recipient"], json!([{ "reference": PATIENT }]));
    assert_eq!(theirs["sent"], "2026-01-09T09:00:00Z");
    assert_eq!(theirs["received"], "2026-01-09T18:30:00Z");
    assert_eq!(
        theirs["payload"],
        json!([{ "contentString": "Please pause the massage until we have talked." }])
    );
    assert_eq!(mine["sender"], json!({ "reference": PATIENT }));
    assert_eq!(mine["recipient"], json!([{ "display": "physio@example.org" }]));
    assert_eq!(mine["received"], "2026-01-10T08:00:00Z");
    assert_eq!(mine["subject"], json!({ "reference": PATIENT }));
}

#[test]
fn a_bundle_written_a_session_at_a_time_is_the_whole_bundle() {
    let journal = fixture::journal();
    let head = knead_core::records::Journal { sessions: Vec::new(), ..journal.clone() };
    let program = fixture::program();
    let pack = ContentPack::builtin().unwrap();
    let messages = fixture::messages();
    let input = |journal| BundleInput {
        journal,
        patient_reference: PATIENT,
        questionnaire: &pack.questionnaire,
        program: Some(ProgramPeriod { program: &program, start: fixture::program_start() }),
        messages: &messages,
    };
    let mut spliced = knead_export::spliced::Spliced::new(
        &serde_json::to_string_pretty(&fhir::bundle_frame(&input(&head))).unwrap(),
    )
    .unwrap();
    let mut text = String::new();
    for session in &journal.sessions {
        for entry in fhir::session_observations(session, PATIENT) {
            text.push_str(&spliced.element(&entry));
        }
    }
    text.push_str(&spliced.finish());
    assert_eq!(text, serde_json::to_string_pretty(&fhir::journal_bundle(&input(&journal))).unwrap());
}
