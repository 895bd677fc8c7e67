//! §4 of the screening reference decides plans, reminders and clearances
//! through one use case: pain clearly worse on consecutive days stops a
//! plan (naming the flag) until a clearance restarts the count.

use crate::support::{day, logged, noon, ordinary, world};
use knead_app::clearance::Lift;
use knead_app::{Error, Zone};
use knead_core::planner::Kit;
use knead_store::Store;
use uuid::Uuid;

const UTC: Zone = Zone::Fixed(chrono::FixedOffset::east_opt(0).unwrap());

fn kit() -> Kit {
    Kit { equipment: Default::default(), helper_available: false }
}

#[tokio::test]
async fn worse_pain_stops_plans_until_a_clearance_restarts_the_count() {
    let w = world(day("2026-11-20")).await;
    for (on, before, after) in [("2026-11-17", 4, 6), ("2026-11-18", 5, 7), ("2026-11-19", 6, 8)] {
        w.store.record_session(w.person, &logged(day(on), before, after)).await.unwrap();
    }
    let own = w.app.patient(w.person);
    let (_, screening) = own.screen(Uuid::now_v7(), ordinary(), None).await.unwrap();

    let refused = own.plan_today(screening.id, kit(), UTC).await.unwrap_err();
    let Error::Refused(refusal) = refused else { panic!("{refused:?}") };
    assert_eq!((refusal.kind, refusal.flag), ("escalation", Some("worsening")), "{refusal:?}");
    assert!(refusal.detail.contains("answer the safety questions again and say so"), "{}", refusal.detail);
    assert!(own.reminders_paused(UTC).await.unwrap());

    // The screening allows self-care: the clearance offered is for §4.
    assert!(matches!(own.lift(&screening, UTC).await.unwrap(), Lift::Now(_)));
    // A clearance from before the worse days does not cover them.
    let early = own.clear_self(&screening, "Dr Lee", day("2026-11-16"), UTC).await.unwrap_err();
    assert!(matches!(&early, Error::Invalid { field, .. } if field == "clearance.on"), "{early:?}");
    assert!(own.plan_today(screening.id, kit(), UTC).await.is_err(), "nothing was kept");

    let cleared = own.clear_self(&screening, "Dr Lee", day("2026-11-20"), UTC).await.unwrap();
    assert!(cleared.intake.clinician_cleared);
    let planned = own.plan_today(cleared.id, kit(), UTC).await.unwrap();
    assert_eq!(planned.screening, cleared.id);
    assert!(!own.reminders_paused(UTC).await.unwrap());
}

#[tokio::test]
async fn a_session_done_before_the_flag_is_still_kept() {
    let w = world(day("2026-11-18")).await;
    let own = w.app.patient(w.person);
    let (_, screening) = own.screen(Uuid::now_v7(), ordinary(), None).await.unwrap();
    let mut offline = logged(day("2026-11-18"), 4, 3);
    offline.status = knead_core::records::SessionStatus::Completed;
    offline.screening_id = Some(screening.id);
    // The flag is raised by sessions on the next days...
    for (on, before, after) in [("2026-11-19", 6, 7), ("2026-11-20", 7, 8)] {
        w.store.record_session(w.person, &logged(day(on), before, after)).await.unwrap();
    }
    w.clock.set(noon(day("2026-11-20")));
    assert!(own.check_progress(UTC).await.is_err());
    // ...and the session done offline before them arrives only now.
    own.record_session(&offline, UTC).await.unwrap();
    assert_eq!(w.store.session(w.person, offline.id).await.unwrap(), Some(offline));
}

#[tokio::test]
async fn a_plan_goes_only_from_todays_newest_screening() {
    let w = world(day("2026-11-20")).await;
    let own = w.app.patient(w.person);
    let (_, old) = own.screen(Uuid::now_v7(), ordinary(), None).await.unwrap();
    w.clock.set(noon(day("2026-11-21")));
    let stale = own.plan_today(old.id, kit(), UTC).await.unwrap_err();
    assert_eq!(stale.refusal().map(|r| r.kind), Some("stale-screening"));
    let (_, new) = own.screen(Uuid::now_v7(), ordinary(), None).await.unwrap();
    assert!(own.plan_today(new.id, kit(), UTC).await.is_ok());
    let older = own.plan_today(old.id, kit(), UTC).await.unwrap_err();
    assert_eq!(older.refusal().map(|r| r.title.as_str()), Some("A newer screening decides"));
}
