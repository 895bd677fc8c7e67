//! What only the SQLite file does: where it lives, its schema version,
//! what a killed process leaves behind, corrupt data, two writers, speed.

use crate::contract::{self, Backend, at, checkin, full_session, open_session, step, summary};
use chrono::{Duration, TimeZone, Utc};
use knead_core::records::{Journal, SessionRecord, SessionStatus};
use knead_core::vocab::TechniqueId;
use knead_store::accounts::{Account, Accounts, Role};
use knead_store::any::AnyStore;
use knead_store::calendars::{CalendarFeed, Calendars};
use knead_store::sharing::{Assignment, Sharing};
use knead_store::sqlite::{SqliteStore, schema_version};
use knead_store::{Period, Store, StoreError};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Executor};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A journal file in a temporary folder.
pub struct SqliteFile;

impl Backend for SqliteFile {
    type S = SqliteStore;
    type Guard = TempDir;
    async fn fresh() -> (TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("journal.db")).await.unwrap();
        (dir, store)
    }
}

/// A journal in memory.
pub struct SqliteMemory;

impl Backend for SqliteMemory {
    type S = SqliteStore;
    type Guard = ();
    async fn fresh() -> ((), SqliteStore) {
        ((), SqliteStore::open_in_memory().await.unwrap())
    }
}

/// A journal file opened the way `knead serve` opens one: by URL, through [`AnyStore`].
pub struct SqliteUrl;

impl Backend for SqliteUrl {
    type S = AnyStore;
    type Guard = TempDir;
    async fn fresh() -> (TempDir, AnyStore) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("journal.db").display());
        let store = AnyStore::open(&url).await.unwrap();
        assert!(matches!(store, AnyStore::Sqlite(_)));
        (dir, store)
    }
}

mod file {
    crate::contract::suite!(super::SqliteFile);
}

mod url {
    crate::contract::suite!(super::SqliteUrl);
}

#[tokio::test]
async fn unknown_database_urls_are_refused_without_their_secrets() {
    for url in ["mysql://root:hunter2@db/knead", "sqlite://", "knead.db"] {
        let err = AnyStore::open(url).await.unwrap_err().to_string();
        assert!(err.starts_with("database_url: "), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
}

mod memory {
    crate::contract::suite!(super::SqliteMemory);
}

/// A plain connection to the file, beside the store (as the `sqlite3` shell would be).
async fn raw(path: &Path) -> SqliteConnection {
    SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path).create_if_missing(true))
        .await
        .unwrap()
}

async fn user_version(path: &Path) -> i64 {
    sqlx::query_scalar("PRAGMA user_version").fetch_one(&mut raw(path).await).await.unwrap()
}

fn journal_path(dir: &TempDir) -> PathBuf {
    dir.path().join("journal.db")
}

#[tokio::test]
async fn open_creates_the_folder_and_keeps_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep").join("er").join("journal.db");
    let store = SqliteStore::open(&path).await.unwrap();
    assert!(path.is_file());
    let me = store.local_person().await.unwrap();
    let s = full_session(0);
    store.record_session(me, &s).await.unwrap();
    store.close().await;

    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(store.local_person().await.unwrap(), me, "the local person survives a restart");
    assert_eq!(store.session(me, s.id).await.unwrap(), Some(s));
    let mode: String =
        sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut raw(&path).await).await.unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn a_new_journal_has_this_builds_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    SqliteStore::open(&path).await.unwrap().close().await;
    assert!(schema_version() >= 1);
    assert_eq!(user_version(&path).await, schema_version());
}

#[tokio::test]
async fn a_journal_from_a_newer_knead_is_refused_before_anything_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    let future = schema_version() + 1;
    raw(&path).await.execute(format!("PRAGMA user_version = {future}").as_str()).await.unwrap();

    let err = SqliteStore::open(&path).await.unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found, supported } if found == future && supported == schema_version()),
        "{err:?}"
    );
    assert!(err.to_string().contains("update Knead"), "{err}");
    let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master")
        .fetch_one(&mut raw(&path).await)
        .await
        .unwrap();
    assert_eq!(tables, 0, "no migration ran");
    assert_eq!(user_version(&path).await, future);
}

