//! The questionnaire in the pack: every intake field asked once, in the
//! kind of answer the intake takes, with every word of its list; a broken
//! `questionnaire.toml` is refused with the question and field named. And
//! answers given one question at a time make the same intake as JSON does.

use crate::pack::{broken, line_of};
use crate::support::{intake, pack};
use knead_core::intake::{Answer, Field, Intake, Shape, Stage};
use knead_core::pack::Kind;
use serde_json::json;

#[test]
fn every_intake_field_is_asked_once_in_the_kind_it_takes() {
    let pack = pack();
    let questions = pack.questionnaire.questions();
    assert_eq!(questions.len(), Field::ALL.len());
    for field in Field::ALL {
        let q = pack.questionnaire.question(field);
        assert!(!q.text.is_empty(), "{}", field.path());
        match (field.shape(), &q.kind) {
            (Shape::Number { min, max }, Kind::Number { min: lo, max: hi }) => {
                assert_eq!((min, max), (*lo, *hi))
            }
            (Shape::YesNo, Kind::YesNo) => {}
            (Shape::OneOf(words), Kind::OneOf(choices)) | (Shape::AnyOf(words), Kind::AnyOf(choices)) => {
                let mut offered: Vec<&str> = choices.iter().map(|c| c.word).collect();
                offered.sort_unstable();
                let mut all = words.clone();
                all.sort_unstable();
                assert_eq!(offered, all, "{}", field.path());
            }
            (shape, kind) => panic!("{}: {shape:?} asked as {kind:?}", field.path()),
        }
    }
}

#[test]
fn the_stages_split_the_questions_as_the_interfaces_ask_them() {
    let pack = pack();
    let at = |stage| pack.questionnaire.at(stage).map(|q| q.field).collect::<Vec<_>>();
    assert_eq!(at(Stage::Kit), [Field::Equipment, Field::HelperAvailable]);
    assert_eq!(at(Stage::Clearance), [Field::ClinicianCleared]);
    assert_eq!(at(Stage::Screening).len(), 11);
    assert_eq!(at(Stage::Screening)[0], Field::AgeYears);
}

#[test]
fn a_word_shows_as_its_label() {
    let pack = pack();
    let symptoms = pack.questionnaire.question(Field::Symptoms);
    assert_eq!(symptoms.label("chest_pain"), "Chest pain or pressure");
    assert_eq!(symptoms.kind.choices()[0].to_string(), "Chest pain or pressure");
    assert_eq!(pack.questionnaire.question(Field::Onset).kind.choices()[0].word, "gradual");
}

#[test]
fn answers_one_at_a_time_make_the_same_intake_as_json() {
    let whole = intake(json!({
        "pain": {"onset": "sudden", "after_trauma": true, "pattern": ["worse_at_night"], "radiates_to": ["ribs"]},
        "symptoms": ["fever", "cough"], "history": ["smoker"], "skin_at_site": ["bruise"],
        "equipment": ["foam_roller"], "helper_available": true, "clinician_cleared": true
    }));
    let answers = whole.answers();
    assert_eq!(answers.iter().map(|(f, _)| *f).collect::<Vec<_>>(), Field::ALL);
    assert_eq!(Intake::from_answers(answers).unwrap(), whole);
}

#[test]
fn answers_are_read_as_strictly_as_json() {
    let e =
        Intake::from_answers([(Field::AgeYears, Answer::Number(40)), (Field::Intensity, Answer::Number(11))])
            .unwrap_err();
    assert_eq!(e.field, "pain.intensity");
    let e = Intake::from_answers([
        (Field::AgeYears, Answer::Number(40)),
        (Field::Intensity, Answer::Number(3)),
        (Field::DurationDays, Answer::Number(3)),
        (Field::Symptoms, Answer::Words(vec!["fever", "hiccups"])),
    ])
    .unwrap_err();
    assert_eq!(e.field, "symptoms[1]");
    assert!(e.problem.contains("unknown value `hiccups`"), "{e}");
    let e = Intake::from_answers([(Field::AgeYears, Answer::Number(40))]).unwrap_err();
    assert!(e.problem.contains("missing field `pain`"), "{e}");
}

