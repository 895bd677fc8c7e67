//! What people and programs read: snapshots of the text pages, and the
//! shape of the JSON.

use crate::support::{check_json, run};
use serde_json::json;

fn text(args: &[&str], intake: &serde_json::Value) -> String {
    let (status, stdout, stderr) = run(args, &intake.to_string());
    assert_eq!(status, 0, "{stderr}");
    assert!(!stdout.contains('\x1b'), "no colour when piped");
    stdout
}

fn person(patch: serde_json::Value) -> serde_json::Value {
    let mut base =
        json!({"age_years": 38, "pain": {"intensity": 4, "duration_days": 6, "character": ["aching"]}});
    for (k, v) in patch.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

#[test]
fn emergency_text_cannot_be_missed() {
    let page = text(&["check", "--intake", "-"], &person(json!({"symptoms": ["chest_pain", "sweating"]})));
    assert!(page.starts_with("!!!!"), "the emergency block comes first");
    insta::assert_snapshot!("check_emergency", page);
}

#[test]
fn urgent_text() {
    let page = text(&["check", "--intake", "-"], &person(json!({"history": ["cancer"]})));
    insta::assert_snapshot!("check_urgent", page);
}

#[test]
fn doctor_first_text_offers_no_session() {
    let intake = person(json!({"pain": {"intensity": 8, "duration_days": 50}, "equipment": ["foam_roller"]}));
    let page = text(&["plan", "--intake", "-"], &intake);
    assert!(!page.contains("YOUR SESSION"));
    insta::assert_snapshot!("plan_see_doctor_first", page);
}

#[test]
fn limits_text_and_plan() {
    let intake = person(json!({"history": ["anticoagulants"], "equipment": ["foam_roller", "massage_gun"]}));
    let page = text(&["plan", "--intake", "-"], &intake);
    insta::assert_snapshot!("plan_with_limits", page);
}

#[test]
fn self_care_plan_with_everything_and_a_helper() {
    let intake =
        person(json!({"equipment": ["foam_roller", "vibrating_massager"], "helper_available": true}));
    insta::assert_snapshot!("plan_self_care_helper", text(&["plan", "--intake", "-"], &intake));
}

#[test]
fn techniques_text() {
    insta::assert_snapshot!("techniques", text(&["techniques"], &json!({})));
}

#[test]
fn colour_only_when_asked_for_and_never_under_no_color() {
    // Piped output never has colour; NO_COLOR is honoured even if it had.
    let out = crate::support::knead()
        .args(["check", "--intake", "-"])
        .env("NO_COLOR", "1")
        .write_stdin(person(json!({"symptoms": ["chest_pain"]})).to_string())
        .output()
        .unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains('\x1b'));
}

#[test]
fn check_json_has_exactly_the_contract_fields() {
    let result = check_json(&person(json!({"history": ["anticoagulants"]})).to_string());
    let keys: Vec<_> = result.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["cleared_by_clinician", "disposition", "headline", "reasons", "techniques"]);
    assert_eq!(result["disposition"], "self_care_with_limits");
    assert_eq!(result["techniques"]["allowed"], json!(["hands"]));
    assert_eq!(
        result["techniques"]["excluded"],
        json!([
            {"technique": "electric_massager", "rules": ["LIM-01"]},
            {"technique": "foam_roller", "rules": ["LIM-01"]}
        ])
    );
    let reason = &result["reasons"][0];
    assert_eq!(reason.as_object().unwrap().len(), 3);
    assert_eq!(reason["rule"], "LIM-01");
    assert!(reason["message"].as_str().unwrap().contains("blood thinner"));
}

#[test]
fn plan_json_gives_no_plan_above_self_care() {
    let (_, stdout, _) = run(
        &["plan", "--intake", "-", "--format", "json"],
        &person(json!({"symptoms": ["fever"], "clinician_cleared": true})).to_string(),
    );
    let out: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(out["screening"]["disposition"], "urgent");
    assert!(out["plan"].is_null());
    assert!(out["no_plan"].as_str().unwrap().contains("today"));
}

