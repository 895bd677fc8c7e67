//! The embedded SQLite backend: one file per journal.
//!
//! Why it is built the way it is:
//!
//! - **WAL, `synchronous = FULL`.** WAL lets the terminal read while a
//!   session writes. `FULL` syncs the log at every commit, so a kept step
//!   survives a power cut as well as a killed process (`NORMAL` in WAL mode
//!   only survives the latter: the last commits can roll back when the
//!   machine dies). Knead writes a few small rows a minute, so the extra
//!   sync costs nothing a person notices.
//! - **Every write is one `BEGIN IMMEDIATE` transaction.** It takes the write
//!   lock at the start, so a write that first reads (to compare an existing
//!   record) waits on the busy timeout instead of failing when another
//!   connection or process writes at the same time.
//! - **Times are fixed-width RFC 3339 UTC text** with nine fractional digits:
//!   text order is time order, nanoseconds come back exactly, and the file
//!   is readable with the `sqlite3` shell.
//! - **The schema version is `PRAGMA user_version`**, read before any
//!   migration runs: a journal written by a newer Knead is refused
//!   ([`StoreError::TooNew`]) and left untouched, an older one is migrated.
//! - **Summaries never touch plans or steps.** A session row carries its
//!   usage per technique (kept up to date by [`Store::add_step`]) and its
//!   summary as JSON, a column SQLite generates on every write. Plans
//!   (kilobytes each) live in a table of their own, so a person's sessions
//!   sit densely in the pages a summary reads. Reading summaries joins those
//!   JSON values into one array in one row: sqlx hands over rows one at a
//!   time, at a few microseconds each, which costs more than all the rest.

use crate::codec::{
    Put, check_session, check_step, corrupt, count, json_text, latest, outcome_text, parse_json,
    parse_outcome, parse_pain, parse_status, parse_word, session_pain,
};
use crate::{Latest, Period, SessionKey, Store, StoreError};
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use futures_util::TryStreamExt as _;
use knead_core::intake::Intake;
use knead_core::limits::DayRoom;
use knead_core::records::{
    CheckIn, Clearance, ImportReport, Journal, PersonId, ScreeningRecord, SessionEnd, SessionPain,
    SessionRecord, SessionStatus, SessionSummary, StepDone,
};
use knead_core::units::{ChangeRating, PainScore};
use knead_core::vocab::{Disposition, Region, TechniqueId, Vocabulary};
use serde::Deserialize;
use sqlx::Connection as _;
use sqlx::FromRow;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use uuid::Uuid;

mod accounts;
pub mod backup;
mod calendars;
mod mail;
mod sharing;
mod writer;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a connection waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The newest schema version this build knows (its newest migration).
pub fn schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// A journal in one SQLite file (or in memory, for tests).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writers: std::sync::Arc<writer::Writers>,
}

impl SqliteStore {
    /// Open the journal at `path`, creating the file and its folder if they
    /// are missing, and migrate it to this build's schema. A journal written
    /// by a newer Knead is refused with [`StoreError::TooNew`] before
    /// anything in it is changed.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            // 1 MB of page cache a connection (SQLite's default is 2 MB),
            // 4 MB for the pool of four. The cache is the process's own
            // memory and stays once filled, so it counts in full toward
            // the server's resident memory, which must stay flat however
            // long a journal (`tests/cli/soak.rs`): with 4 MB a connection
            // serving journals of 21,900 and 100,000 sessions added 37 MiB
            // to what small ones took, with 2 MB 25 MiB, with 1 MB 19 MiB.
            // A page missed is read from the operating system's file
            // cache, not the disk.
            .pragma("cache_size", "-1024")
            // No memory map (SQLite's default): pages are read with one
            // pread each into the cache above. Mapped pages count toward
            // the resident memory of every connection that touched them:
            // with 64 MB mapped, serving those journals took the server
            // to 301 MiB where PostgreSQL's took 79 MiB.
            .pragma("mmap_size", "0")
            // What is deleted (an erased account above all) is overwritten
            // with zeros, not left in free pages to be read from the file.
            .pragma("secure_delete", "ON");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A connection to a file in this process cannot go stale, and
            // pinging it before each use is one more trip to its thread
            // (sqlx runs each SQLite connection on a thread of its own):
            // under load those trips, not SQLite, were most of the time.
            .test_before_acquire(false)
            .before_acquire(|conn, _| Box::pin(still_usable(conn)))
            .connect_with(options)
            .await?;
        Self::prepare(pool).await
    }

    /// A fresh journal in memory: one connection that lives as long as the
    /// store (the database goes with it). For tests.
    pub async fn open_in_memory() -> Result<Self, StoreError> {
        let options =
            SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true).busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        Self::prepare(pool).await
    }

    /// Close every connection, waiting for them to finish (a clean shutdown;
    /// dropping the store is safe too, as every write is already committed).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether the database answers (a health check).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn prepare(pool: SqlitePool) -> Result<Self, StoreError> {
        let supported = schema_version();
        let found = match async { journal_version(&mut *pool.acquire().await?).await }.await {
            Ok(found) => found,
            Err(e) => {
                pool.close().await;
                return Err(e);
            }
        };
        if found > supported {
            pool.close().await;
            return Err(StoreError::TooNew { found, supported });
        }
        MIGRATOR.run(&pool).await.map_err(sqlx::Error::from)?;
        if found < supported {
            // After the migrations, not inside them: a crash in between leaves
            // the old number, and `journal_version` also reads the migrations table.
            sqlx::query(&format!("PRAGMA user_version = {supported}")).execute(&pool).await?;
        }
        Ok(Self { pool, writers: std::sync::Arc::default() })
    }

    /// The summaries of `person` in `period` (after `after`, when given),
    /// oldest first; `take` says which of them. Read on one connection
    /// (the caller's transaction, if it has one).
    async fn summaries(
        conn: &mut SqliteConnection,
        person: PersonId,
        period: Period,
        after: Option<SessionKey>,
        take: Take,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        let (filter, binds) = summary_filter(person, &period, after)?;
        match Self::summaries_at_once(conn, &filter, &binds, take).await {
            Ok(Some(summaries)) => Ok(summaries),
            // Something stored is odd: read row by row to say what and where.
            Ok(None) | Err(_) => Self::summaries_row_by_row(conn, &filter, &binds, take).await,
        }
    }

    /// Summaries as one row: SQLite joins the sessions' generated `summary`
    /// JSON into one array, in index order, and serde_json reads it: several
    /// times faster than sqlx handing over 22,000 rows one by one. `None` if
    /// anything stored is odd.
    async fn summaries_at_once(
        conn: &mut SqliteConnection,
        filter: &str,
        binds: &[String],
        take: Take,
    ) -> Result<Option<Vec<SessionSummary>>, StoreError> {
        let sql = format!(
            "SELECT '[' || ifnull(group_concat(summary, ','), '') || ']' FROM ({})",
            in_order("summary", filter, take)
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for bind in binds {
            query = query.bind(bind);
        }
        let all = query.fetch_one(&mut *conn).await?;
        let Ok(Summaries(mut summaries)) = serde_json::from_str::<Summaries>(&all) else {
            return Ok(None);
        };
        // The aggregate keeps the subquery's order in practice; make sure.
        if !summaries.is_sorted_by_key(|s| (s.started_at, s.id)) {
            summaries.sort_by_key(|s| (s.started_at, s.id));
        }
        Ok(Some(summaries))
    }

    /// Summaries row by row, with an error that names the session and the field.
    async fn summaries_row_by_row(
        conn: &mut SqliteConnection,
        filter: &str,
        binds: &[String],
        take: Take,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        let sql = in_order(
            "id, started_at, ended_at, status, usage, pain_before, pain_after, region, note",
            filter,
            take,
        );
        let mut query = sqlx::query_as::<_, SummaryRow>(&sql);
        for bind in binds {
            query = query.bind(bind);
        }
        let rows = query.fetch_all(&mut *conn).await?;
        rows.into_iter().map(SummaryRow::decode).collect()
    }
}

