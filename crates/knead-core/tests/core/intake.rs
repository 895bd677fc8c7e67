//! Reading intakes: strict, and every refusal names the field.

use knead_core::intake::Intake;

fn refused(text: &str) -> (String, String) {
    let e = Intake::from_json(text).expect_err("the intake is refused");
    (e.field, e.problem)
}

#[test]
fn defaults_fill_optional_fields() {
    let intake =
        Intake::from_json(r#"{"age_years": 40, "pain": {"intensity": 2, "duration_days": 0}}"#).unwrap();
    assert_eq!(intake.pain.onset, knead_core::vocab::Onset::Gradual);
    assert!(!intake.pain.after_trauma && !intake.helper_available && !intake.clinician_cleared);
    assert!(intake.symptoms.is_empty() && intake.equipment.is_empty());
}

#[test]
fn lists_are_sets() {
    let a = Intake::from_json(
        r#"{"age_years": 40, "pain": {"intensity": 2, "duration_days": 0}, "symptoms": ["cough", "fever", "cough"]}"#,
    )
    .unwrap();
    let b = Intake::from_json(
        r#"{"age_years": 40, "pain": {"intensity": 2, "duration_days": 0}, "symptoms": ["fever", "cough"]}"#,
    )
    .unwrap();
    assert_eq!(a, b);
}

#[test]
fn out_of_range_names_field_and_range() {
    let (field, problem) = refused(r#"{"age_years": 40, "pain": {"intensity": 11, "duration_days": 0}}"#);
    assert_eq!(field, "pain.intensity");
    assert!(problem.contains("0 to 10"), "{problem}");
    let (field, problem) = refused(r#"{"age_years": 121, "pain": {"intensity": 1, "duration_days": 0}}"#);
    assert_eq!(field, "age_years");
    assert!(problem.contains("0 to 120"), "{problem}");
    let (field, _) = refused(r#"{"age_years": 20, "pain": {"intensity": 1, "duration_days": 36501}}"#);
    assert_eq!(field, "pain.duration_days");
    let (field, _) = refused(r#"{"age_years": -1, "pain": {"intensity": 1, "duration_days": 1}}"#);
    assert_eq!(field, "age_years");
}

#[test]
fn unknown_list_value_lists_the_allowed_ones() {
    let (field, problem) = refused(
        r#"{"age_years": 40, "pain": {"intensity": 2, "duration_days": 0, "character": ["aching", "sore"]}}"#,
    );
    assert_eq!(field, "pain.character[1]");
    assert!(problem.contains("`sore`") && problem.contains("tearing"), "{problem}");
}

#[test]
fn unknown_field_is_refused() {
    let (field, problem) =
        refused(r#"{"age_years": 40, "pain": {"intensity": 2, "duration_days": 0}, "mood": 3}"#);
    assert_eq!(field, "mood");
    assert!(problem.contains("unknown field"), "{problem}");
}

#[test]
fn wrong_types_are_refused() {
    let (field, problem) = refused(r#"{"age_years": "forty", "pain": {"intensity": 2, "duration_days": 0}}"#);
    assert_eq!(field, "age_years");
    assert!(problem.contains("whole number from 0 to 120"), "{problem}");
    let (field, _) = refused(r#"{"age_years": 40.5, "pain": {"intensity": 2, "duration_days": 0}}"#);
    assert_eq!(field, "age_years");
    let (field, _) = refused(
        r#"{"age_years": 40, "pain": {"intensity": 2, "duration_days": 0}, "helper_available": "yes"}"#,
    );
    assert_eq!(field, "helper_available");
    let (field, _) =
        refused(r#"{"age_years": 40, "pain": {"intensity": 2, "duration_days": 0}, "symptoms": "fever"}"#);
    assert_eq!(field, "symptoms");
}

#[test]
fn missing_required_field_is_named() {
    let (_, problem) = refused(r#"{"age_years": 40, "pain": {"intensity": 2}}"#);
    assert!(problem.contains("duration_days"), "{problem}");
}

#[test]
fn malformed_json_is_refused() {
    for text in ["", "{", "[]", "null", r#"{"age_years": 40,}"#, r#"{"age_years": 40} trailing"#] {
        let (field, problem) = refused(text);
        assert!(!problem.is_empty(), "{text}: {field}");
    }
}