#[test]
fn plan_json_lists_steps_in_seconds_and_every_choice() {
    let (_, stdout, _) = run(
        &["plan", "--intake", "-", "--format", "json"],
        &person(json!({"equipment": ["foam_roller"]})).to_string(),
    );
    let out: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let plan = &out["plan"];
    let items: Vec<_> = plan["items"].as_array().unwrap().iter().map(|i| i["technique"].clone()).collect();
    assert_eq!(items, [json!("hands"), json!("foam_roller")]);
    assert_eq!(plan["choices"].as_array().unwrap().len(), 3);
    let roll = &plan["items"][1]["steps"][2]["timing"];
    assert_eq!(*roll, json!({"kind": "bouts", "count": 3, "work_seconds": 30, "rest_seconds": 20}));
    let total: u64 = plan["items"].as_array().unwrap().iter().map(|i| i["seconds"].as_u64().unwrap()).sum();
    assert_eq!(plan["total_seconds"].as_u64().unwrap(), total + plan["get_ready_seconds"].as_u64().unwrap());
}

#[test]
fn techniques_json_has_doses_with_sources() {
    let (_, stdout, _) = run(&["techniques", "--format", "json"], "");
    let techniques: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let massager = techniques.as_array().unwrap().iter().find(|t| t["id"] == "electric_massager").unwrap();
    assert_eq!(massager["doses"]["session_max_seconds"]["value"], 600);
    assert!(!massager["doses"]["session_max_seconds"]["source"].as_str().unwrap().is_empty());
    assert_eq!(massager["variants"].as_array().unwrap().len(), 2);
}

/// The techniques under "You may use:", up to the next blank line.
fn may_use(page: &str) -> Vec<&str> {
    page.split("\n\n")
        .find_map(|part| part.strip_prefix("You may use:\n"))
        .map(|list| list.lines().map(|l| l.trim_start_matches("  - ")).collect())
        .unwrap_or_default()
}

#[test]
fn you_may_use_only_what_you_have() {
    // Only a foam roller: the massage gun is allowed by the screening but
    // not something this person can use.
    let intake = person(json!({"equipment": ["foam_roller"]}));
    for command in ["check", "plan"] {
        let page = text(&[command, "--intake", "-"], &intake);
        assert_eq!(may_use(&page), ["Foam roller", "Knuckle massage"], "{command}:\n{page}");
    }
    // Nothing to massage with: the hands alone.
    let page = text(&["check", "--intake", "-"], &person(json!({})));
    assert_eq!(may_use(&page), ["Knuckle massage"], "{page}");
}

#[test]
fn text_fits_a_narrow_terminal_between_words() {
    use crate::tmux::{Tmux, assert_wrapped_by_words};
    let t = Tmux::knead_in(60, &["techniques"], &[("NO_COLOR", "1")]);
    let screen = t.wait_for("[knead exited]", 10);
    assert!(screen.contains("At most"), "{screen}");
    assert_wrapped_by_words(&screen, 60);
}

/// `knead learn` says what the web's /learn page says, from the pack: the
/// causes, the benefits, when to stop, and the pain-over-time rule with the
/// pack's numbers.
#[test]
fn learn_reads_the_pack() {
    let page = text(&["learn"], &json!(null));
    let pack = knead_core::pack::ContentPack::builtin().unwrap();
    for topic in pack.education.causes.iter().chain(&pack.education.benefits).chain(&pack.education.stop) {
        assert!(page.contains(&topic.title), "{} is missing:\n{page}", topic.title);
    }
    let flat = page.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(&pack.escalation.in_words()), "{flat}");
    assert!(flat.contains("reaches 7 out of 10") && flat.contains("after 2 weeks"), "{flat}");
    insta::assert_snapshot!("learn", page);
}