/// Which of the sessions that pass a filter to read.
#[derive(Debug, Clone, Copy)]
enum Take {
    /// Every one.
    All,
    /// The oldest so many (a page).
    First(u32),
    /// The newest so many.
    Newest(u32),
}

/// The filter of a person's sessions in a period, after `after` when
/// given, with its binds.
fn summary_filter(
    person: PersonId,
    period: &Period,
    after: Option<SessionKey>,
) -> Result<(String, Vec<String>), StoreError> {
    let mut filter = String::from("person = ?");
    let mut binds = vec![person_text(person)];
    if let Some(from) = &period.from {
        filter.push_str(" AND started_at >= ?");
        binds.push(time_text(from, "period.from")?);
    }
    if let Some(to) = &period.to {
        filter.push_str(" AND started_at < ?");
        binds.push(time_text(to, "period.to")?);
    }
    if let Some(key) = after {
        filter.push_str(" AND (started_at, id) > (?, ?)");
        binds.extend([time_text(&key.started_at, "after.started_at")?, id_text(key.id)]);
    }
    Ok((filter, binds))
}

/// `columns` of the sessions that pass `filter`, oldest first; `take`
/// says which (the newest are found from the index's newest end).
fn in_order(columns: &str, filter: &str, take: Take) -> String {
    match take {
        Take::All => format!("SELECT {columns} FROM sessions WHERE {filter} ORDER BY started_at, id"),
        Take::First(n) => {
            format!("SELECT {columns} FROM sessions WHERE {filter} ORDER BY started_at, id LIMIT {n}")
        }
        Take::Newest(n) => format!(
            "SELECT {columns} FROM (SELECT * FROM sessions WHERE {filter} \
             ORDER BY started_at DESC, id DESC LIMIT {n}) ORDER BY started_at, id"
        ),
    }
}

/// The journal's schema version: `user_version`, or the newest applied
/// migration if that is higher.
async fn journal_version(conn: &mut SqliteConnection) -> Result<i64, StoreError> {
    let user_version: i64 = sqlx::query_scalar("PRAGMA user_version").fetch_one(&mut *conn).await?;
    let has_migrations: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(&mut *conn)
    .await?;
    let migrated: Option<i64> = if has_migrations {
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations").fetch_one(&mut *conn).await?
    } else {
        None
    };
    Ok(user_version.max(migrated.unwrap_or(0)))
}

// ---------------------------------------------------------------------------
// Values to and from columns.

/// A time as stored: fixed-width RFC 3339 UTC with nanoseconds.
fn time_text(t: &DateTime<Utc>, field: &str) -> Result<String, StoreError> {
    if !(0..=9999).contains(&t.year()) {
        return Err(StoreError::Invalid(format!(
            "{field}: {t} is out of range; allowed: a time in the years 0000 to 9999"
        )));
    }
    Ok(t.to_rfc3339_opts(SecondsFormat::Nanos, true))
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    if let Some(t) = parse_time_as_written(text) {
        return Ok(t);
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("`{text}` is not an RFC 3339 time: {e}"))
}

/// The exact form [`time_text`] writes (`2025-03-01T08:00:00.123456789Z`),
/// read without a general parser: summaries read tens of thousands.
fn parse_time_as_written(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() != 30 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if b[19] != b'.' || b[29] != b'Z' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0_u32, |n, &d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(num(0, 4)?).ok()?, num(5, 7)?, num(8, 10)?)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?, num(20, 29)?)?;
    Some(date.and_time(time).and_utc())
}

fn id_text(id: Uuid) -> String {
    id.hyphenated().to_string()
}

fn person_text(person: PersonId) -> String {
    id_text(person.0)
}

fn parse_id(text: &str) -> Result<Uuid, String> {
    Uuid::parse_str(text).map_err(|e| format!("`{text}` is not a UUID: {e}"))
}

// ---------------------------------------------------------------------------
// Rows.

#[derive(FromRow)]
struct ScreeningRow {
    id: String,
    person: String,
    at: String,
    disposition: String,
    pack_version: String,
    intake: String,
    result: String,
    clearance: Option<String>,
}

impl ScreeningRow {
    fn decode(self) -> Result<ScreeningRecord, StoreError> {
        let id = self.id.as_str();
        let bad = |field: &str, problem: String| corrupt("screening", id, field, problem);
        Ok(ScreeningRecord {
            id: parse_id(id).map_err(|e| bad("id", e))?,
            at: parse_time(&self.at).map_err(|e| bad("at", e))?,
            intake: parse_json::<Intake>(&self.intake).map_err(|e| bad("intake", e))?,
            result: parse_json(&self.result).map_err(|e| bad("result", e))?,
            disposition: parse_word::<Disposition>(&self.disposition).map_err(|e| bad("disposition", e))?,
            pack_version: self.pack_version,
            clearance: match &self.clearance {
                Some(text) => Some(parse_json::<Clearance>(text).map_err(|e| bad("clearance", e))?),
                None => None,
            },
        })
    }
}

