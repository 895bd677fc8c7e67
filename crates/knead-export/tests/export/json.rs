use crate::fixture;
use knead_export::{ExportError, json};
use serde_json::{Value, json};

fn journal_value() -> Value {
    serde_json::from_str(&json::journal(&fixture::journal())).unwrap()
}

fn read(value: &Value) -> Result<knead_core::records::Journal, ExportError> {
    json::read_journal(&value.to_string())
}

#[test]
fn a_journal_reads_back_unchanged() {
    let journal = fixture::journal();
    let text = json::journal(&journal);
    assert!(text.starts_with("{\n  \"format\": \"knead-journal\""), "pretty, format first: {text}");
    assert_eq!(json::read_journal(&text).unwrap(), journal);
}

#[test]
fn another_format_is_refused_naming_the_field() {
    let mut value = journal_value();
    value["format"] = json!("something-else");
    let error = read(&value).unwrap_err();
    assert_eq!(error, ExportError::Format { found: "something-else".to_owned() });
    assert!(error.to_string().contains("`format`"), "{error}");
}

#[test]
fn a_newer_version_is_refused_even_with_fields_this_build_does_not_know() {
    let mut value = journal_value();
    value["version"] = json!(2);
    value["something_new"] = json!(true);
    let error = read(&value).unwrap_err();
    assert_eq!(error, ExportError::TooNew { found: 2, supported: 1 });
    assert!(error.to_string().contains("`version` is 2"), "{error}");
}

#[test]
fn version_zero_is_refused() {
    let mut value = journal_value();
    value["version"] = json!(0);
    assert!(matches!(read(&value), Err(ExportError::Field { field, .. }) if field == "version"));
}

#[test]
fn a_bad_value_deep_inside_is_named_by_its_path() {
    let text = json::journal(&fixture::journal());
    // The second session's "after" score is the only 6.
    assert_eq!(text.matches("\"pain_after\": 6").count(), 1);
    let error = json::read_journal(&text.replace("\"pain_after\": 6", "\"pain_after\": 11")).unwrap_err();
    let ExportError::Field { field, message } = &error else { panic!("{error:?}") };
    assert_eq!(field, "sessions[1].pain_after");
    assert!(message.contains("from 0 to 10"), "{message}");
    insta::assert_snapshot!(error.to_string());
}

#[test]
fn missing_and_unknown_fields_are_named() {
    let mut value = journal_value();
    value.as_object_mut().unwrap().remove("format");
    let error = read(&value).unwrap_err().to_string();
    assert!(error.contains("missing field `format`"), "{error}");

    let mut value = journal_value();
    value["checkins"][0]["mood"] = json!("fine");
    let error = read(&value).unwrap_err();
    let ExportError::Field { field, message } = &error else { panic!("{error:?}") };
    assert_eq!(field, "checkins[0].mood");
    assert!(message.contains("unknown field `mood`"), "{message}");
}

#[test]
fn text_that_is_not_json_is_a_syntax_error() {
    assert!(matches!(json::read_journal("{\"format\": "), Err(ExportError::Syntax(_))));
    assert!(matches!(json::read_journal("not json"), Err(ExportError::Syntax(_))));
    let trailing = format!("{} x", json::journal(&fixture::journal()));
    assert!(matches!(json::read_journal(&trailing), Err(ExportError::Syntax(_))));
}

#[test]
fn a_journal_written_a_session_at_a_time_is_the_whole_journal() {
    let journal = fixture::journal();
    let head = knead_core::records::Journal { sessions: Vec::new(), ..journal.clone() };
    let mut spliced = knead_export::spliced::Spliced::new(&json::journal_frame(&head)).unwrap();
    let mut text: String = journal.sessions.iter().map(|s| spliced.element(s)).collect();
    text.push_str(&spliced.finish());
    assert_eq!(text, json::journal(&journal));
    let empty = knead_export::spliced::Spliced::new(&json::journal_frame(&head)).unwrap().finish();
    assert_eq!(empty, json::journal(&head), "no sessions");
}
