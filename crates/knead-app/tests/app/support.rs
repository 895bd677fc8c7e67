//! A journal in a temporary folder, the built-in pack and a clock that
//! stands still where a test puts it.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use knead_app::App;
use knead_app::clock::Now;
use knead_core::intake::Intake;
use knead_core::pack::ContentPack;
use knead_core::records::{PersonId, SessionRecord, SessionStatus};
use knead_core::units::PainScore;
use knead_core::vocab::TechniqueId;
use knead_store::Store;
use knead_store::sqlite::SqliteStore;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// A clock a test sets.
#[derive(Debug)]
pub struct Fixed(Mutex<DateTime<Utc>>);

impl Fixed {
    pub fn at(at: DateTime<Utc>) -> Fixed {
        Fixed(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap() = at;
    }
}

impl Now for Fixed {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// Noon (UTC) on `day`.
pub fn noon(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
}

pub fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

pub struct World {
    pub app: App<SqliteStore>,
    pub store: SqliteStore,
    pub clock: Arc<Fixed>,
    pub person: PersonId,
    _dir: tempfile::TempDir,
}

pub async fn world(today: NaiveDate) -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("journal.sqlite3")).await.unwrap();
    let person = store.local_person().await.unwrap();
    let clock = Arc::new(Fixed(Mutex::new(noon(today))));
    let app = App::new(store.clone(), Arc::new(ContentPack::builtin().unwrap()), clock.clone());
    World { app, store, clock, person, _dir: dir }
}

/// The example intake: a gradual ache, self-care.
pub fn ordinary() -> Intake {
    Intake::from_json(
        r#"{"age_years": 42, "pain": {"intensity": 4, "duration_days": 10, "onset": "gradual",
            "character": ["aching"], "pattern": ["worse_with_movement"]}, "equipment": ["foam_roller"]}"#,
    )
    .unwrap()
}

/// A logged session at noon on `on`, pain `before` -> `after`.
pub fn logged(on: NaiveDate, before: i64, after: i64) -> SessionRecord {
    let started_at = noon(on);
    SessionRecord {
        id: Uuid::now_v7(),
        screening_id: None,
        started_at,
        ended_at: Some(started_at + Duration::minutes(5)),
        status: SessionStatus::Logged,
        stop_reason: None,
        plan: None,
        steps: Vec::new(),
        usage: BTreeMap::from([(TechniqueId::Hands, 300)]),
        pain_before: PainScore::new(before).unwrap(),
        pain_after: Some(PainScore::new(after).unwrap()),
        region: None,
        note: None,
        pack_version: "test".to_owned(),
    }
}