#[test]
fn an_unknown_field_is_refused_with_the_allowed_ones() {
    let e = broken("questionnaire.toml", "field = \"history\"", "field = \"past\"");
    assert_eq!((e.file.as_str(), e.field.as_str()), ("questionnaire.toml", "questions[9].field"));
    assert_eq!(e.line, line_of("questionnaire.toml", "field = \"history\""));
    assert!(e.message.contains("unknown intake field `past`; allowed: age_years, pain.intensity"), "{e}");
}

#[test]
fn a_field_asked_twice_is_refused() {
    let e = broken("questionnaire.toml", "field = \"history\"", "field = \"symptoms\"");
    assert_eq!(e.field, "questions[9].field");
    assert!(e.message.contains("`symptoms` is asked twice (first by questions[8])"), "{e}");
}

#[test]
fn a_field_never_asked_is_refused() {
    let last = "[[questions]]\nfield = \"clinician_cleared\"";
    let text =
        knead_core::pack::builtin_sources().iter().find(|(n, _)| *n == "questionnaire.toml").unwrap().1;
    let cut = &text[..text.find(last).unwrap()];
    let e = broken("questionnaire.toml", text, cut);
    assert_eq!(e.field, "questions");
    assert!(e.message.contains("`clinician_cleared` is never asked"), "{e}");
}

#[test]
fn the_kind_must_be_the_one_the_field_takes() {
    let e = broken(
        "questionnaire.toml",
        "field = \"pain.onset\"\nkind = \"one_of\"",
        "field = \"pain.onset\"\nkind = \"any_of\"",
    );
    assert_eq!(e.field, "questions[3].kind");
    assert!(e.message.contains("`pain.onset` takes `one_of` answers"), "{e}");
}

#[test]
fn an_unknown_word_is_refused_with_the_allowed_ones() {
    let e = broken("questionnaire.toml", "word = \"night_sweats\"", "word = \"sweats\"");
    assert_eq!(e.field, "questions[8].options[8].word");
    assert_eq!(e.line, line_of("questionnaire.toml", "word = \"night_sweats\""));
    assert!(e.message.contains("unknown word `sweats` for `symptoms`; allowed: chest_pain,"), "{e}");
}

#[test]
fn a_word_left_out_or_offered_twice_is_refused() {
    let cough = "  { word = \"cough\", label = \"A cough\" },\n";
    let e = broken("questionnaire.toml", cough, "");
    assert_eq!(e.field, "questions[8].options");
    assert!(
        e.message.contains("must offer every word of its list") && e.message.ends_with("missing: cough"),
        "{e}"
    );
    let e = broken("questionnaire.toml", cough, &format!("{cough}{cough}"));
    assert_eq!(e.field, "questions[8].options[10].word");
    assert!(e.message.contains("`cough` is offered twice"), "{e}");
}

#[test]
fn a_number_must_allow_the_whole_range_of_the_intake() {
    let e = broken("questionnaire.toml", "min = 0\nmax = 10\n", "min = 0\nmax = 6\n");
    assert_eq!(e.field, "questions[1].max");
    assert!(e.message.contains("`pain.intensity` must allow 0 to 10"), "{e}");
    let e = broken("questionnaire.toml", "min = 0\nmax = 10\n", "max = 10\n");
    assert_eq!(e.field, "questions[1].min");
    assert!(e.message.contains("a number needs `min`"), "{e}");
}

#[test]
fn options_and_ranges_only_where_they_belong() {
    let trauma = "kind = \"yes_no\"\ntext = \"Did it start";
    let e = broken("questionnaire.toml", trauma, &format!("min = 0\n{trauma}"));
    assert_eq!(e.field, "questions[4].min");
    let e = broken(
        "questionnaire.toml",
        trauma,
        &format!("options = [{{ word = \"yes\", label = \"Yes\" }}]\n{trauma}"),
    );
    assert_eq!(e.field, "questions[4].options");
    assert!(e.message.contains("only a `one_of` or `any_of` question has options"), "{e}");
}

#[test]
fn empty_wording_is_refused() {
    let e = broken("questionnaire.toml", "text = \"How does the pain feel?\"", "text = \"  \"");
    assert_eq!(e.field, "questions[5].text");
    let e = broken("questionnaire.toml", "label = \"Dull\"", "label = \"\"");
    assert_eq!(e.field, "questions[5].options[1].label");
    assert!(e.message.contains("must not be empty"), "{e}");
}
