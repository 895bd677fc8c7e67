//! A copy of a running server's database, and the check a copy passes
//! before it may replace one.
//!
//! The copy is SQLite's `VACUUM INTO`: it reads one snapshot in a read
//! transaction (writers carry on in the write-ahead log meanwhile) and
//! writes a compact, self-contained file, so a backup holds every write
//! answered before it began and none half-done. The online backup API
//! would do the same page by page, but is reachable only through unsafe
//! C calls, which this workspace forbids.

use super::{BUSY_TIMEOUT, journal_version, schema_version};
use crate::StoreError;
use sqlx::Connection as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use std::path::Path;

/// What a backup holds, as counted when it was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    /// Its schema version.
    pub schema_version: i64,
    /// Accounts in it.
    pub accounts: i64,
    /// Sessions in it.
    pub sessions: i64,
}

/// Write a consistent copy of the database at `database` to `to`, a file
/// that must not exist yet, while a server keeps using it. The database is
/// only read: nothing is migrated, whatever this build's schema.
pub async fn back_up(database: &Path, to: &Path) -> Result<(), StoreError> {
    if to.exists() {
        return Err(StoreError::Invalid(format!(
            "{}: already exists; allowed: a new file (a backup never overwrites one)",
            to.display()
        )));
    }
    let target = to
        .to_str()
        .ok_or_else(|| StoreError::Invalid(format!("{}: allowed: a path in UTF-8", to.display())))?;
    let options =
        SqliteConnectOptions::new().filename(database).create_if_missing(false).busy_timeout(BUSY_TIMEOUT);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let copied = sqlx::query("VACUUM INTO ?").bind(target).execute(&mut conn).await;
    conn.close().await?;
    copied?;
    // VACUUM INTO writes without syncing; a backup is only one once it is on disk.
    std::fs::File::open(to).and_then(|f| f.sync_all()).map_err(sqlx::Error::Io)?;
    Ok(())
}

/// Check the file at `path` before it replaces a database: it opens read
/// only, passes SQLite's integrity check, is a Knead database, and was not
/// written by a newer Knead. Nothing in it is changed.
pub async fn check_backup(path: &Path) -> Result<BackupSummary, StoreError> {
    let not_a_backup =
        |why: &str| StoreError::Invalid(format!("{}: not a Knead backup: {why}", path.display()));
    if !path.is_file() {
        return Err(not_a_backup("there is no such file"));
    }
    let options = SqliteConnectOptions::new().filename(path).read_only(true).create_if_missing(false);
    let mut conn =
        SqliteConnection::connect_with(&options).await.map_err(|_| not_a_backup("not a database"))?;
    let summary = summarise(&mut conn, path).await;
    conn.close().await?;
    summary
}

async fn summarise(conn: &mut SqliteConnection, path: &Path) -> Result<BackupSummary, StoreError> {
    let not_a_backup =
        |why: String| StoreError::Invalid(format!("{}: not a Knead backup: {why}", path.display()));
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut *conn)
        .await
        .map_err(|_| not_a_backup("not a database".into()))?;
    if verdict != "ok" {
        return Err(not_a_backup(format!("SQLite's integrity check failed ({verdict})")));
    }
    let found = journal_version(&mut *conn).await?;
    let supported = schema_version();
    if found == 0 {
        return Err(not_a_backup("it holds no Knead tables".into()));
    }
    if found > supported {
        return Err(StoreError::TooNew { found, supported });
    }
    let accounts = sqlx::query_scalar("SELECT count(*) FROM accounts").fetch_one(&mut *conn).await;
    let sessions = sqlx::query_scalar("SELECT count(*) FROM sessions").fetch_one(&mut *conn).await;
    match (accounts, sessions) {
        (Ok(accounts), Ok(sessions)) => Ok(BackupSummary { schema_version: found, accounts, sessions }),
        _ => Err(not_a_backup("it has no accounts or sessions table".into())),
    }
}
