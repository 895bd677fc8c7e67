//! `knead start` end to end in a pseudo-terminal: the questions, the
//! result, the guided session, the journal, and a kill in the middle.

use crate::tmux::{Tmux, assert_wrapped_by_words, data_dir, journal};
use knead_core::records::SessionStatus;
use knead_store::{Period, Store};

/// Answer the questionnaire: 40 years old, pain 4 for 5 days, aching, a
/// foam roller, with `symptoms` ticked (by their position in the pack's
/// list: 0 = chest pain).
fn answer_questions(t: &Tmux, symptoms: &[usize]) {
    answer_questions_with(t, "5", symptoms);
}

pub(crate) fn answer_questions_with(t: &Tmux, days: &str, symptoms: &[usize]) {
    t.answer("How old are you?", &["40", "Enter"]);
    t.answer("How bad is your back pain", &["4", "Enter"]);
    t.answer("How many days ago", &[days, "Enter"]);
    t.answer("How did the pain start?", &["Enter"]);
    t.answer("after a fall", &["n", "Enter"]);
    t.answer("How does the pain feel?", &["Space", "Enter"]);
    t.answer("How does the pain behave?", &["Enter"]);
    t.answer("Does the pain spread", &["Enter"]);
    t.wait_for("any of these right now?", 10);
    let mut at = 0;
    for &s in symptoms {
        while at < s {
            t.keys(&["Down"]);
            at += 1;
        }
        t.keys(&["Space"]);
    }
    t.keys(&["Enter"]);
    t.answer("Does any of this apply", &["Enter"]);
    t.answer("anything on the skin", &["Enter"]);
    t.answer("What do you have to massage with?", &["Space", "Enter"]);
    t.answer("Is someone with you", &["n", "Enter"]);
}

#[test]
fn a_whole_guided_session_is_screened_timed_and_recorded() {
    let dir = data_dir();
    let d = dir.path().to_str().unwrap();
    let t = Tmux::knead(&["start", "--data-dir", d, "--time-scale", "1000"], &[("NO_COLOR", "1")]);
    answer_questions(&t, &[]);
    t.wait_for("SELF-CARE", 10);
    let screen = t.wait_for("before you start", 10);
    // A foam roller only: the massage gun is not offered, nor named.
    assert!(screen.contains("You may use:"), "{screen}");
    assert!(!screen.contains("Massage gun"), "{screen}");
    t.keys(&["Enter"]);
    t.answer("Where is the pain?", &["Enter"]);
    t.answer("Start the guided session now?", &["Enter"]);
    let frame = t.wait_for("KNEAD ", 10);
    assert!(frame.contains("space pause"), "{frame}");
    // tmux 3.3 speaks no image protocol: the figure's words stand in.
    assert!(frame.contains("Picture: "), "{frame}");
    t.wait_for("after the session", 60);
    t.keys(&["3", "Enter"]);
    t.answer("Anything new", &["Enter"]);
    t.answer("A note for your journal?", &["loosened up", "Enter"]);
    let summary = t.wait_for("Saved in your journal", 10);
    assert!(summary.contains("Pain: 4 before, 3 after (1 point better)"), "{summary}");
    assert!(!summary.contains('\x1b'));

    let (rt, store) = journal(dir.path());
    let person = rt.block_on(store.local_person()).unwrap();
    let sessions = rt.block_on(store.session_summaries(person, Period::default())).unwrap();
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!(s.status, SessionStatus::Completed);
    assert_eq!((s.pain_before.get(), s.pain_after.map(|p| p.get())), (4, Some(3)));
    assert_eq!(s.note.as_deref(), Some("loosened up"));
    let full = rt.block_on(store.session(person, s.id)).unwrap().unwrap();
    let ids: Vec<_> = full.steps.iter().map(|s| (s.step_id.as_str(), s.active_seconds)).collect();
    assert_eq!(full.steps.len(), 8, "every step of hands and roller is kept: {ids:?}");
    let screenings = rt.block_on(store.screenings(person, 10)).unwrap();
    assert_eq!(screenings.len(), 1);
}