#[tokio::test]
async fn a_newer_migration_on_record_is_refused_too() {
    // A newer Knead that migrated but died before writing user_version.
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    SqliteStore::open(&path).await.unwrap().close().await;
    let future = schema_version() + 7;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (?, 'from the future', 1, x'00', 0)",
    )
    .bind(future)
    .execute(&mut raw(&path).await)
    .await
    .unwrap();
    let err = SqliteStore::open(&path).await.unwrap_err();
    assert!(matches!(err, StoreError::TooNew { found, .. } if found == future), "{err:?}");
}

/// The migration files this build embeds, oldest first.
fn migration_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join("sqlite");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

#[tokio::test]
async fn a_journal_from_an_older_knead_is_migrated() {
    let files = migration_files();
    assert_eq!(
        i64::try_from(files.len()).unwrap(),
        schema_version(),
        "one file per version, numbered from 1"
    );
    // Every older version (0 = an empty file), and this one.
    for applied in 0..=files.len() {
        let dir = tempfile::tempdir().unwrap();
        let path = journal_path(&dir);
        let old = dir.path().join("old-migrations");
        std::fs::create_dir(&old).unwrap();
        for file in &files[..applied] {
            std::fs::copy(file, old.join(file.file_name().unwrap())).unwrap();
        }
        let mut conn = raw(&path).await;
        Migrator::new(old.as_path()).await.unwrap().run(&mut conn).await.unwrap();
        conn.execute(format!("PRAGMA user_version = {applied}").as_str()).await.unwrap();
        let person = uuid::Uuid::now_v7();
        if applied >= 1 {
            // Written as version 1 wrote it.
            sqlx::query("INSERT INTO persons (id, is_local) VALUES (?, 1)")
                .bind(person.to_string())
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query(
                "INSERT INTO checkins (id, person, at, week_pain, change) \
                 VALUES ('0195f3a0-0000-7000-8000-000000000001', ?, '2025-03-01T08:00:00.000000000Z', 4, 1)",
            )
            .bind(person.to_string())
            .execute(&mut conn)
            .await
            .unwrap();
        }
        if applied >= 2 {
            // An account as version 2 wrote it (before roles).
            sqlx::query(
                "INSERT INTO accounts (person, email, password_hash, created_at) \
                 VALUES (?, 'old@example.org', 'h', '2025-03-01T08:00:00.000000000Z')",
            )
            .bind(person.to_string())
            .execute(&mut conn)
            .await
            .unwrap();
        }
        conn.close().await.unwrap();

        let store = SqliteStore::open(&path).await.unwrap();
        assert_eq!(user_version(&path).await, schema_version(), "after {applied} migrations");
        let me = store.local_person().await.unwrap();
        let checkins = store.checkins(me).await.unwrap();
        if applied >= 1 {
            assert_eq!(me.0, person);
            assert_eq!(checkins.len(), 1);
            assert_eq!(checkins[0].at, Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap());
        } else {
            assert!(checkins.is_empty());
        }
        let old = store.account_by_email("old@example.org").await.unwrap();
        if applied >= 2 {
            assert_eq!(old.unwrap().role, Role::Patient, "accounts made before roles are patients");
        } else {
            assert_eq!(old, None);
        }
        store.close().await;
    }
}

#[tokio::test]
async fn a_session_survives_its_process_dying() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let me = store.local_person().await.unwrap();
    let open = open_session(0);
    let first = step(TechniqueId::FoamRoller, "roll-upper", 1, 60);
    let second = step(TechniqueId::Hands, "knuckles", 3, 45);
    store.begin_session(me, &open).await.unwrap();
    store.add_step(me, open.id, &first).await.unwrap();
    store.add_step(me, open.id, &second).await.unwrap();
    drop(store); // no finish, no close

    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(store.interrupt_open_sessions(me).await.unwrap(), 1);
    let kept = store.session(me, open.id).await.unwrap().unwrap();
    assert_eq!(kept.status, SessionStatus::Interrupted);
    assert_eq!(kept.ended_at, Some(second.ended_at));
    assert_eq!(kept.steps, vec![first, second]);
    assert_eq!(kept.usage.values().sum::<u32>(), 105);
}

