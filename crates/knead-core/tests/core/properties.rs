//! Invariants over many generated intakes and command sequences.

use crate::support::pack;
use knead_core::clock::Tick;
use knead_core::intake::Intake;
use knead_core::limits;
use knead_core::planner::{self, DayUsage, Kit};
use knead_core::screening::{self, ScreeningResult};
use knead_core::session::{Command, Session};
use knead_core::vocab::{
    Character, Disposition, Equipment, History, Onset, Pattern, Radiation, Skin, Symptom, TechniqueId,
    Vocabulary,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn words<V: Vocabulary>() -> impl Strategy<Value = Vec<&'static str>> {
    proptest::sample::subsequence(
        V::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        0..=V::ALL.len().min(4),
    )
}

prop_compose! {
    fn intake_json()(
        age in prop_oneof![0u8..=120, 14u8..=19, 44u8..=70],
        intensity in 0u8..=10,
        duration in prop_oneof![0u16..=100, 0u16..=36500],
        sudden in any::<bool>(),
        trauma in any::<bool>(),
        character in words::<Character>(),
        pattern in words::<Pattern>(),
        radiates in words::<Radiation>(),
        symptoms in words::<Symptom>(),
        history in words::<History>(),
        skin in words::<Skin>(),
        equipment in words::<Equipment>(),
        helper in any::<bool>(),
        cleared in any::<bool>(),
    ) -> Value {
        json!({
            "age_years": age,
            "pain": {
                "intensity": intensity, "duration_days": duration,
                "onset": if sudden { Onset::Sudden.as_str() } else { Onset::Gradual.as_str() },
                "after_trauma": trauma, "character": character, "pattern": pattern, "radiates_to": radiates,
            },
            "symptoms": symptoms, "history": history, "skin_at_site": skin,
            "equipment": equipment, "helper_available": helper, "clinician_cleared": cleared,
        })
    }
}

