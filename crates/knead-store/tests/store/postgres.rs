//! The contract against PostgreSQL, one fresh database per test, and what
//! only the PostgreSQL backend does (its schema version, two writers).
//!
//! The server comes from `KNEAD_TEST_POSTGRES_URL`
//! (`postgres://postgres@127.0.0.1:5432/postgres`). When it is not set these
//! tests fail: a Postgres run that silently did not happen is worse than a
//! red one. A developer without PostgreSQL opts out knowingly with
//! `KNEAD_TEST_POSTGRES=skip`; CI never sets it.

use crate::contract::{Backend, checkin, full_session, open_session, step};
use knead_core::vocab::TechniqueId;
use knead_store::accounts::Accounts as _;
use knead_store::postgres::{PgStore, schema_version};
use knead_store::{Store, StoreError};
use knead_testkit::postgres::{SKIP_VAR, TestDatabase, server_url};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// A store on a fresh database.
pub struct Postgres;

impl Backend for Postgres {
    type S = PgStore;
    type Guard = TestDatabase;
    async fn fresh() -> (TestDatabase, PgStore) {
        let Some(server) = server_url() else { panic!("{SKIP_VAR}=skip: no server") };
        let (db, url) = TestDatabase::create(&server).await;
        let store = PgStore::connect(&url).await.unwrap();
        (db, store)
    }
    fn skip() -> bool {
        server_url().is_none()
    }
}

mod contract_suite {
    crate::contract::suite!(super::Postgres);
}

/// A fresh database, or `None` when skipping was asked for.
async fn fresh() -> Option<(TestDatabase, PgStore, String)> {
    let server = server_url()?;
    let (db, url) = TestDatabase::create(&server).await;
    let store = PgStore::connect(&url).await.unwrap();
    Some((db, store, url))
}

#[tokio::test]
async fn connecting_again_keeps_what_was_written() {
    let Some((_db, store, url)) = fresh().await else { return };
    let me = store.local_person().await.unwrap();
    let s = full_session(0);
    store.record_session(me, &s).await.unwrap();
    store.close().await;

    let store = PgStore::connect(&url).await.unwrap();
    assert_eq!(store.local_person().await.unwrap(), me, "the local person survives a restart");
    assert_eq!(store.session(me, s.id).await.unwrap(), Some(s));
    let mut conn = PgConnection::connect(&url).await.unwrap();
    let version: i64 =
        sqlx::query_scalar("SELECT version FROM knead_schema").fetch_one(&mut conn).await.unwrap();
    assert_eq!(version, schema_version());
    store.close().await;
}