#[tokio::test]
async fn the_files_left_by_a_killed_process_hold_every_committed_step() {
    // Copy the journal and its write-ahead log while the store is still open:
    // what a kill -9 leaves on disk (the shared-memory index is rebuilt).
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    let store = SqliteStore::open(&path).await.unwrap();
    let me = store.local_person().await.unwrap();
    let open = open_session(0);
    let second = step(TechniqueId::Hands, "knuckles", 3, 45);
    store.begin_session(me, &open).await.unwrap();
    store.add_step(me, open.id, &step(TechniqueId::FoamRoller, "roll-upper", 1, 60)).await.unwrap();
    store.add_step(me, open.id, &second).await.unwrap();

    let copy = tempfile::tempdir().unwrap();
    let copied = journal_path(&copy);
    std::fs::copy(&path, &copied).unwrap();
    let wal = dir.path().join("journal.db-wal");
    if wal.exists() {
        std::fs::copy(&wal, copy.path().join("journal.db-wal")).unwrap();
    }
    store.close().await;

    let store = SqliteStore::open(&copied).await.unwrap();
    assert_eq!(store.interrupt_open_sessions(me).await.unwrap(), 1);
    let kept = store.session(me, open.id).await.unwrap().unwrap();
    assert_eq!(
        (kept.status, kept.ended_at, kept.steps.len()),
        (SessionStatus::Interrupted, Some(second.ended_at), 2)
    );
}

#[tokio::test]
async fn nanoseconds_come_back_exactly_and_in_order() {
    let (_dir, store) = SqliteFile::fresh().await;
    let me = store.local_person().await.unwrap();
    let base = Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap();
    let times = [
        base + Duration::nanoseconds(999_999_999),
        base + Duration::nanoseconds(1),
        base + Duration::nanoseconds(10),
        base + Duration::seconds(1),
        base,
        Utc.with_ymd_and_hms(1999, 12, 31, 23, 59, 59).unwrap() + Duration::nanoseconds(123_456_789),
    ];
    let mut written = vec![];
    for t in times {
        let s =
            SessionRecord { started_at: t, ended_at: Some(t + Duration::nanoseconds(7)), ..full_session(0) };
        store.record_session(me, &s).await.unwrap();
        assert_eq!(store.session(me, s.id).await.unwrap(), Some(s.clone()));
        written.push(summary(&s));
    }
    written.sort_by_key(|s| s.started_at);
    assert_eq!(store.session_summaries(me, Period::default()).await.unwrap(), written);
    let period =
        Period { from: Some(base + Duration::nanoseconds(1)), to: Some(base + Duration::nanoseconds(11)) };
    let got: Vec<_> =
        store.session_summaries(me, period).await.unwrap().into_iter().map(|s| s.started_at).collect();
    assert_eq!(got, vec![base + Duration::nanoseconds(1), base + Duration::nanoseconds(10)]);
}

#[tokio::test]
async fn times_outside_four_digit_years_are_refused() {
    let (_dir, store) = SqliteFile::fresh().await;
    let me = store.local_person().await.unwrap();
    let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
    let err = store
        .add_checkin(me, &knead_core::records::CheckIn { at: far, ..checkin(0, 3, 0) })
        .await
        .unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(m) if m.starts_with("checkin.at:")), "{err:?}");
}