#[derive(FromRow)]
struct SessionRow {
    id: String,
    person: String,
    screening_id: Option<String>,
    started_at: String,
    ended_at: Option<String>,
    status: String,
    stop_reason: Option<String>,
    plan: Option<String>,
    usage: String,
    pain_before: i64,
    pain_after: Option<i64>,
    region: Option<String>,
    note: Option<String>,
    pack_version: String,
}

impl SessionRow {
    fn decode(self, steps: Vec<StepDone>) -> Result<SessionRecord, StoreError> {
        let id = self.id.as_str();
        let bad = |field: &str, problem: String| corrupt("session", id, field, problem);
        Ok(SessionRecord {
            id: parse_id(id).map_err(|e| bad("id", e))?,
            screening_id: match &self.screening_id {
                Some(text) => Some(parse_id(text).map_err(|e| bad("screening_id", e))?),
                None => None,
            },
            started_at: parse_time(&self.started_at).map_err(|e| bad("started_at", e))?,
            ended_at: match &self.ended_at {
                Some(text) => Some(parse_time(text).map_err(|e| bad("ended_at", e))?),
                None => None,
            },
            status: parse_status(&self.status).map_err(|e| bad("status", e))?,
            stop_reason: self.stop_reason,
            plan: match &self.plan {
                Some(text) => Some(parse_json(text).map_err(|e| bad("plan", e))?),
                None => None,
            },
            steps,
            usage: parse_json(&self.usage).map_err(|e| bad("usage", e))?,
            pain_before: parse_pain(self.pain_before).map_err(|e| bad("pain_before", e))?,
            pain_after: match self.pain_after {
                Some(v) => Some(parse_pain(v).map_err(|e| bad("pain_after", e))?),
                None => None,
            },
            region: match &self.region {
                Some(text) => Some(parse_word::<Region>(text).map_err(|e| bad("region", e))?),
                None => None,
            },
            note: self.note,
            pack_version: self.pack_version,
        })
    }
}

/// A session row with its plan, which lives in a table of its own.
const SESSION_SELECT: &str = "SELECT s.id AS id, s.person AS person, s.screening_id AS screening_id, \
     s.started_at AS started_at, s.ended_at AS ended_at, s.status AS status, s.stop_reason AS stop_reason, \
     p.plan AS plan, s.usage AS usage, s.pain_before AS pain_before, s.pain_after AS pain_after, \
     s.region AS region, s.note AS note, s.pack_version AS pack_version \
     FROM sessions s LEFT JOIN session_plans p ON p.session = s.id";

#[derive(FromRow)]
struct SummaryRow {
    id: String,
    started_at: String,
    ended_at: Option<String>,
    status: String,
    usage: String,
    pain_before: i64,
    pain_after: Option<i64>,
    region: Option<String>,
    note: Option<String>,
}

impl SummaryRow {
    fn decode(self) -> Result<SessionSummary, StoreError> {
        let id = self.id.as_str();
        let bad = |field: &str, problem: String| corrupt("session", id, field, problem);
        Ok(SessionSummary {
            id: parse_id(id).map_err(|e| bad("id", e))?,
            started_at: parse_time(&self.started_at).map_err(|e| bad("started_at", e))?,
            ended_at: match &self.ended_at {
                Some(text) => Some(parse_time(text).map_err(|e| bad("ended_at", e))?),
                None => None,
            },
            status: parse_status(&self.status).map_err(|e| bad("status", e))?,
            usage: parse_json(&self.usage).map_err(|e| bad("usage", e))?,
            pain_before: parse_pain(self.pain_before).map_err(|e| bad("pain_before", e))?,
            pain_after: match self.pain_after {
                Some(v) => Some(parse_pain(v).map_err(|e| bad("pain_after", e))?),
                None => None,
            },
            region: match &self.region {
                Some(text) => Some(parse_word::<Region>(text).map_err(|e| bad("region", e))?),
                None => None,
            },
            note: self.note,
        })
    }
}

#[derive(FromRow)]
struct PainRow {
    id: String,
    started_at: String,
    status: String,
    massage_seconds: i64,
    pain_before: i64,
    pain_after: Option<i64>,
}

impl PainRow {
    fn decode(self) -> Result<SessionPain, StoreError> {
        let started_at =
            parse_time(&self.started_at).map_err(|e| corrupt("session", &self.id, "started_at", e))?;
        session_pain(
            &self.id,
            started_at,
            &self.status,
            self.massage_seconds,
            self.pain_before,
            self.pain_after,
        )
    }
}

/// A summary as the fast path reads it: one element of the JSON array that
/// SQLite builds. Words, ids and times never need escapes, so they borrow.
#[derive(Deserialize)]
struct SummaryJson<'a>(
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a str,
    BTreeMap<TechniqueId, u32>,
    i64,
    Option<i64>,
    Option<&'a str>,
    Option<String>,
);

/// The fast path's whole array, decoded element by element as it is read;
/// an error for anything odd.
struct Summaries(Vec<SessionSummary>);

impl<'de> Deserialize<'de> for Summaries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Summaries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of session summaries")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Summaries, A::Error> {
                let mut all = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(row) = seq.next_element::<SummaryJson<'de>>()? {
                    all.push(
                        row.decode().ok_or_else(|| serde::de::Error::custom("unexpected stored value"))?,
                    );
                }
                Ok(Summaries(all))
            }
        }
        d.deserialize_seq(Visit)
    }
}

impl SummaryJson<'_> {
    /// `None` for anything odd: the slow path then says what and where.
    fn decode(self) -> Option<SessionSummary> {
        let SummaryJson(id, started_at, ended_at, status, usage, pain_before, pain_after, region, note) =
            self;
        Some(SessionSummary {
            id: Uuid::try_parse(id).ok()?,
            started_at: parse_time(started_at).ok()?,
            ended_at: match ended_at {
                Some(text) => Some(parse_time(text).ok()?),
                None => None,
            },
            status: parse_status(status).ok()?,
            usage,
            pain_before: PainScore::new(pain_before).ok()?,
            pain_after: match pain_after {
                Some(v) => Some(PainScore::new(v).ok()?),
                None => None,
            },
            region: match region {
                Some(text) => Some(Region::parse(text)?),
                None => None,
            },
            note,
        })
    }
}