#[test]
fn an_emergency_fills_the_screen_and_offers_no_session() {
    let dir = data_dir();
    let d = dir.path().to_str().unwrap();
    let t = Tmux::knead(&["start", "--data-dir", d], &[]);
    answer_questions(&t, &[0]);
    let screen = t.wait_for("[knead exited]", 10);
    assert!(screen.contains("EMERGENCY: CALL EMERGENCY SERVICES NOW"), "{screen}");
    assert!(screen.contains("No self-massage today"), "{screen}");
    assert!(!screen.contains("Start the guided session"), "{screen}");
    let (rt, store) = journal(dir.path());
    let person = rt.block_on(store.local_person()).unwrap();
    assert!(rt.block_on(store.session_summaries(person, Period::default())).unwrap().is_empty());
    let screenings = rt.block_on(store.screenings(person, 10)).unwrap();
    assert_eq!(screenings[0].disposition, knead_core::vocab::Disposition::Emergency);
}

#[test]
fn a_killed_session_is_kept_as_interrupted() {
    let dir = data_dir();
    let d = dir.path().to_str().unwrap();
    let t = Tmux::knead(&["start", "--data-dir", d, "--time-scale", "10"], &[]);
    answer_questions(&t, &[]);
    t.answer("before you start", &["Enter"]);
    t.answer("Where is the pain?", &["Enter"]);
    t.answer("Start the guided session now?", &["Enter"]);
    // Wait until the second step is on screen: the first is in the journal.
    t.wait_for("step 2 of 4", 20);
    let pid = t.knead_pid();
    let killed = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap();
    assert!(killed.success());
    t.wait_until_gone(pid, 10);

    let (rt, store) = journal(dir.path());
    let person = rt.block_on(store.local_person()).unwrap();
    let open = rt.block_on(store.session_summaries(person, Period::default())).unwrap();
    assert_eq!(open.len(), 1, "the session was kept");
    assert_eq!(open[0].status, SessionStatus::InProgress);
    assert_eq!(rt.block_on(store.interrupt_open_sessions(person)).unwrap(), 1);
    let kept = rt.block_on(store.session(person, open[0].id)).unwrap().unwrap();
    assert_eq!(kept.status, SessionStatus::Interrupted);
    assert!(!kept.steps.is_empty(), "finished steps survive the kill");
    assert_eq!(kept.ended_at, kept.steps.last().map(|s| s.ended_at));
}

#[test]
fn a_clinicians_clearance_is_offered_recorded_and_lifts_doctor_first() {
    let dir = data_dir();
    let d = dir.path().to_str().unwrap();
    let t = Tmux::knead(&["start", "--data-dir", d], &[("NO_COLOR", "1")]);
    // 60 days of pain: "see a doctor first" (SD-02), which clearance may lift.
    answer_questions_with(&t, "60", &[]);
    let screen = t.wait_for("physiotherapist already assessed", 10);
    assert!(screen.contains("SEE A DOCTOR FIRST"), "{screen}");
    // The 94-character question, at 80 columns, breaks between words.
    assert_wrapped_by_words(&screen, 80);
    t.keys(&["y", "Enter"]);
    t.answer("Who cleared you?", &["Dr Lee, GP", "Enter"]);
    t.answer("On what day?", &["Enter"]);
    let screen = t.wait_for("before you start", 10);
    assert!(screen.contains("A clinician has cleared you"), "{screen}");
    t.keys(&["Escape"]);
    t.wait_for("[knead exited]", 10);

    let (rt, store) = journal(dir.path());
    let person = rt.block_on(store.local_person()).unwrap();
    let screenings = rt.block_on(store.screenings(person, 10)).unwrap();
    let kept = &screenings[0];
    assert_eq!(kept.disposition, knead_core::vocab::Disposition::SelfCare);
    assert!(kept.intake.clinician_cleared);
    assert_eq!(kept.clearance.as_ref().unwrap().by, "Dr Lee, GP");
    assert_eq!(kept.result["cleared_by_clinician"], true);
    assert!(rt.block_on(store.session_summaries(person, Period::default())).unwrap().is_empty());
}

#[test]
fn voice_without_espeak_says_so_and_carries_on() {
    let dir = data_dir();
    let d = dir.path().to_str().unwrap();
    let t = Tmux::knead(&["start", "--voice", "--data-dir", d], &[("PATH", "/nonexistent")]);
    let screen = t.wait_for("How old are you?", 10);
    assert!(screen.contains("spoken cues need espeak-ng"), "{screen}");
    assert!(screen.contains("Carrying on without a voice"), "{screen}");
    t.keys(&["Escape"]);
    t.wait_for("Cancelled. Nothing was saved.", 10);
}