#[tokio::test]
async fn corrupt_stored_data_is_an_error_not_a_panic() {
    let (dir, store) = SqliteFile::fresh().await;
    let path = journal_path(&dir);
    let me = store.local_person().await.unwrap();
    contract::fill(&store, me).await;
    let journal = store.export(me, at(1000)).await.unwrap();
    let session = journal.sessions[0].id;
    let mut conn = raw(&path).await;

    conn.execute(r#"UPDATE sessions SET usage = '{"elbows": 3}'"#).await.unwrap();
    let err = store.session_summaries(me, Period::default()).await.unwrap_err();
    assert!(matches!(&err, StoreError::Corrupt(m) if m.contains("usage")), "{err:?}");
    let err = store.session(me, session).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    let err =
        store.add_step(me, journal.sessions[3].id, &step(TechniqueId::Hands, "x", 500, 5)).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    let err = store.record_session(me, &journal.sessions[0]).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Corrupt(_)),
        "a corrupt record is not silently equal or replaced: {err:?}"
    );

    conn.execute(r#"UPDATE sessions SET usage = '{}', status = 'paused'"#).await.unwrap();
    let err = store.export(me, at(1000)).await.unwrap_err();
    assert!(matches!(&err, StoreError::Corrupt(m) if m.contains("status")), "{err:?}");

    conn.execute(r#"UPDATE screenings SET intake = '"not an intake"'"#).await.unwrap();
    let err = store.screenings(me, 10).await.unwrap_err();
    assert!(matches!(&err, StoreError::Corrupt(m) if m.contains("intake")), "{err:?}");

    conn.execute("UPDATE checkins SET at = 'yesterday'").await.unwrap();
    let err = store.checkins(me).await.unwrap_err();
    assert!(matches!(&err, StoreError::Corrupt(m) if m.contains("at")), "{err:?}");

    conn.execute("UPDATE session_steps SET outcome = 'exploded'").await.unwrap();
    conn.execute("UPDATE sessions SET status = 'completed'").await.unwrap();
    let err = store.session(me, journal.sessions[1].id).await.unwrap_err();
    assert!(matches!(&err, StoreError::Corrupt(m) if m.contains("outcome")), "{err:?}");
}

#[tokio::test]
async fn corrupt_sharing_data_is_an_error_not_a_panic() {
    let (dir, store) = SqliteFile::fresh().await;
    let mut conn = raw(&journal_path(&dir)).await;
    let account = |email: &str, role| Account {
        person: knead_core::records::PersonId(uuid::Uuid::now_v7()),
        role,
        email: email.to_owned(),
        password_hash: "h".to_owned(),
        created_at: at(0),
    };
    let (pat, doc) = (account("pat@example.org", Role::Patient), account("doc@example.org", Role::Clinician));
    store.create_account(&pat).await.unwrap();
    store.create_account(&doc).await.unwrap();
    let assignment = Assignment {
        id: uuid::Uuid::now_v7(),
        patient: pat.person,
        clinician: doc.person,
        clinician_email: String::new(),
        assigned_at: at(1),
        techniques: [TechniqueId::Hands].into(),
        sessions_per_day: 1,
        days_per_week: 3,
        weeks: 4,
        note: None,
    };
    store.assign(&assignment).await.unwrap();
    let feed = CalendarFeed { person: pat.person, times: vec![], utc_offset_minutes: 0, created_at: at(2) };
    store.open_feed("f1", &feed).await.unwrap();

    conn.execute(r#"UPDATE assignments SET techniques = '["elbows"]'"#).await.unwrap();
    let err = store.assignment(pat.person).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt(m) if m.contains("techniques") && m.contains("elbows")),
        "{err:?}"
    );
    conn.execute("UPDATE assignments SET techniques = '[]', weeks = 70000").await.unwrap();
    let err = store.assignment(pat.person).await.unwrap_err();
    assert!(matches!(&err, StoreError::Corrupt(m) if m.contains("weeks")), "{err:?}");

    conn.execute(r#"UPDATE calendar_feeds SET times = '["8h"]'"#).await.unwrap();
    let err = store.feed("f1").await.unwrap_err();
    assert!(matches!(&err, StoreError::Corrupt(m) if m.contains("times")), "{err:?}");

    conn.execute("UPDATE audit_log SET at = 'yesterday'").await.unwrap();
    let err = store.audit_log(pat.person, 10).await.unwrap_err();
    assert!(matches!(&err, StoreError::Corrupt(m) if m.contains(": at:")), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_programs_write_at_once() {
    // The terminal and the web app on one file: every write waits its turn.
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    let a = SqliteStore::open(&path).await.unwrap();
    let b = SqliteStore::open(&path).await.unwrap();
    let me = a.local_person().await.unwrap();
    assert_eq!(b.local_person().await.unwrap(), me);
    let mut tasks = vec![];
    for i in 0..40 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let session = open_session(i);
            store.begin_session(me, &session).await?;
            store.add_step(me, session.id, &step(TechniqueId::Hands, "knuckles", i + 1, 30)).await?;
            store.add_checkin(me, &checkin(i, 3, 1)).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(a.checkins(me).await.unwrap().len(), 40);
    assert_eq!(b.interrupt_open_sessions(me).await.unwrap(), 40);
}

/// CPU time of every thread of this process so far, in nanoseconds (Linux):
/// unlike wall time, it does not grow when other programs share the machine.
fn process_cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// `cargo test --release -p knead-store -- --ignored --nocapture summaries_of_22k`
#[tokio::test]
#[ignore = "timing: run in release"]
#[allow(clippy::disallowed_methods)] // a wall clock to time the store, not a session
async fn summaries_of_22k_sessions() {
    let (_dir, store) = SqliteFile::fresh().await;
    let me = store.local_person().await.unwrap();
    // A plan the size of a real one (about 2 KB), so rows spill as they would.
    let plan = serde_json::json!({"steps": (0..12).map(|i| serde_json::json!({
        "id": format!("step-{i}"), "technique": "foam_roller", "seconds": 60, "position": "lying_on_back",
        "say": "Roll slowly from the bottom of the shoulder blades to the middle of the back, breathing out."
    })).collect::<Vec<_>>()});
    let sessions: Vec<SessionRecord> = (0..22_000)
        .map(|i| {
            let mut s = full_session(i * 60);
            s.steps.push(step(TechniqueId::ElectricMassager, "gun-upper", i * 60 + 4, 30));
            s.usage.insert(TechniqueId::ElectricMassager, 30);
            s.plan = Some(plan.clone());
            s
        })
        .collect();
    let journal = Journal {
        format: Journal::FORMAT.to_owned(),
        version: Journal::VERSION,
        exported_at: at(0),
        screenings: vec![],
        sessions,
        checkins: vec![],
    };
    let started = std::time::Instant::now();
    store.import(me, &journal).await.unwrap();
    println!("import of 22,000 sessions (66,000 steps): {:?}", started.elapsed());

    let mut times = vec![];
    let mut cpu = vec![];
    for _ in 0..30 {
        let cpu_before = process_cpu_ns();
        let started = std::time::Instant::now();
        let got = store.session_summaries(me, Period::default()).await.unwrap();
        times.push(started.elapsed());
        cpu.push(std::time::Duration::from_nanos(process_cpu_ns() - cpu_before));
        assert_eq!(got.len(), 22_000);
    }
    times.sort();
    cpu.sort();
    println!(
        "session_summaries, 22,000 sessions: wall min {:?}, median {:?}, max {:?}",
        times[0], times[15], times[29]
    );
    println!("  CPU time of all threads: min {:?}, median {:?}", cpu[0], cpu[15]);
    let year = Period { from: Some(at(0)), to: Some(at(60 * 24 * 365)) };
    let started = std::time::Instant::now();
    let got = store.session_summaries(me, year).await.unwrap();
    println!("session_summaries, one year ({} sessions): {:?}", got.len(), started.elapsed());
}

/// Sessions sent at once are written together (group commit), and each
/// caller still gets the answer for its own session: a conflict fails only
/// the session that conflicts, and everything else is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_sent_at_once_are_each_kept_or_refused_on_their_own() {
    let (_dir, store) = <SqliteFile as Backend>::fresh().await;
    let person = store.local_person().await.unwrap();
    let sessions: Vec<SessionRecord> = (0..60).map(|i| full_session(i * 10)).collect();
    let clash = SessionRecord { pain_before: contract::pain(9), ..sessions[7].clone() };
    let mut sends: Vec<_> = sessions
        .iter()
        .chain(std::iter::once(&clash))
        .chain(std::iter::once(&sessions[3])) // a retry: the same session again
        .cloned()
        .map(|s| {
            let store = store.clone();
            tokio::spawn(async move { (s.id, s.pain_before, store.record_session(person, &s).await) })
        })
        .collect();
    let mut answers = Vec::new();
    for send in sends.drain(..) {
        answers.push(send.await.unwrap());
    }
    let refused: Vec<_> = answers.iter().filter(|(_, _, r)| r.is_err()).collect();
    assert_eq!(refused.len(), 1, "only one of the two sessions with one id is refused: {refused:?}");
    assert!(matches!(refused[0].2, Err(StoreError::Conflict { what: "session", .. })), "{refused:?}");
    let kept = store.session_summaries(person, Period::default()).await.unwrap();
    assert_eq!(kept.len(), 60, "every session kept once");
    let seventh = kept.iter().find(|s| s.id == sessions[7].id).unwrap();
    let winner = answers.iter().find(|(id, _, r)| *id == sessions[7].id && r.is_ok()).unwrap();
    assert_eq!(seventh.pain_before, winner.1, "the kept one is the one that was told it was kept");
}

/// Where `needles` appear in any column of any table of the file, read
/// with plain SQL rather than through the store: `table.column` each.
async fn found_in_file(file: &Path, needles: &[&str]) -> Vec<String> {
    let mut conn = SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(file)).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let mut found = Vec::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
            .bind(&table)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for column in columns {
            for needle in needles {
                let query =
                    format!("SELECT count(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE ?");
                let n: i64 = sqlx::query_scalar(&query)
                    .bind(format!("%{needle}%"))
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                if n > 0 {
                    found.push(format!("{table}.{column}"));
                }
            }
        }
    }
    conn.close().await.unwrap();
    found
}

