//! The handout goes by the plan's rules: nothing without a screening that
//! allows self-care or while §4 calls for a doctor first; what goes in is
//! what the screening allows, done the ways the kit allows.

use crate::support::{day, logged, ordinary, world};
use knead_app::Zone;
use knead_core::intake::Intake;
use knead_core::planner::Kit;
use knead_core::vocab::{Equipment, TechniqueId};
use knead_store::Store;
use uuid::Uuid;

const UTC: Zone = Zone::Fixed(chrono::FixedOffset::east_opt(0).unwrap());

#[tokio::test]
async fn no_handout_before_a_screening() {
    let w = world(day("2026-11-20")).await;
    let refused = w.app.patient(w.person).handout(None, UTC).await.unwrap_err();
    assert_eq!(refused.refusal().map(|r| r.kind), Some("no-screening"), "{refused:?}");
}

#[tokio::test]
async fn the_screenings_kit_decides_the_techniques_and_their_ways() {
    let w = world(day("2026-11-20")).await;
    let own = w.app.patient(w.person);
    own.screen(Uuid::now_v7(), ordinary(), None).await.unwrap();
    // The example owns a foam roller and has no helper: no massager.
    let handout = own.handout(None, UTC).await.unwrap();
    let techniques: Vec<_> = handout.items.iter().map(|i| i.technique).collect();
    assert_eq!(techniques, [TechniqueId::Hands, TechniqueId::FoamRoller], "in the pack's order");
    assert!(handout.items.iter().all(|i| i.variants == ["alone"]), "{handout:?}");
    assert!(handout.program.is_none());
    // A kit given (the web's plan page) is used instead.
    let kit = Kit { equipment: [Equipment::MassageGun].into(), helper_available: true };
    let handout = own.handout(Some(kit), UTC).await.unwrap();
    let massager = handout.items.iter().find(|i| i.technique == TechniqueId::ElectricMassager).unwrap();
    assert_eq!(massager.variants, ["with_helper"]);
    assert!(handout.items.iter().all(|i| i.technique != TechniqueId::FoamRoller));
}

#[tokio::test]
async fn a_warning_sign_or_worse_pain_prints_nothing() {
    let w = world(day("2026-11-20")).await;
    let own = w.app.patient(w.person);
    let emergency = Intake::from_json(
        r#"{"age_years": 55, "pain": {"intensity": 7, "duration_days": 0}, "symptoms": ["chest_pain"]}"#,
    )
    .unwrap();
    own.screen(Uuid::now_v7(), emergency, None).await.unwrap();
    let refused = own.handout(None, UTC).await.unwrap_err();
    assert_eq!(refused.refusal().map(|r| r.kind), Some("no-self-care"), "{refused:?}");

    let w = world(day("2026-11-20")).await;
    for (on, before, after) in [("2026-11-17", 4, 6), ("2026-11-18", 5, 7), ("2026-11-19", 6, 8)] {
        w.store.record_session(w.person, &logged(day(on), before, after)).await.unwrap();
    }
    let own = w.app.patient(w.person);
    own.screen(Uuid::now_v7(), ordinary(), None).await.unwrap();
    let refused = own.handout(None, UTC).await.unwrap_err();
    assert_eq!(refused.refusal().map(|r| (r.kind, r.flag)), Some(("escalation", Some("worsening"))));
}
