//! One questionnaire, three interfaces: for every question in the content
//! pack, the terminal's prompt (`knead start` in a pseudo-terminal), the web
//! pages (`knead serve`: the safety questions, a result's kit form and its
//! clearance form) and the FHIR Questionnaire carry the same text, and the
//! same hint where the question has one.

use crate::serve::{exchange, post_json, serve, signed_up};
use crate::tmux::{Tmux, data_dir};
use knead_core::intake::{Field, Stage};
use knead_core::pack::{ContentPack, Kind};
use serde_json::json;

/// A person asks for the clearance question to be shown: a recent back
/// operation is "see a doctor first", which a clearance lifts.
const TICKED_HISTORY: &str = "recent_back_surgery";

/// Answer every question `knead start` asks, keeping the screen as each
/// one is shown (in a window wide enough that no question wraps): one
/// screen per question, in the pack's order.
fn terminal(pack: &ContentPack) -> Vec<(Field, String)> {
    let dir = data_dir();
    let d = dir.path().to_str().unwrap();
    let t = Tmux::knead_in(160, &["start", "--data-dir", d], &[("NO_COLOR", "1")]);
    let mut screens = Vec::new();
    // Everything up front, in the pack's order; the clearance after the result.
    let up_front = pack.questionnaire.questions().iter().filter(|q| q.field.stage() != Stage::Clearance);
    for question in up_front.chain(pack.questionnaire.at(Stage::Clearance)) {
        screens.push((question.field, t.wait_for(&format!("? {}", question.text), 10)));
        let number = match question.field {
            Field::AgeYears => "40",
            _ => "4",
        };
        match &question.kind {
            Kind::Number { .. } => t.keys(&[number, "Enter"]),
            Kind::YesNo => t.keys(&["n", "Enter"]),
            Kind::OneOf(_) => t.keys(&["Enter"]),
            Kind::AnyOf(choices) if question.field == Field::History => {
                let at = choices.iter().position(|c| c.word == TICKED_HISTORY).unwrap();
                t.keys(&vec!["Down"; at]);
                t.keys(&["Space", "Enter"]);
            }
            Kind::AnyOf(_) => t.keys(&["Enter"]),
        }
    }
    t.wait_for("No self-massage today", 10);
    screens
}

/// The web pages that ask the questions, as HTML: the safety questions, a
/// self-care result (its kit form) and a see-doctor-first one (its
/// clearance form).
fn web() -> String {
    let dir = tempfile::tempdir().unwrap();
    let (server, _log, addr) = serve(dir.path());
    let (cookie, csrf) = signed_up(&addr, "ana@example.org", "a long enough password");
    let headers = format!("Cookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\n");
    let get = |path: &str| {
        let page = exchange(
            &addr,
            &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"),
        );
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        page
    };
    let mut pages = get("/check");
    for history in [json!([]), json!([TICKED_HISTORY])] {
        let intake = json!({
            "age_years": 40,
            "pain": { "intensity": 4, "duration_days": 4, "character": ["aching"] },
            "history": history,
        });
        let id = uuid::Uuid::now_v7();
        let screening = json!({ "id": id, "intake": intake }).to_string();
        let kept = post_json(&addr, "/api/v1/screenings", &headers, &screening);
        assert!(kept.starts_with("HTTP/1.1 201"), "{kept}");
        pages.push_str(&get(&format!("/result/{id}")));
    }
    drop(server);
    pages
}

/// `text` as the pages' templates write it.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

#[test]
fn the_terminal_the_web_form_and_fhir_ask_every_question_in_the_same_words() {
    let pack = ContentPack::builtin().unwrap();
    let fhir = knead_export::fhir::questionnaire(&pack.questionnaire);
    let items = fhir["item"].as_array().unwrap();
    let terminal = terminal(&pack);
    let web = web();
    let questions = pack.questionnaire.questions();
    assert_eq!((items.len(), terminal.len()), (questions.len(), questions.len()), "each asks every question");
    for question in questions {
        let path = question.field.path();
        let item = items.iter().find(|i| i["linkId"] == path).unwrap_or_else(|| panic!("FHIR asks {path}"));
        assert_eq!(item["text"], json!(question.text), "FHIR: {path}");
        let screen = &terminal.iter().find(|(f, _)| *f == question.field).unwrap().1;
        assert!(screen.contains(&format!("? {}", question.text)), "terminal: {path}:\n{screen}");
        assert!(web.contains(&format!(">{}<", html(&question.text))), "web: {path}");
        if let Some(help) = &question.help {
            assert_eq!(item["item"][0]["text"], json!(help), "FHIR hint: {path}");
            assert!(screen.contains(help.as_str()), "terminal hint: {path}:\n{screen}");
            assert!(web.contains(&format!(">{}<", html(help))), "web hint: {path}");
        }
    }
}