fn screen(value: &Value) -> (Intake, ScreeningResult) {
    let intake = Intake::from_json(&value.to_string()).unwrap();
    let result = screening::screen(&pack(), &intake);
    (intake, result)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn a_red_flag_never_yields_a_plan(value in intake_json()) {
        let (_, result) = screen(&value);
        let red_flag = result.reasons.iter().any(|r| r.disposition >= Disposition::Urgent);
        if red_flag || result.disposition > Disposition::SelfCareWithLimits {
            prop_assert!(result.permit().is_err());
            prop_assert!(result.techniques.allowed.is_empty());
        }
        if red_flag {
            prop_assert!(result.disposition >= Disposition::Urgent, "clearance never lifts a red flag");
        }
    }

    #[test]
    fn the_most_severe_rule_decides(value in intake_json()) {
        let (intake, result) = screen(&value);
        let deciding = result
            .reasons
            .iter()
            .map(|r| r.disposition)
            .filter(|d| !(intake.clinician_cleared && *d == Disposition::SeeDoctorFirst))
            .max()
            .unwrap_or(Disposition::SelfCare);
        prop_assert_eq!(result.disposition, deciding);
        let order: Vec<_> = result.reasons.iter().map(|r| r.disposition).collect();
        prop_assert!(order.windows(2).all(|w| w[0] >= w[1]), "most severe first");
        prop_assert_eq!(result.cleared_by_clinician,
            intake.clinician_cleared && result.reasons.first().is_some_and(|r| r.disposition > result.disposition));
    }

    #[test]
    fn hands_are_never_excluded(value in intake_json()) {
        let (_, result) = screen(&value);
        prop_assert!(result.techniques.excluded.iter().all(|e| e.technique != TechniqueId::Hands));
        if result.disposition <= Disposition::SelfCareWithLimits {
            prop_assert!(result.techniques.allowed.contains(&TechniqueId::Hands));
        }
    }

    #[test]
    fn equipment_and_helper_never_change_the_result(value in intake_json(), equipment in words::<Equipment>(), helper in any::<bool>()) {
        let (_, a) = screen(&value);
        let mut other = value.clone();
        other["equipment"] = json!(equipment);
        other["helper_available"] = json!(helper);
        let (_, b) = screen(&other);
        prop_assert_eq!(a.disposition, b.disposition);
        prop_assert_eq!(a.techniques, b.techniques);
    }

    #[test]
    fn an_excluded_technique_never_appears_in_a_plan(value in intake_json(), sessions in 0u32..4, used in 0u32..2000) {
        let pack = pack();
        let (intake, result) = screen(&value);
        let Ok(permit) = result.permit() else { return Ok(()) };
        let kit = Kit { equipment: intake.equipment.clone(), helper_available: intake.helper_available };
        let today = DayUsage { sessions, seconds: [(TechniqueId::ElectricMassager, used)].into() };
        match planner::plan(&pack, &permit, &kit, &today) {
            Ok(plan) => {
                for item in &plan.items {
                    prop_assert!(result.techniques.allowed.contains(&item.technique));
                    prop_assert!(!result.techniques.excluded.iter().any(|e| e.technique == item.technique));
                    let day_left = pack.technique(item.technique).doses.daily_max_seconds.as_ref()
                        .map_or(u32::MAX, |d| d.value.saturating_sub(today.seconds.get(&item.technique).copied().unwrap_or(0)));
                    prop_assert!(item.cap_seconds <= day_left);
                }
                prop_assert!(sessions < pack.daily_sessions_max.value);
            }
            Err(planner::NoPlan::DailyLimit { .. }) => prop_assert!(sessions >= pack.daily_sessions_max.value),
            Err(planner::NoPlan::NothingFits) => prop_assert!(false, "hands always fit"),
        }
    }

    #[test]
    fn limits_hold_whatever_the_person_does(
        commands in proptest::collection::vec((0u64..40_000, 0u8..6, 1u32..400), 0..80),
        used in 0u32..1800,
    ) {
        let today = DayUsage { sessions: 0, seconds: [(TechniqueId::ElectricMassager, used)].into() };
        let plan = crate::session::plan_with(&[Equipment::FoamRoller, Equipment::MassageGun], false, &today);
        let caps: Vec<_> = plan.items.iter().map(|i| (i.technique, u64::from(i.cap_seconds) * 1000)).collect();
        let (mut session, _) = Session::start(plan, Tick(0));
        let mut t = 0;
        for (gap, what, seconds) in commands {
            t += gap;
            let command = match what {
                0 => Command::TogglePause,
                1 => Command::Skip,
                2 | 3 => Command::Extend { seconds },
                4 => Command::Resume,
                _ => Command::Pause,
            };
            session.command(command, Tick(t));
        }
        session.command(Command::Resume, Tick(t));
        session.poll(Tick(t + 24 * 3_600_000));
        prop_assert!(session.ended().is_some());
        for (technique, cap) in caps {
            let active: u64 = session.records().iter().filter(|r| r.technique == technique).map(|r| r.active_ms).sum();
            prop_assert!(active <= cap, "{technique}: {active} > {cap}");
        }
        for r in session.records().iter().filter(|r| r.step_id == "roll") {
            prop_assert!(r.active_ms <= 3 * 30_000);
        }
    }
}

proptest! {
    /// The room a store checks and the words a person reads are one rule:
    /// a session fits its day exactly when no limit is broken.
    #[test]
    fn day_room_admits_exactly_what_breaks_no_limit(
        usage in proptest::collection::btree_map(
            proptest::sample::select(TechniqueId::ALL.to_vec()), 0u32..2_000, 0..4),
        sessions in 0u32..8,
        before in proptest::collection::btree_map(
            proptest::sample::select(TechniqueId::ALL.to_vec()), 0u32..4_000, 0..4),
    ) {
        let pack = pack();
        let day = DayUsage { sessions, seconds: before };
        let fits = limits::day_room(&pack, &usage).is_some_and(|room| room.admits(&day));
        prop_assert_eq!(fits, limits::broken_limits(&pack, &usage, &day).is_empty());
    }
}
