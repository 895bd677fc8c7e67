//! The home-program handout from the two pages that link to it: the
//! patient's plan (their kit, what their screening allows) and the
//! clinician's view of a patient (the program they assigned, with a live
//! grant only). Both refuse while a warning sign stops self-massage. The
//! PDF is read back with poppler's `pdftotext` (installed by `.ci/deps`).

use crate::support::{
    TestApp, account, emergency_intake, header, invite_and_accept, json_of, self_care_intake, spawn_app,
    text_of, urgent_intake,
};
use reqwest::StatusCode;
use serde_json::json;
use std::process::Command;

/// A PDF answer's words, on one line; fails unless it is a PDF download.
async fn pdf_words(who: &TestApp, path: &str) -> String {
    let response = who.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(header(&response, "content-type"), "application/pdf");
    assert_eq!(header(&response, "content-disposition"), "attachment; filename=\"knead-handout.pdf\"");
    assert_eq!(header(&response, "cache-control"), "private, no-store");
    let pdf = response.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("handout.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed: run .ci/deps");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_plan_links_to_a_handout_of_its_kit_and_a_warning_sign_stops_it() {
    let app = spawn_app().await;
    let ana = account(&app, "ana@example.org", "patient").await;
    let screening = ana.screen(&self_care_intake()).await;
    let id = screening["id"].as_str().unwrap();
    let (status, _, page) =
        text_of(ana.get(&format!("/plan?screening={id}&equipment=foam_roller")).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let link = "/plan/handout.pdf?equipment=foam_roller";
    assert!(page.contains(&format!("href=\"{link}\"")), "{page}");

    let words = pdf_words(&ana, link).await;
    assert!(words.contains("Foam roller") && words.contains("Knuckle massage"), "{words}");
    assert!(!words.contains("Massage gun"), "no massager in this kit: {words}");
    assert!(words.contains("Stop and get help") && words.contains("Weak legs"), "{words}");

    ana.screen(&emergency_intake()).await;
    let (status, _, page) = text_of(ana.get(link).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("This screening does not allow a massage session"), "{page}");
}

#[tokio::test]
async fn a_clinician_prints_the_program_they_assigned_only_with_a_live_grant() {
    let app = spawn_app().await;
    let patient = account(&app, "pat@example.org", "patient").await;
    let clinician = account(&app, "doc@example.org", "clinician").await;
    let stranger = account(&app, "stranger@example.org", "clinician").await;
    let id = invite_and_accept(&patient, &clinician).await["patient"].as_str().unwrap().to_owned();
    patient.screen(&self_care_intake()).await;
    let path = format!("/clinic/patients/{id}/handout.pdf");

    let (status, _, page) = text_of(clinician.get(&path).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("No home program in force"), "{page}");

    let program = json!({ "techniques": ["hands"], "sessions_per_day": 2, "days_per_week": 5, "weeks": 4 });
    let response = clinician.put_json(&format!("/api/v1/patients/{id}/program"), &program).await;
    assert_eq!(json_of(response).await.0, StatusCode::OK);
    let (_, _, record) = text_of(clinician.get(&format!("/clinic/patients/{id}")).await).await;
    assert!(record.contains(&format!("href=\"{path}\"")), "{record}");
    let words = pdf_words(&clinician, &path).await;
    assert!(words.contains("Home program, set by doc@example.org"), "{words}");
    assert!(words.contains("Knuckle massage") && !words.contains("Foam roller"), "{words}");

    // No grant, no handout, and it looks like no patient at all.
    let (status, _, page) = text_of(stranger.get(&path).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
    assert!(!page.contains("pat@example.org"), "{page}");

    // A warning sign puts the program on hold: nothing to print.
    patient.screen(&urgent_intake()).await;
    let (status, _, page) = text_of(clinician.get(&path).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    let (_, _, record) = text_of(clinician.get(&format!("/clinic/patients/{id}")).await).await;
    assert!(!record.contains(&format!("href=\"{path}\"")), "no link while on hold: {record}");
}