#[derive(FromRow)]
struct StepRow {
    session: String,
    seq: i64,
    technique: String,
    step_id: String,
    started_at: String,
    ended_at: String,
    active_seconds: i64,
    outcome: String,
}

impl StepRow {
    fn decode(self) -> Result<StepDone, StoreError> {
        let place = format!("{} step {}", self.session, self.seq);
        let bad = |field: &str, problem: String| corrupt("session", &place, field, problem);
        Ok(StepDone {
            technique: parse_word::<TechniqueId>(&self.technique).map_err(|e| bad("technique", e))?,
            step_id: self.step_id,
            started_at: parse_time(&self.started_at).map_err(|e| bad("started_at", e))?,
            ended_at: parse_time(&self.ended_at).map_err(|e| bad("ended_at", e))?,
            active_seconds: u32::try_from(self.active_seconds)
                .map_err(|_| bad("active_seconds", format!("{} is out of range", self.active_seconds)))?,
            outcome: parse_outcome(&self.outcome).map_err(|e| bad("outcome", e))?,
        })
    }
}

const STEP_COLUMNS: &str = "session, seq, technique, step_id, started_at, ended_at, active_seconds, outcome";

#[derive(FromRow)]
struct CheckInRow {
    id: String,
    person: String,
    at: String,
    week_pain: i64,
    change: i64,
}

impl CheckInRow {
    fn decode(self) -> Result<CheckIn, StoreError> {
        let id = self.id.as_str();
        let bad = |field: &str, problem: String| corrupt("check-in", id, field, problem);
        Ok(CheckIn {
            id: parse_id(id).map_err(|e| bad("id", e))?,
            at: parse_time(&self.at).map_err(|e| bad("at", e))?,
            week_pain: parse_pain(self.week_pain).map_err(|e| bad("week_pain", e))?,
            change: ChangeRating::new(self.change).map_err(|e| bad("change", e.to_string()))?,
        })
    }
}

// ---------------------------------------------------------------------------
// Writes, inside a transaction the caller owns.

async fn ensure_person(conn: &mut SqliteConnection, person: PersonId) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO persons (id) VALUES (?) ON CONFLICT (id) DO NOTHING")
        .bind(person_text(person))
        .execute(conn)
        .await?;
    Ok(())
}