#[tokio::test]
async fn a_newer_schema_is_refused_and_left_untouched() {
    let Some((_db, store, url)) = fresh().await else { return };
    let me = store.local_person().await.unwrap();
    store.add_checkin(me, &checkin(0, 3, 1)).await.unwrap();
    store.close().await;
    let newer = schema_version() + 1;
    let mut conn = PgConnection::connect(&url).await.unwrap();
    sqlx::query("UPDATE knead_schema SET version = $1").bind(newer).execute(&mut conn).await.unwrap();
    let migrations: i64 =
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations").fetch_one(&mut conn).await.unwrap();

    let err = PgStore::connect(&url).await.unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found, supported } if found == newer && supported == schema_version()),
        "{err:?}"
    );
    let version: i64 =
        sqlx::query_scalar("SELECT version FROM knead_schema").fetch_one(&mut conn).await.unwrap();
    let after: i64 =
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations").fetch_one(&mut conn).await.unwrap();
    let checkins: i64 =
        sqlx::query_scalar("SELECT count(*) FROM checkins").fetch_one(&mut conn).await.unwrap();
    assert_eq!((version, after, checkins), (newer, migrations, 1));
    conn.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_programs_write_at_once() {
    let Some((_db, a, url)) = fresh().await else { return };
    let b = PgStore::connect(&url).await.unwrap();
    let (ma, mb) = tokio::join!(a.local_person(), b.local_person());
    let me = ma.unwrap();
    assert_eq!(mb.unwrap(), me, "one local person, however many programs ask at once");
    let shared = open_session(-10);
    a.begin_session(me, &shared).await.unwrap();
    let mut tasks = vec![];
    for i in 0..40 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        let shared = shared.id;
        tasks.push(tokio::spawn(async move {
            let session = open_session(i);
            store.begin_session(me, &session).await?;
            store.add_step(me, session.id, &step(TechniqueId::Hands, "knuckles", i + 1, 30)).await?;
            store.add_step(me, shared, &step(TechniqueId::Hands, "knuckles", i, 1)).await?;
            store.add_checkin(me, &checkin(i, 3, 1)).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(a.checkins(me).await.unwrap().len(), 40);
    let kept = b.session(me, shared.id).await.unwrap().unwrap();
    assert_eq!(kept.steps.len(), 40, "steps added at once are all kept");
    assert_eq!(kept.usage.get(&TechniqueId::Hands), Some(&40));
    assert_eq!(b.interrupt_open_sessions(me).await.unwrap(), 41);
    a.close().await;
    b.close().await;
}

#[tokio::test]
async fn stores_of_the_contract_suite_are_separate_databases() {
    if Postgres::skip() {
        return;
    }
    let (_one, a) = Postgres::fresh().await;
    let (_two, b) = Postgres::fresh().await;
    let me = a.local_person().await.unwrap();
    a.add_checkin(me, &checkin(0, 3, 1)).await.unwrap();
    assert_ne!(b.local_person().await.unwrap(), me);
    assert!(b.checkins(me).await.unwrap().is_empty());
    a.close().await;
    b.close().await;
}

#[tokio::test]
async fn nanoseconds_are_cut_and_a_resent_record_is_recognised() {
    let Some((_db, store, _url)) = fresh().await else { return };
    let me = store.local_person().await.unwrap();
    let ns = chrono::Duration::nanoseconds(789);
    let mut s = full_session(0);
    s.started_at += ns;
    s.ended_at = s.ended_at.map(|t| t + ns);
    for step in &mut s.steps {
        step.started_at += ns;
        step.ended_at += ns;
    }
    store.record_session(me, &s).await.unwrap();
    store.record_session(me, &s).await.unwrap();
    let kept = store.session(me, s.id).await.unwrap().unwrap();
    assert_eq!(kept.started_at, s.started_at - ns, "kept to the microsecond");

    let mut screening = crate::contract::screening(5);
    screening.at += ns;
    store.add_screening(me, &screening).await.unwrap();
    store.add_screening(me, &screening).await.unwrap();

    let mut c = checkin(9, 4, 1);
    c.at += ns;
    store.add_checkin(me, &c).await.unwrap();
    store.add_checkin(me, &c).await.unwrap();
    assert_eq!(store.checkins(me).await.unwrap().len(), 1);

    // A step and an end with nanoseconds, each sent twice.
    let open = open_session(20);
    store.begin_session(me, &open).await.unwrap();
    let mut st = step(TechniqueId::Hands, "knuckles", 21, 60);
    st.ended_at += ns;
    store.add_step(me, open.id, &st).await.unwrap();
    store.add_step(me, open.id, &st).await.unwrap();
    let end = knead_core::records::SessionEnd {
        ended_at: crate::contract::at(30) + ns,
        status: knead_core::records::SessionStatus::Completed,
        stop_reason: None,
        pain_after: None,
        note: None,
    };
    store.finish_session(me, open.id, &end).await.unwrap();
    store.finish_session(me, open.id, &end).await.unwrap();
    assert_eq!(store.session(me, open.id).await.unwrap().unwrap().steps.len(), 1);
}

/// Erased, a patient is nowhere in the database: neither their id nor
/// their address in any column of any table of the schema, read with
/// plain SQL. The other patient, whom the same scan finds, is untouched.
#[tokio::test]
async fn an_erased_patient_is_nowhere_in_the_database() {
    let Some((_db, store, url)) = fresh().await else { return };
    let everyone = crate::contract::everything(&store).await;
    let (id, email) = (everyone.patient.person.0.hyphenated().to_string(), everyone.patient.email.clone());
    let other = everyone.other.person.0.hyphenated().to_string();
    let mut conn = PgConnection::connect(&url).await.unwrap();
    assert!(!found(&mut conn, &[&id, &email]).await.is_empty(), "the scan finds the patient before");
    store.erase(everyone.patient.person).await.unwrap();
    assert_eq!(found(&mut conn, &[&id, &email]).await, Vec::<String>::new());
    assert!(found(&mut conn, &[&other]).await.contains(&"grants.patient".to_owned()));
    conn.close().await.unwrap();
}

/// Where `needles` appear in any column of any table of the schema.
async fn found(conn: &mut PgConnection, needles: &[&str]) -> Vec<String> {
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut found = Vec::new();
    for (table, column) in columns {
        for needle in needles {
            let query = format!("SELECT count(*) FROM \"{table}\" WHERE \"{column}\"::text LIKE $1");
            let n: i64 =
                sqlx::query_scalar(&query).bind(format!("%{needle}%")).fetch_one(&mut *conn).await.unwrap();
            if n > 0 {
                found.push(format!("{table}.{column}"));
            }
        }
    }
    found
}

/// Backing up PostgreSQL the way docs/deployment.md says: `pg_dump` of a
/// database in use, `pg_restore` into an empty one, and the restored
/// database opens at this build's schema with everything in it.
#[tokio::test]
async fn a_pg_dump_restores_into_an_empty_database() {
    let Some((_db, store, url)) = fresh().await else { return };
    let me = store.local_person().await.unwrap();
    let sessions: Vec<_> = [0, 10, 20].into_iter().map(full_session).collect();
    for s in &sessions {
        store.record_session(me, s).await.unwrap();
    }
    let c = checkin(30, 4, 1);
    store.add_checkin(me, &c).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("knead.dump");
    let run = |program: &str, args: &[&str]| {
        let out = std::process::Command::new(program).args(args).output().unwrap();
        assert!(out.status.success(), "{program}: {}", String::from_utf8_lossy(&out.stderr));
    };
    run("pg_dump", &["--format=custom", "--file", dump.to_str().unwrap(), "--dbname", &url]);
    store.close().await;

    let (_empty, empty_url) = TestDatabase::create(&server_url().unwrap()).await;
    run("pg_restore", &["--no-owner", "--exit-on-error", "--dbname", &empty_url, dump.to_str().unwrap()]);
    let restored = PgStore::connect(&empty_url).await.unwrap();
    assert_eq!(restored.local_person().await.unwrap(), me);
    for s in &sessions {
        assert_eq!(restored.session(me, s.id).await.unwrap().as_ref(), Some(s));
    }
    assert_eq!(restored.checkins(me).await.unwrap(), vec![c]);
    restored.close().await;
}

#[tokio::test]
async fn messages_from_before_threads_find_their_thread() {
    let Some(server) = server_url() else { return };
    let (_db, url) = TestDatabase::create(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join("postgres");
    for file in std::fs::read_dir(all).unwrap().map(|e| e.unwrap().path()) {
        let name = file.file_name().unwrap().to_owned();
        if name.to_str().unwrap() < "0013" {
            std::fs::copy(&file, dir.path().join(name)).unwrap();
        }
    }
    let mut conn = PgConnection::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(dir.path()).await.unwrap().run(&mut conn).await.unwrap();
    for statement in crate::contract::BEFORE_THREADS {
        sqlx::query(statement).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();
    let store = PgStore::connect(&url).await.unwrap();
    crate::contract::threads_from_before_threads(&store).await;
    store.close().await;
}
