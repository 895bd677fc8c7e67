//! The FHIR export: a snapshot of the whole bundle, and the rules a FHIR
//! model does not check (dateTime and id formats, the codes) by hand. The
//! bundle is also read into an independent FHIR R4 model by
//! tools/fhir-check, kept outside the workspace because that model turns
//! on serde_json features that would change every other crate's tests.

use crate::fixture;
use knead_export::fhir;
use serde_json::{Value, json};

const PATIENT: &str = "Patient/example-123";

fn bundle() -> Value {
    fhir::pain_observations(&fixture::sessions(), PATIENT)
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
fn bundle_snapshot() {
    insta::assert_snapshot!(serde_json::to_string_pretty(&canonical(&bundle())).unwrap());
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
