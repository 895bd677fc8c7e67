//! Pain over time is judged from each session's pain alone (a few bytes a
//! session, `Store::session_pains`), not from the sessions' summaries: the
//! §4 judgement and the pain by day must be what the summaries give, on
//! both backends, with days cut in the person's zone, a session that
//! counts for too little to show an effect, one in progress, several a
//! day, and a clearance that restarts the count.

use crate::support::{Fixed, day, logged, noon, ordinary};
use chrono::{Duration, FixedOffset};
use knead_app::progress::{CHART_DAYS, Judged};
use knead_app::{App, Zone};
use knead_core::outcomes::{self, Flag, PainReading};
use knead_core::pack::ContentPack;
use knead_core::records::{SessionRecord, SessionStatus, SessionSummary};
use knead_core::vocab::TechniqueId;
use knead_store::any::AnyStore;
use knead_store::{Period, Store};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use uuid::Uuid;

/// Five and a half hours east: a session at 20:00 UTC falls on the next day.
const ZONE: Zone = Zone::Fixed(FixedOffset::east_opt(5 * 3600 + 1800).unwrap());

/// A session at `hour` (UTC) on `on`.
fn at_hour(on: &str, hour: i64, before: i64, after: i64) -> SessionRecord {
    let s = logged(day(on), before, after);
    let shift = Duration::hours(hour - 12);
    SessionRecord { started_at: s.started_at + shift, ended_at: s.ended_at.map(|e| e + shift), ..s }
}

/// Two years of sessions that raise every §4 flag, some of them late in
/// the UTC day, with sessions that show no effect and one still open.
fn journal() -> Vec<SessionRecord> {
    let mut sessions = Vec::new();
    let first = day("2024-11-01");
    for i in 0..720u32 {
        let on = (first + chrono::Days::new(u64::from(i))).to_string();
        let before = i64::from(3 + i % 4);
        sessions.push(at_hour(&on, 8, before, before - 1));
        if i % 3 == 0 {
            // Late in the UTC day: the next day in the zone.
            sessions.push(at_hour(&on, 20, before + 1, before));
        }
        if i % 7 == 0 {
            // Stopped after too little massage: its pain after shows no effect.
            let mut stopped = at_hour(&on, 14, before, 0);
            stopped.status = SessionStatus::Stopped;
            stopped.usage = BTreeMap::from([(TechniqueId::Hands, 10)]);
            sessions.push(stopped);
        }
    }
    // Worse three days running, then a severe day, before a clearance.
    for (on, before, after) in [("2025-06-10", 8, 8), ("2025-06-11", 8, 9), ("2025-06-12", 9, 9)] {
        sessions.push(at_hour(on, 10, before, after));
    }
    let mut open = at_hour("2026-10-20", 9, 5, 0);
    (open.status, open.ended_at, open.pain_after, open.usage) =
        (SessionStatus::InProgress, None, None, BTreeMap::new());
    sessions.push(open);
    sessions
}

/// The judgement as it was made from the summaries, to hold the new one to.
fn from_summaries(
    pack: &ContentPack,
    summaries: &[SessionSummary],
    judged: &Judged,
) -> Vec<(chrono::NaiveDate, f64, Option<f64>, u32)> {
    let readings: Vec<PainReading> = summaries
        .iter()
        .map(|s| PainReading { day: ZONE.day(s.started_at), before: s.pain_before, after: s.pain_after })
        .collect();
    let assessment = outcomes::assess(&pack.escalation, &readings, judged.today, judged.cleared_on);
    assert_eq!(judged.assessment, assessment, "the same §4 judgement");
    assert_eq!(judged.readings, readings);
    let min = pack.session_counted_min.value;
    let mut days: BTreeMap<chrono::NaiveDate, (u32, u32, u32, u32)> = BTreeMap::new();
    for (r, s) in readings.iter().zip(summaries) {
        let e = days.entry(r.day).or_default();
        (e.0, e.1) = (e.0 + u32::from(r.before.get()), e.1 + 1);
        if let Some(a) = s.effect_after(min) {
            (e.2, e.3) = (e.2 + u32::from(a.get()), e.3 + 1);
        }
    }
    days.into_iter()
        .map(|(d, (b, n, a, m))| {
            (d, f64::from(b) / f64::from(n), (m > 0).then(|| f64::from(a) / f64::from(m)), n)
        })
        .collect()
}

async fn judged_alike(store: AnyStore) {
    let pack = Arc::new(ContentPack::builtin().unwrap());
    let clock = Arc::new(Fixed::at(noon(day("2026-10-31"))));
    let app = App::new(store.clone(), Arc::clone(&pack), clock.clone());
    let person = store.local_person().await.unwrap();
    for s in journal() {
        store.record_session(person, &s).await.unwrap();
    }
    // A session of somebody else is never judged.
    store
        .record_session(knead_core::records::PersonId(Uuid::now_v7()), &at_hour("2026-10-30", 8, 10, 10))
        .await
        .unwrap();
    let own = app.patient(person);
    let summaries = store.session_summaries(person, Period::default()).await.unwrap();

    let judged = own.judge(ZONE).await.unwrap();
    let names: BTreeSet<&str> = judged.assessment.flags.iter().map(Flag::name).collect();
    assert!(names.contains("worsening") && names.contains("severe"), "{names:?}");
    let by_day: Vec<_> =
        judged.by_day(None).into_iter().map(|d| (d.day, d.before, d.after, d.sessions)).collect();
    assert_eq!(by_day, from_summaries(&pack, &summaries, &judged), "the same pain by day");
    let charted: Vec<_> = judged.charted().map(|p| ZONE.day(p.started_at)).collect();
    let window = judged.today - chrono::Days::new(u64::from(CHART_DAYS) - 1);
    let expected: Vec<_> = summaries
        .iter()
        .map(|s| ZONE.day(s.started_at))
        .filter(|d| (window..=judged.today).contains(d))
        .collect();
    assert!(expected.len() > 300 && expected.len() < summaries.len());
    assert_eq!(charted, expected, "the chart draws the last year");

    // A clearance restarts the count: judged from the day after it.
    let (_, screening) = own.screen(Uuid::now_v7(), ordinary(), None).await.unwrap();
    own.clear_self(&screening, "Dr Lee", day("2026-10-31"), ZONE).await.unwrap();
    clock.set(noon(day("2026-11-20")));
    let cleared = own.judge(ZONE).await.unwrap();
    assert_eq!(cleared.cleared_on, Some(day("2026-10-31")));
    assert!(cleared.stop().is_none(), "{:?}", cleared.assessment.flags);
    from_summaries(&pack, &summaries, &cleared);
}

#[tokio::test]
async fn the_judgement_from_each_sessions_pain_is_the_summaries_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("journal.sqlite3").display());
    judged_alike(AnyStore::open(&url).await.unwrap()).await;
}

#[tokio::test]
async fn the_judgement_from_each_sessions_pain_is_the_summaries_on_postgres() {
    let Some(server) = knead_testkit::postgres::server_url() else { return };
    let (_database, url) = knead_testkit::postgres::TestDatabase::create(&server).await;
    let store = AnyStore::open(&url).await.unwrap();
    judged_alike(store.clone()).await;
    store.close().await;
}
