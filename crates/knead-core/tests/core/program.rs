//! The home program: built only within the pack's limits and the screening's
//! permit; each refusal names the field, the limit and where it comes from.

use crate::support::{pack, screen};
use knead_core::planner::{self, DayUsage, Kit, NoPlan};
use knead_core::program::{HomeProgram, ProgramError, ProgramRequest, SetBy};
use knead_core::screening::Permit;
use knead_core::vocab::{Equipment, TechniqueId, Vocabulary};
use serde_json::json;
use std::collections::BTreeSet;

fn permit() -> Permit {
    screen(json!({})).permit().unwrap()
}

fn request() -> ProgramRequest {
    ProgramRequest {
        techniques: [TechniqueId::Hands, TechniqueId::FoamRoller].into(),
        sessions_per_day: 2,
        days_per_week: 5,
        weeks: 4,
        note: Some("  Stop if it tingles.  ".to_owned()),
        set_by: SetBy::Clinician(" Dr Rivera ".to_owned()),
    }
}

fn refused(permit: &Permit, request: ProgramRequest) -> ProgramError {
    HomeProgram::new(&pack(), permit, request).unwrap_err()
}

#[test]
fn a_program_within_the_limits_is_kept_trimmed() {
    let program = HomeProgram::new(&pack(), &permit(), request()).unwrap();
    assert_eq!(program.sessions_per_day(), 2);
    assert_eq!((program.days_per_week(), program.weeks()), (5, 4));
    assert_eq!(program.note(), Some("Stop if it tingles."));
    assert_eq!(program.set_by(), &SetBy::Clinician("Dr Rivera".to_owned()));
    let max = pack().daily_sessions_max.value;
    let at_the_limit = ProgramRequest { sessions_per_day: max, note: Some(" ".to_owned()), ..request() };
    let program = HomeProgram::new(&pack(), &permit(), at_the_limit).unwrap();
    assert_eq!(program.note(), None);
}

#[test]
fn more_sessions_a_day_than_the_pack_allows_is_refused_naming_the_limit_and_its_source() {
    let daily = pack().daily_sessions_max;
    for value in [0, daily.value + 1] {
        let error = refused(&permit(), ProgramRequest { sessions_per_day: value, ..request() });
        assert_eq!(error.field(), "sessions_per_day");
        let text = error.to_string();
        assert!(text.starts_with("sessions_per_day: "), "{text}");
        assert!(text.contains(&format!("allowed: 1 to {}", daily.value)), "{text}");
        assert!(text.contains("daily.sessions_max") && text.contains(&daily.source), "{text}");
    }
}

#[test]
fn a_technique_the_screening_ruled_out_is_refused_naming_the_rule_and_its_source() {
    // Blood thinners: the pack rules out the foam roller and the massager.
    let permit = screen(json!({"history": ["anticoagulants"]})).permit().unwrap();
    let error = refused(&permit, request());
    assert_eq!(error.field(), "techniques");
    let text = error.to_string();
    let rule =
        pack().screening.rules.into_iter().find(|r| r.excludes.contains(&TechniqueId::FoamRoller)).unwrap();
    assert!(text.starts_with("techniques: foam_roller is ruled out"), "{text}");
    assert!(text.contains(&format!("rule {}", rule.id)) && text.contains(&rule.source), "{text}");
    assert!(text.ends_with("allowed: hands"), "{text}");
    let hands_only = ProgramRequest { techniques: [TechniqueId::Hands].into(), ..request() };
    assert!(HomeProgram::new(&pack(), &permit, hands_only).is_ok());
}

#[test]
fn the_other_fields_are_refused_naming_the_field_and_what_is_allowed() {
    let cases = [
        (ProgramRequest { techniques: Default::default(), ..request() }, "techniques", "one or more of"),
        (ProgramRequest { days_per_week: 0, ..request() }, "days_per_week", "allowed: 1 to 7"),
        (ProgramRequest { days_per_week: 8, ..request() }, "days_per_week", "allowed: 1 to 7"),
        (ProgramRequest { weeks: 0, ..request() }, "weeks", "allowed: 1 to 52"),
        (ProgramRequest { weeks: 65_535, ..request() }, "weeks", "allowed: 1 to 52"),
        (
            ProgramRequest { set_by: SetBy::Clinician("  ".to_owned()), ..request() },
            "set_by",
            "allowed: a name",
        ),
    ];
    for (request, field, allowed) in cases {
        let error = refused(&permit(), request);
        assert_eq!(error.field(), field);
        let text = error.to_string();
        assert!(text.starts_with(&format!("{field}: ")) && text.contains(allowed), "{text}");
    }
}

#[test]
fn a_plan_that_follows_a_program_keeps_to_its_techniques_and_its_sessions_a_day() {
    let program = HomeProgram::new(&pack(), &permit(), request()).unwrap();
    let kit = Kit { equipment: Equipment::ALL.iter().copied().collect(), helper_available: false };
    let fresh = DayUsage::default();
    let plan = planner::plan_program(&pack(), &permit(), &kit, &fresh, &program).unwrap();
    let planned: BTreeSet<TechniqueId> = plan.items.iter().map(|i| i.technique).collect();
    assert_eq!(&planned, program.techniques());
    let left_out = plan.choices.iter().find(|c| c.technique == TechniqueId::ElectricMassager).unwrap();
    assert!(!left_out.included && left_out.why.contains("not in your home program (set by Dr Rivera)"));
    // The same kit without a program would have planned the massager too.
    let free = planner::plan(&pack(), &permit(), &kit, &fresh).unwrap();
    assert!(free.items.iter().any(|i| i.technique == TechniqueId::ElectricMassager));

    let done_for_today = DayUsage { sessions: program.sessions_per_day(), ..DayUsage::default() };
    let refusal = planner::plan_program(&pack(), &permit(), &kit, &done_for_today, &program).unwrap_err();
    assert!(matches!(refusal, NoPlan::DailyLimit { max: 2, .. }), "{refusal:?}");
    assert!(refusal.to_string().contains("your home program (set by Dr Rivera)"));
}

#[test]
fn a_program_runs_whole_weeks_from_its_first_day() {
    let monday = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let program = HomeProgram::new(&pack(), &permit(), request()).unwrap();
    assert_eq!(program.weeks(), 4);
    assert_eq!(program.last_day(monday), chrono::NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(), "a Sunday");
    assert_eq!(
        knead_core::program::last_day(monday, 1),
        chrono::NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()
    );
}
