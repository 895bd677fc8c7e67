//! The home-program handout: read back with poppler (`pdftotext` for the
//! words, the PDF's structure for the figures). `KNEAD_REPORT_DIR=/tmp
//! cargo test -p knead-export handout` also writes `knead-handout.pdf`
//! (every technique, every way, a program) there, to look at
//! (`pdftoppm -png -r 60 knead-handout.pdf page`).

use crate::report::{flat, pages, pdf_text};
use chrono::NaiveDate;
use knead_core::handout::{Assigned, Handout, Item};
use knead_core::intake::Intake;
use knead_core::pack::ContentPack;
use knead_core::program::{HomeProgram, ProgramRequest, SetBy};
use knead_core::screening;
use knead_core::vocab::{TechniqueId, Vocabulary};
use knead_export::handout::{self, HandoutInput};

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

/// Every technique of the pack, every way of doing it.
fn everything(pack: &ContentPack) -> Vec<Item> {
    pack.techniques
        .iter()
        .map(|t| Item { technique: t.id, variants: t.variants.iter().map(|v| v.id.clone()).collect() })
        .collect()
}

fn program(pack: &ContentPack) -> Assigned {
    let intake =
        Intake::from_json(r#"{"age_years": 40, "pain": {"intensity": 4, "duration_days": 10}}"#).unwrap();
    let permit = screening::screen(pack, &intake).permit().unwrap();
    let request = ProgramRequest {
        techniques: TechniqueId::ALL.iter().copied().collect(),
        sessions_per_day: 2,
        days_per_week: 5,
        weeks: 4,
        note: Some("Roll slowly after work.".to_owned()),
        set_by: SetBy::Clinician("Dr Lee".to_owned()),
    };
    Assigned { program: HomeProgram::new(pack, &permit, request).unwrap(), start: day() }
}

/// The PDF's structure tree as `pdfinfo -struct` lists it.
fn structure(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("handout.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdfinfo")
        .arg("-struct")
        .arg(&file)
        .output()
        .expect("pdfinfo (poppler-utils) is installed: run .ci/deps");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_step_is_printed_with_its_words_and_one_figure() {
    let pack = ContentPack::builtin().unwrap();
    let content = Handout { items: everything(&pack), program: Some(program(&pack)) };
    let input = HandoutInput { pack: &pack, handout: &content, name: Some("Alex Example"), on: day() };
    let pdf = handout::pdf(&input).unwrap();
    let text = flat(&pdf_text(&pdf));
    let steps: Vec<_> = pack.techniques.iter().flat_map(|t| &t.variants).flat_map(|v| &v.steps).collect();
    for step in &steps {
        assert!(text.contains(&flat(&step.instruction)), "step {} missing:\n{text}", step.id);
        for cue in &step.cues {
            assert!(text.contains(&flat(cue)), "cue of {} missing", step.id);
        }
    }
    let tree = structure(&pdf);
    let figures = tree.lines().filter(|l| l.trim_start().starts_with("Figure")).count();
    assert_eq!(figures, steps.len(), "one figure per step:\n{tree}");
    if let Some(dir) = std::env::var_os("KNEAD_REPORT_DIR") {
        std::fs::write(std::path::Path::new(&dir).join("knead-handout.pdf"), &pdf).unwrap();
    }
}

#[test]
fn it_holds_the_doses_the_program_and_the_warning_signs_in_the_packs_words() {
    let pack = ContentPack::builtin().unwrap();
    let content = Handout { items: everything(&pack), program: Some(program(&pack)) };
    let pdf = handout::pdf(&HandoutInput { pack: &pack, handout: &content, name: None, on: day() }).unwrap();
    let text = flat(&pdf_text(&pdf));
    assert!(text.contains("For: ____"), "a line to write a name on:\n{text}");
    for technique in &pack.techniques {
        for (words, _) in knead_core::labels::doses(&technique.doses) {
            assert!(text.contains(&words), "{}: `{words}` missing", technique.id);
        }
    }
    for sign in pack.questionnaire.warning_signs() {
        assert!(text.contains(&sign.label), "warning sign `{}` missing", sign.label);
    }
    assert!(text.contains("Home program, set by Dr Lee"), "{text}");
    assert!(
        text.contains("2 sessions a day, 5 days a week, for 4 weeks: 2026-03-02 to 2026-03-29."),
        "{text}"
    );
    assert!(text.contains("Note: Roll slowly after work."), "{text}");
    assert!(text.contains(&format!("At most {} sessions a day.", pack.daily_sessions_max.value)), "{text}");
    let licence = &pack.techniques[0].variants[0].steps[0].figure.licence;
    assert!(
        text.contains(&format!("{} {}. Figures: {licence}.", pack.meta.title, pack.meta.version)),
        "{text}"
    );
}

#[test]
fn one_technique_one_way_is_short() {
    let pack = ContentPack::builtin().unwrap();
    let hands = pack.technique(TechniqueId::Hands);
    let content = Handout {
        items: vec![Item { technique: hands.id, variants: vec![hands.variants[0].id.clone()] }],
        program: None,
    };
    let pdf = handout::pdf(&HandoutInput { pack: &pack, handout: &content, name: Some("Alex"), on: day() })
        .unwrap();
    let text = flat(&pdf_text(&pdf));
    assert!(text.contains("For: Alex"), "{text}");
    assert!(!text.contains("Home program,"), "no program, none printed: {text}");
    let other = pack.technique(TechniqueId::FoamRoller);
    assert!(!text.contains(&other.name), "only what was chosen: {text}");
    assert!(pages(&pdf) <= 2, "{} pages", pages(&pdf));
    let figures = structure(&pdf).lines().filter(|l| l.trim_start().starts_with("Figure")).count();
    assert_eq!(figures, hands.variants[0].steps.len());
}