async fn put_screening(
    conn: &mut SqliteConnection,
    person: PersonId,
    s: &ScreeningRecord,
) -> Result<Put, StoreError> {
    let id = id_text(s.id);
    let existing: Option<ScreeningRow> = sqlx::query_as(
        "SELECT id, person, at, disposition, pack_version, intake, result, clearance FROM screenings WHERE id = ?",
    )
    .bind(&id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = existing {
        let same_person = row.person == person_text(person);
        return if same_person && row.decode()? == *s {
            Ok(Put::Unchanged)
        } else {
            Err(StoreError::Conflict { what: "screening", id: s.id })
        };
    }
    let clearance = match &s.clearance {
        Some(c) => Some(json_text(c, "screening.clearance")?),
        None => None,
    };
    sqlx::query(
        "INSERT INTO screenings (id, person, at, disposition, pack_version, intake, result, clearance) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(person_text(person))
    .bind(time_text(&s.at, "screening.at")?)
    .bind(s.disposition.as_str())
    .bind(&s.pack_version)
    .bind(json_text(&s.intake, "screening.intake")?)
    .bind(json_text(&s.result, "screening.result")?)
    .bind(clearance)
    .execute(&mut *conn)
    .await?;
    Ok(Put::Added)
}

async fn fetch_steps(conn: &mut SqliteConnection, session: &str) -> Result<Vec<StepDone>, StoreError> {
    let rows: Vec<StepRow> =
        sqlx::query_as(&format!("SELECT {STEP_COLUMNS} FROM session_steps WHERE session = ? ORDER BY seq"))
            .bind(session)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter().map(StepRow::decode).collect()
}

/// A session with its steps, and whose it is; `person` narrows the search to one person.
async fn fetch_session(
    conn: &mut SqliteConnection,
    id: Uuid,
    person: Option<PersonId>,
) -> Result<Option<(String, SessionRecord)>, StoreError> {
    let id = id_text(id);
    let row: Option<SessionRow> = match person {
        Some(p) => {
            sqlx::query_as(&format!("{SESSION_SELECT} WHERE s.id = ? AND s.person = ?"))
                .bind(&id)
                .bind(person_text(p))
                .fetch_optional(&mut *conn)
                .await?
        }
        None => {
            sqlx::query_as(&format!("{SESSION_SELECT} WHERE s.id = ?"))
                .bind(&id)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    let Some(row) = row else { return Ok(None) };
    let steps = fetch_steps(conn, &id).await?;
    let owner = row.person.clone();
    Ok(Some((owner, row.decode(steps)?)))
}

/// Steps written by one statement: every statement is a round trip to the
/// connection's thread, which under load costs more than the insert.
const STEPS_PER_INSERT: usize = 500;

/// Insert `steps` numbered from `first_seq`; `field` names them in errors
/// (`field[i]`).
async fn insert_steps(
    conn: &mut SqliteConnection,
    session: &str,
    first_seq: i64,
    steps: &[StepDone],
    field: &str,
) -> Result<(), StoreError> {
    for (chunk_no, chunk) in (0_i64..).zip(steps.chunks(STEPS_PER_INSERT)) {
        let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO session_steps (session, seq, technique, step_id, started_at, ended_at, active_seconds, \
             outcome) VALUES {rows}"
        );
        let mut insert = sqlx::query(&sql);
        let first = chunk_no * i64::try_from(STEPS_PER_INSERT).unwrap_or(i64::MAX);
        for (i, step) in (first..).zip(chunk) {
            let at = format!("{field}[{i}]");
            insert = insert
                .bind(session)
                .bind(first_seq + i)
                .bind(step.technique.as_str())
                .bind(&step.step_id)
                .bind(time_text(&step.started_at, &format!("{at}.started_at"))?)
                .bind(time_text(&step.ended_at, &format!("{at}.ended_at"))?)
                .bind(i64::from(step.active_seconds))
                .bind(outcome_text(step.outcome));
        }
        insert.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn put_session(
    conn: &mut SqliteConnection,
    person: PersonId,
    s: &SessionRecord,
) -> Result<Put, StoreError> {
    check_session(s)?;
    let id = id_text(s.id);
    let ended_at = match &s.ended_at {
        Some(t) => Some(time_text(t, "session.ended_at")?),
        None => None,
    };
    let plan = match &s.plan {
        Some(p) => Some(json_text(p, "session.plan")?),
        None => None,
    };
    let added = sqlx::query(
        "INSERT INTO sessions (id, person, screening_id, started_at, ended_at, status, stop_reason, usage, \
         pain_before, pain_after, region, note, pack_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&id)
    .bind(person_text(person))
    .bind(s.screening_id.map(id_text))
    .bind(time_text(&s.started_at, "session.started_at")?)
    .bind(ended_at)
    .bind(SessionStatus::as_str(s.status))
    .bind(&s.stop_reason)
    .bind(json_text(&s.usage, "session.usage")?)
    .bind(i64::from(s.pain_before.get()))
    .bind(s.pain_after.map(|p| i64::from(p.get())))
    .bind(s.region.map(Vocabulary::as_str))
    .bind(&s.note)
    .bind(&s.pack_version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if added == 0 {
        // The id is taken: the same session again is a retry, anything else a conflict.
        let same = fetch_session(conn, s.id, None)
            .await?
            .is_some_and(|(owner, existing)| owner == person_text(person) && existing == *s);
        return if same {
            Ok(Put::Unchanged)
        } else {
            Err(StoreError::Conflict { what: "session", id: s.id })
        };
    }
    if let Some(plan) = plan {
        sqlx::query("INSERT INTO session_plans (session, plan) VALUES (?, ?)")
            .bind(&id)
            .bind(plan)
            .execute(&mut *conn)
            .await?;
    }
    insert_steps(conn, &id, 0, &s.steps, "session.steps").await?;
    Ok(Put::Added)
}

/// The usage of each session of `person` in `day` other than `except`:
/// what a [`DayRule`] judges, read in the transaction that writes.
async fn usage_within(
    conn: &mut SqliteConnection,
    person: PersonId,
    except: Uuid,
    day: &Period,
) -> Result<Vec<BTreeMap<TechniqueId, u32>>, StoreError> {
    let mut sql = String::from("SELECT id, usage FROM sessions WHERE person = ? AND id <> ?");
    let from = day.from.as_ref().map(|t| time_text(t, "day.from")).transpose()?;
    let to = day.to.as_ref().map(|t| time_text(t, "day.to")).transpose()?;
    if from.is_some() {
        sql.push_str(" AND started_at >= ?");
    }
    if to.is_some() {
        sql.push_str(" AND started_at < ?");
    }
    let mut query =
        sqlx::query_as::<_, (String, String)>(&sql).bind(person_text(person)).bind(id_text(except));
    for bound in [from, to].into_iter().flatten() {
        query = query.bind(bound);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter().map(|(id, text)| parse_json(text).map_err(|e| corrupt("session", id, "usage", e))).collect()
}

async fn put_checkin(conn: &mut SqliteConnection, person: PersonId, c: &CheckIn) -> Result<Put, StoreError> {
    let id = id_text(c.id);
    let existing: Option<CheckInRow> =
        sqlx::query_as("SELECT id, person, at, week_pain, change FROM checkins WHERE id = ?")
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(row) = existing {
        let same_person = row.person == person_text(person);
        return if same_person && row.decode()? == *c {
            Ok(Put::Unchanged)
        } else {
            Err(StoreError::Conflict { what: "check-in", id: c.id })
        };
    }
    sqlx::query("INSERT INTO checkins (id, person, at, week_pain, change) VALUES (?, ?, ?, ?, ?)")
        .bind(&id)
        .bind(person_text(person))
        .bind(time_text(&c.at, "checkin.at")?)
        .bind(i64::from(c.week_pain.get()))
        .bind(i64::from(c.change.get()))
        .execute(&mut *conn)
        .await?;
    Ok(Put::Added)
}

// ---------------------------------------------------------------------------

impl Store for SqliteStore {
    async fn local_person(&self) -> Result<PersonId, StoreError> {
        const FIND: &str = "SELECT id FROM persons WHERE is_local = 1";
        let found: Option<String> = sqlx::query_scalar(FIND).fetch_optional(&self.pool).await?;
        let id = match found {
            Some(id) => id,
            None => {
                // Look again under the write lock: another process may have just made one.
                let mut tx = self.begin_write().await?;
                let again: Option<String> = sqlx::query_scalar(FIND).fetch_optional(&mut *tx).await?;
                let id = match again {
                    Some(id) => id,
                    None => {
                        let id = id_text(Uuid::now_v7());
                        sqlx::query("INSERT INTO persons (id, is_local) VALUES (?, 1)")
                            .bind(&id)
                            .execute(&mut *tx)
                            .await?;
                        id
                    }
                };
                tx.commit().await?;
                id
            }
        };
        Ok(PersonId(parse_id(&id).map_err(|e| corrupt("person", &id, "id", e))?))
    }

    async fn add_screening(&self, person: PersonId, screening: &ScreeningRecord) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        ensure_person(&mut tx, person).await?;
        put_screening(&mut tx, person, screening).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn screenings(&self, person: PersonId, limit: u32) -> Result<Vec<ScreeningRecord>, StoreError> {
        let rows: Vec<ScreeningRow> = sqlx::query_as(
            "SELECT id, person, at, disposition, pack_version, intake, result, clearance FROM screenings \
             WHERE person = ? ORDER BY at DESC, id DESC LIMIT ?",
        )
        .bind(person_text(person))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(ScreeningRow::decode).collect()
    }

    async fn screening(&self, person: PersonId, id: Uuid) -> Result<Option<ScreeningRecord>, StoreError> {
        let row: Option<ScreeningRow> = sqlx::query_as(
            "SELECT id, person, at, disposition, pack_version, intake, result, clearance FROM screenings \
             WHERE person = ? AND id = ?",
        )
        .bind(person_text(person))
        .bind(id_text(id))
        .fetch_optional(&self.pool)
        .await?;
        row.map(ScreeningRow::decode).transpose()
    }

    async fn cleared_on(&self, person: PersonId) -> Result<Option<NaiveDate>, StoreError> {
        let day: Option<String> = sqlx::query_scalar(
            "SELECT max(json_extract(clearance, '$.on')) FROM screenings \
             WHERE person = ? AND clearance IS NOT NULL AND json_extract(clearance, '$.withdrawn') IS NULL",
        )
        .bind(person_text(person))
        .fetch_one(&self.pool)
        .await?;
        day.map(|d| d.parse().map_err(|e| corrupt("screening", &d, "clearance.on", format!("{e}"))))
            .transpose()
    }

    async fn last_withdrawal(&self, person: PersonId) -> Result<Option<DateTime<Utc>>, StoreError> {
        let times: Vec<String> = sqlx::query_scalar(
            "SELECT json_extract(clearance, '$.withdrawn.at') FROM screenings \
             WHERE person = ? AND json_extract(clearance, '$.withdrawn') IS NOT NULL",
        )
        .bind(person_text(person))
        .fetch_all(&self.pool)
        .await?;
        latest(times)
    }

    async fn journal_versions(&self, persons: &[PersonId]) -> Result<Vec<(PersonId, i64)>, StoreError> {
        let ids: Vec<String> = persons.iter().copied().map(person_text).collect();
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT id, version FROM persons WHERE id IN (SELECT value FROM json_each(?))")
                .bind(json_text(&ids, "persons")?)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(id, version)| {
                let person = parse_id(&id).map_err(|e| corrupt("person", &id, "id", e))?;
                Ok((PersonId(person), version))
            })
            .collect()
    }

    async fn begin_session(&self, person: PersonId, session: &SessionRecord) -> Result<(), StoreError> {
        if session.status != SessionStatus::InProgress {
            return Err(StoreError::Invalid(format!(
                "session.status: a session begins `in_progress`, not `{}`",
                SessionStatus::as_str(session.status)
            )));
        }
        self.record_session(person, session).await
    }

    async fn add_step(&self, person: PersonId, session: Uuid, step: &StepDone) -> Result<(), StoreError> {
        check_step(step, "step")?;
        let id = id_text(session);
        let mut tx = self.begin_write().await?;
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT status, usage FROM sessions WHERE id = ? AND person = ?")
                .bind(&id)
                .bind(person_text(person))
                .fetch_optional(&mut *tx)
                .await?;
        let Some((status, usage)) = row else {
            return Err(StoreError::NotFound { what: "session" });
        };
        // A retry of the last write (its answer lost) is the same step again: keep it once.
        let last: Option<StepRow> = sqlx::query_as(&format!(
            "SELECT {STEP_COLUMNS} FROM session_steps WHERE session = ? ORDER BY seq DESC LIMIT 1"
        ))
        .bind(&id)
        .fetch_optional(&mut *tx)
        .await?;
        let next_seq = match last {
            Some(last) => {
                let seq = last.seq;
                if last.decode()? == *step {
                    return Ok(());
                }
                seq + 1
            }
            None => 0,
        };
        let status = parse_status(&status).map_err(|e| corrupt("session", &id, "status", e))?;
        if status != SessionStatus::InProgress {
            return Err(StoreError::Invalid(format!(
                "session {id} is {}: steps can only be added to a session in progress",
                SessionStatus::as_str(status)
            )));
        }
        let mut usage: BTreeMap<TechniqueId, u32> =
            parse_json(&usage).map_err(|e| corrupt("session", &id, "usage", e))?;
        let seconds = usage.entry(step.technique).or_insert(0);
        *seconds = seconds.checked_add(step.active_seconds).ok_or_else(|| {
            StoreError::Invalid(format!(
                "step.active_seconds: the session's {} total overflows",
                step.technique
            ))
        })?;
        insert_steps(&mut tx, &id, next_seq, std::slice::from_ref(step), "step").await?;
        sqlx::query("UPDATE sessions SET usage = ? WHERE id = ?")
            .bind(json_text(&usage, "session.usage")?)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn finish_session(
        &self,
        person: PersonId,
        session: Uuid,
        end: &SessionEnd,
    ) -> Result<(), StoreError> {
        if matches!(end.status, SessionStatus::InProgress | SessionStatus::Logged) {
            return Err(StoreError::Invalid(format!(
                "end.status: `{}` does not end a session; allowed: completed, stopped, interrupted",
                SessionStatus::as_str(end.status)
            )));
        }
        let mut tx = self.begin_write().await?;
        let Some((_, current)) = fetch_session(&mut tx, session, Some(person)).await? else {
            return Err(StoreError::NotFound { what: "session" });
        };
        if current.status != SessionStatus::InProgress {
            // The same end again (a retry) changes nothing.
            let same = current.status == end.status
                && current.ended_at == Some(end.ended_at)
                && current.stop_reason == end.stop_reason
                && current.pain_after == end.pain_after
                && (end.note.is_none() || current.note == end.note);
            return if same {
                Ok(())
            } else {
                Err(StoreError::Invalid(format!(
                    "session {session} is {}: only a session in progress can be finished",
                    SessionStatus::as_str(current.status)
                )))
            };
        }
        if end.ended_at < current.started_at {
            return Err(StoreError::Invalid(format!(
                "end.ended_at: {} is before the session's start {}",
                end.ended_at, current.started_at
            )));
        }
        // A note given when the session began is kept unless the end brings one.
        sqlx::query(
            "UPDATE sessions SET status = ?, ended_at = ?, stop_reason = ?, pain_after = ?, \
             note = COALESCE(?, note) WHERE id = ?",
        )
        .bind(SessionStatus::as_str(end.status))
        .bind(time_text(&end.ended_at, "end.ended_at")?)
        .bind(&end.stop_reason)
        .bind(end.pain_after.map(|p| i64::from(p.get())))
        .bind(&end.note)
        .bind(id_text(session))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_session(&self, person: PersonId, session: &SessionRecord) -> Result<(), StoreError> {
        self.write_together(writer::Job::session(person, session, None)).await
    }

    async fn record_session_within(
        &self,
        person: PersonId,
        session: &SessionRecord,
        day: Period,
        room: &DayRoom,
    ) -> Result<(), StoreError> {
        self.write_together(writer::Job::session(person, session, Some((day, room.clone())))).await
    }

    async fn interrupt_open_sessions(&self, person: PersonId) -> Result<u32, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE sessions SET status = 'interrupted', ended_at = COALESCE(\
                 (SELECT ended_at FROM session_steps WHERE session = sessions.id ORDER BY seq DESC LIMIT 1), \
                 started_at) \
             WHERE person = ? AND status = 'in_progress'",
        )
        .bind(person_text(person))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(u32::try_from(done.rows_affected()).unwrap_or(u32::MAX))
    }

    async fn session(&self, person: PersonId, id: Uuid) -> Result<Option<SessionRecord>, StoreError> {
        // Most look-ups are for a session not kept yet (a PUT checking for
        // a retry): one statement says so.
        let kept: Option<i64> = sqlx::query_scalar("SELECT 1 FROM sessions WHERE id = ? AND person = ?")
            .bind(id_text(id))
            .bind(person_text(person))
            .fetch_optional(&self.pool)
            .await?;
        if kept.is_none() {
            return Ok(None);
        }
        // One read transaction, so the row and its steps are one snapshot.
        let mut tx = self.pool.begin().await?;
        let found = fetch_session(&mut tx, id, Some(person)).await?;
        tx.commit().await?;
        Ok(found.map(|(_, session)| session))
    }

    async fn session_summaries(
        &self,
        person: PersonId,
        period: Period,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        Self::summaries(&mut *self.pool.acquire().await?, person, period, None, Take::All).await
    }

    async fn session_pains(&self, person: PersonId, period: Period) -> Result<Vec<SessionPain>, StoreError> {
        let (filter, binds) = summary_filter(person, &period, None)?;
        // The seconds are summed here so that the usage by technique is never read.
        let sql = in_order(
            "id, started_at, status, (SELECT ifnull(sum(value), 0) FROM json_each(usage)) AS massage_seconds, \
             pain_before, pain_after",
            &filter,
            Take::All,
        );
        let mut query = sqlx::query_as::<_, PainRow>(&sql);
        for bind in &binds {
            query = query.bind(bind);
        }
        // Decoded as they come: never a row more than the one read is held.
        let mut rows = query.fetch(&self.pool);
        let mut pains = Vec::new();
        while let Some(row) = rows.try_next().await? {
            pains.push(row.decode()?);
        }
        Ok(pains)
    }

    async fn latest_session_summaries(
        &self,
        person: PersonId,
        period: Period,
        limit: u32,
    ) -> Result<Latest, StoreError> {
        // One read transaction, so the count and the rows are one snapshot.
        let mut tx = self.pool.begin().await?;
        let (filter, binds) = summary_filter(person, &period, None)?;
        let sql = format!("SELECT count(*) FROM sessions WHERE {filter}");
        let mut count = sqlx::query_scalar::<_, i64>(&sql);
        for bind in &binds {
            count = count.bind(bind);
        }
        let total = u64::try_from(count.fetch_one(&mut *tx).await?).unwrap_or(0);
        let sessions = Self::summaries(&mut tx, person, period, None, Take::Newest(limit)).await?;
        tx.commit().await?;
        Ok(Latest { sessions, total })
    }

    async fn summaries_page(
        &self,
        person: PersonId,
        period: Period,
        after: Option<SessionKey>,
        limit: u32,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        Self::summaries(&mut *self.pool.acquire().await?, person, period, after, Take::First(limit)).await
    }

    async fn add_checkin(&self, person: PersonId, checkin: &CheckIn) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        ensure_person(&mut tx, person).await?;
        put_checkin(&mut tx, person, checkin).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn checkins(&self, person: PersonId) -> Result<Vec<CheckIn>, StoreError> {
        let rows: Vec<CheckInRow> = sqlx::query_as(
            "SELECT id, person, at, week_pain, change FROM checkins WHERE person = ? ORDER BY at, id",
        )
        .bind(person_text(person))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(CheckInRow::decode).collect()
    }

    async fn export(&self, person: PersonId, exported_at: DateTime<Utc>) -> Result<Journal, StoreError> {
        // One read transaction: one snapshot for the whole export.
        let mut tx = self.pool.begin().await?;
        let mut journal = export_head(&mut tx, person, exported_at).await?;
        journal.sessions = sessions_after(&mut tx, person, None, None).await?;
        tx.commit().await?;
        Ok(journal)
    }

    async fn sessions_page(
        &self,
        person: PersonId,
        after: Option<SessionKey>,
        limit: u32,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        // One read transaction, so the sessions and their steps agree.
        let mut tx = self.pool.begin().await?;
        let page = sessions_after(&mut tx, person, after, Some(limit)).await?;
        tx.commit().await?;
        Ok(page)
    }

    async fn export_head(&self, person: PersonId, exported_at: DateTime<Utc>) -> Result<Journal, StoreError> {
        let mut tx = self.pool.begin().await?;
        let head = export_head(&mut tx, person, exported_at).await?;
        tx.commit().await?;
        Ok(head)
    }

    async fn import(&self, person: PersonId, journal: &Journal) -> Result<ImportReport, StoreError> {
        journal.check_header().map_err(StoreError::Invalid)?;
        let mut report = ImportReport::default();
        // Dropping the transaction on any error rolls all of it back.
        let mut tx = self.begin_write().await?;
        ensure_person(&mut tx, person).await?;
        for s in &journal.screenings {
            count(&mut report, put_screening(&mut tx, person, s).await?);
        }
        for s in &journal.sessions {
            count(&mut report, put_session(&mut tx, person, s).await?);
        }
        for c in &journal.checkins {
            count(&mut report, put_checkin(&mut tx, person, c).await?);
        }
        tx.commit().await?;
        Ok(report)
    }
}

/// Whether a pooled connection may be used again: not when it is still in
/// a transaction nobody holds. After a full disk (`SQLITE_FULL`), or
/// another I/O error, SQLite may roll a transaction back by itself; the
/// rollback sqlx then sends fails, and sqlx goes on counting the
/// connection as inside a transaction, refusing every later `BEGIN` on it
/// until a restart. Such a connection is closed instead and a fresh one
/// opened. Only a connection that looks inside one pays for a round trip:
/// the ping waits for a rollback still on its way to the connection's
/// thread, after which an ordinary one is out of its transaction.
async fn still_usable(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    if conn.is_in_transaction() {
        conn.ping().await?;
    }
    Ok(!conn.is_in_transaction())
}

/// The export without its sessions: screenings and check-ins.
async fn export_head(
    conn: &mut SqliteConnection,
    person: PersonId,
    exported_at: DateTime<Utc>,
) -> Result<Journal, StoreError> {
    let who = person_text(person);
    let screenings: Vec<ScreeningRow> = sqlx::query_as(
        "SELECT id, person, at, disposition, pack_version, intake, result, clearance FROM screenings \
         WHERE person = ? ORDER BY at, id",
    )
    .bind(&who)
    .fetch_all(&mut *conn)
    .await?;
    let checkins: Vec<CheckInRow> = sqlx::query_as(
        "SELECT id, person, at, week_pain, change FROM checkins WHERE person = ? ORDER BY at, id",
    )
    .bind(&who)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Journal {
        format: Journal::FORMAT.to_owned(),
        version: Journal::VERSION,
        exported_at,
        screenings: screenings.into_iter().map(ScreeningRow::decode).collect::<Result<_, _>>()?,
        sessions: Vec::new(),
        checkins: checkins.into_iter().map(CheckInRow::decode).collect::<Result<_, _>>()?,
    })
}

/// The person's sessions in full, oldest first, after `after`, at most `limit`.
async fn sessions_after(
    conn: &mut SqliteConnection,
    person: PersonId,
    after: Option<SessionKey>,
    limit: Option<u32>,
) -> Result<Vec<SessionRecord>, StoreError> {
    let mut filter = String::from("s.person = ?");
    let mut binds = vec![person_text(person)];
    if let Some(key) = after {
        filter.push_str(" AND (s.started_at, s.id) > (?, ?)");
        binds.extend([time_text(&key.started_at, "after.started_at")?, id_text(key.id)]);
    }
    let limit = limit.map_or(String::new(), |n| format!(" LIMIT {n}"));
    let chosen = format!("WHERE {filter} ORDER BY s.started_at, s.id{limit}");
    let sessions_sql = format!("{SESSION_SELECT} {chosen}");
    let mut sessions = sqlx::query_as::<_, SessionRow>(&sessions_sql);
    let steps_sql = format!(
        "SELECT st.session, st.seq, st.technique, st.step_id, st.started_at, st.ended_at, st.active_seconds, \
         st.outcome FROM session_steps st WHERE st.session IN (SELECT s.id FROM sessions s {chosen}) \
         ORDER BY st.session, st.seq"
    );
    let mut steps = sqlx::query_as::<_, StepRow>(&steps_sql);
    for bind in &binds {
        sessions = sessions.bind(bind);
        steps = steps.bind(bind);
    }
    let sessions = sessions.fetch_all(&mut *conn).await?;
    let steps = steps.fetch_all(&mut *conn).await?;
    let mut steps_of: HashMap<String, Vec<StepDone>> = HashMap::new();
    for row in steps {
        let session = row.session.clone();
        steps_of.entry(session).or_default().push(row.decode()?);
    }
    sessions
        .into_iter()
        .map(|row| {
            let steps = steps_of.remove(&row.id).unwrap_or_default();
            row.decode(steps)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

    use super::*;

    fn session(note: Option<String>, minutes: i64) -> SessionRecord {
        let start = DateTime::parse_from_rfc3339("2025-03-01T08:00:00.5Z").unwrap().with_timezone(&Utc);
        SessionRecord {
            id: Uuid::now_v7(),
            screening_id: None,
            started_at: start - chrono::Duration::minutes(minutes),
            ended_at: None,
            status: SessionStatus::InProgress,
            stop_reason: None,
            plan: None,
            steps: vec![],
            usage: BTreeMap::from([(TechniqueId::Hands, 30), (TechniqueId::FoamRoller, 5)]),
            pain_before: PainScore::new(4).unwrap(),
            pain_after: None,
            region: None,
            note,
            pack_version: "p".to_owned(),
        }
    }

    /// The per-connection settings are in force on the store's own connections.
    #[tokio::test]
    async fn connections_have_the_settings() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("j.db")).await.unwrap();
        let mut conn = store.pool.acquire().await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *conn).await.unwrap();
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *conn).await.unwrap();
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut *conn).await.unwrap();
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&mut *conn).await.unwrap();
        assert_eq!((mode.as_str(), sync, fk, busy), ("wal", 2, 1, 5000));
    }

    /// Issue 15: after one `SQLITE_FULL`, every later write failed ("begin
    /// at non-zero transaction depth") until a restart, even with space
    /// freed. On a full disk SQLite rolls the transaction back by itself,
    /// the commit fails and so does sqlx's rollback after it; here that
    /// rollback is SQLite's own `ROLLBACK`, as a full disk does it. (Checked
    /// on a real full disk too, a 2 MiB tmpfs: before, 40 of 40 writes
    /// failed after space was freed; now none.)
    #[tokio::test]
    async fn a_transaction_sqlite_rolled_back_itself_does_not_stop_later_writes() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("j.db")).await.unwrap();
        let me = store.local_person().await.unwrap();
        let mut tx = store.begin_write().await.unwrap();
        sqlx::query("ROLLBACK").execute(&mut *tx).await.unwrap();
        assert!(tx.commit().await.is_err(), "nothing to commit");
        // Every connection the pool hands out is usable, the one that failed too.
        let mut held = Vec::new();
        for _ in 0..4 {
            held.push(store.pool.acquire().await.unwrap());
        }
        assert!(held.iter().all(|c| !c.is_in_transaction()));
        drop(held);
        for i in 0..8 {
            store.record_session(me, &session(None, i)).await.unwrap();
        }
        assert_eq!(store.session_summaries(me, Period::default()).await.unwrap().len(), 8);
    }

    /// The fast way to read summaries works on well-formed data (it is not
    /// quietly falling back to the slow way) and agrees with the slow way.
    #[tokio::test]
    async fn summaries_at_once_agree_with_row_by_row() {
        let store = SqliteStore::open_in_memory().await.unwrap();
        let me = store.local_person().await.unwrap();
        for (i, note) in [None, Some("plain"), Some("\"quoted\" \\ \n \u{1} 🙂")].into_iter().enumerate() {
            let minutes = i64::try_from(i).unwrap();
            let session = SessionRecord {
                pain_after: (i == 1).then(|| PainScore::new(2).unwrap()),
                region: (i == 2).then_some(Region::BothSides),
                ..session(note.map(str::to_owned), minutes)
            };
            store.record_session(me, &session).await.unwrap();
        }
        let binds = [person_text(me)];
        let mut conn = store.pool.acquire().await.unwrap();
        let fast = SqliteStore::summaries_at_once(&mut conn, "person = ?", &binds, Take::All)
            .await
            .unwrap()
            .unwrap();
        let slow =
            SqliteStore::summaries_row_by_row(&mut conn, "person = ?", &binds, Take::All).await.unwrap();
        assert_eq!(fast.len(), 3);
        assert_eq!(fast, slow);
    }
}