/// Erased, a patient is nowhere in the file: neither their id nor their
/// address in any row of any table, nor their address in the file's bytes
/// once the log is folded in (deleted rows are overwritten). The other
/// patient, whom the same scan finds, is untouched.
#[tokio::test]
async fn an_erased_patient_is_nowhere_in_the_file() {
    let (dir, store) = SqliteFile::fresh().await;
    let file = dir.path().join("journal.db");
    let everyone = contract::everything(&store).await;
    let (id, email) = (everyone.patient.person.0.hyphenated().to_string(), everyone.patient.email.clone());
    let other = everyone.other.person.0.hyphenated().to_string();
    assert!(!found_in_file(&file, &[&id, &email]).await.is_empty(), "the scan finds the patient before");
    store.erase(everyone.patient.person).await.unwrap();
    assert_eq!(found_in_file(&file, &[&id, &email]).await, Vec::<String>::new());
    assert!(found_in_file(&file, &[&other]).await.contains(&"grants.patient".to_owned()));
    store.close().await;
    let mut conn =
        SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(&file)).await.unwrap();
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
    conn.close().await.unwrap();
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        !bytes.windows(email.len()).any(|w| w == email.as_bytes()),
        "the address is still in the file's bytes"
    );
}

#[tokio::test]
async fn messages_from_before_threads_find_their_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    let old = dir.path().join("old-migrations");
    std::fs::create_dir(&old).unwrap();
    for file in migration_files().iter().filter(|f| f.file_name().unwrap().to_str().unwrap() < "0013") {
        std::fs::copy(file, old.join(file.file_name().unwrap())).unwrap();
    }
    let mut conn = raw(&path).await;
    Migrator::new(old.as_path()).await.unwrap().run(&mut conn).await.unwrap();
    conn.execute("PRAGMA user_version = 12").await.unwrap();
    for statement in contract::BEFORE_THREADS {
        conn.execute(*statement).await.unwrap();
    }
    conn.close().await.unwrap();
    let store = SqliteStore::open(&path).await.unwrap();
    contract::threads_from_before_threads(&store).await;
    store.close().await;
}
