//! The PostgreSQL backend: many persons in one database (the web app).
//!
//! Why it is built the way it is:
//!
//! - **Times are `timestamptz`**, which keeps microseconds: a time with
//!   nanoseconds comes back cut to the microsecond (SQLite keeps them all).
//! - **JSON is kept as `text`**, the records' serde form byte for byte:
//!   `jsonb` reorders keys and rewrites numbers, and a record must come back
//!   equal to what was written so that a repeated write is recognised.
//! - **The schema version is the one row of `knead_schema`**, read before any
//!   migration runs: a database written by a newer Knead is refused
//!   ([`StoreError::TooNew`]) and left untouched, an older one is migrated.
//! - **Every write is one transaction**, and writes that race are made safe
//!   by the database rather than by a lock on the whole journal: records go
//!   in with `ON CONFLICT (id) DO NOTHING` (a record already there is then
//!   compared, so a retry is unchanged and different content a conflict),
//!   and a write that changes a session (a step, its end) first locks the
//!   session's row with `FOR UPDATE`.
//! - **A whole session is one statement**, `keep_session` (migration 15):
//!   it locks the person's row, reads the day against the caller's
//!   [`DayRoom`] and inserts the session, its plan and its steps, in its own
//!   transaction. Recording is the busiest write, and on a small machine
//!   each round trip costs about as much as the work itself (docs/benchmarks.md).
//! - **Connections are kept by Knead** (`postgres/conns.rs`), not by
//!   sqlx's pool, which makes a round trip each time a connection goes
//!   back; here nothing is sent unless a statement was cut off or a
//!   transaction left open.
//! - **A read that needs one snapshot begins it in one statement**
//!   (`BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY`).

use crate::codec::{
    Put, check_session, check_step, corrupt, count, json_text, latest, outcome_text, parse_json,
    parse_outcome, parse_pain, parse_status, parse_word, session_pain,
};
use crate::{Latest, Period, SessionKey, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use conns::{Conns, Tx};
use futures_util::TryStreamExt as _;
use knead_core::intake::Intake;
use knead_core::limits::DayRoom;
use knead_core::planner::DayUsage;
use knead_core::records::{
    CheckIn, Clearance, ImportReport, Journal, PersonId, ScreeningRecord, SessionEnd, SessionPain,
    SessionRecord, SessionStatus, SessionSummary, StepDone,
};
use knead_core::units::ChangeRating;
use knead_core::vocab::{Disposition, Region, TechniqueId, Vocabulary};
use sqlx::FromRow;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr as _;
use uuid::Uuid;

mod accounts;
mod calendars;
mod conns;
mod mail;
mod micros;
mod sharing;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// The newest schema version this build knows (its newest migration).
pub fn schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// A journal in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: Conns,
}

impl PgStore {
    /// Connect to the database at `url` (`postgres://user@host:port/db`) and
    /// migrate it to this build's schema. A database written by a newer
    /// Knead is refused with [`StoreError::TooNew`] before anything in it is
    /// changed.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        // Notices ("already exists, skipping" from the migrations' IF NOT
        // EXISTS) are not problems: only warnings and errors are sent, so an
        // ordinary start logs nothing from the database.
        let options = PgConnectOptions::from_str(url)?.options([("client_min_messages", "warning")]);
        Self::prepare(Conns::new(options, 8)).await
    }

    /// Close every connection, waiting for them to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether the database answers (a health check).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn prepare(pool: Conns) -> Result<Self, StoreError> {
        let supported = schema_version();
        let found = match database_version(&pool).await {
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
        pool.with(async |conn| Ok(MIGRATOR.run(conn).await.map_err(sqlx::Error::from)?)).await?;
        if found < supported {
            // After the migrations, not inside them: a crash in between leaves
            // the old number, and `database_version` also reads the migrations table.
            sqlx::query(
                "INSERT INTO knead_schema (one, version) VALUES (true, $1) \
                 ON CONFLICT (one) DO UPDATE SET version = GREATEST(knead_schema.version, EXCLUDED.version)",
            )
            .bind(supported)
            .execute(&pool)
            .await?;
        }
        Ok(Self { pool })
    }

    async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(self.pool.begin().await?)
    }
}

/// The database's schema version: `knead_schema`, or the newest applied
/// migration if that is higher; 0 for an empty database.
async fn database_version(pool: &Conns) -> Result<i64, StoreError> {
    let has_schema: bool =
        sqlx::query_scalar("SELECT to_regclass('knead_schema') IS NOT NULL").fetch_one(pool).await?;
    let kept: Option<i64> = if has_schema {
        sqlx::query_scalar("SELECT max(version) FROM knead_schema").fetch_one(pool).await?
    } else {
        None
    };
    let has_migrations: bool =
        sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL").fetch_one(pool).await?;
    let migrated: Option<i64> = if has_migrations {
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations").fetch_one(pool).await?
    } else {
        None
    };
    Ok(kept.unwrap_or(0).max(migrated.unwrap_or(0)))
}

// ---------------------------------------------------------------------------
// Rows.

#[derive(FromRow)]
struct ScreeningRow {
    id: Uuid,
    person: Uuid,
    at: DateTime<Utc>,
    disposition: String,
    pack_version: String,
    intake: String,
    result: String,
    clearance: Option<String>,
}

const SCREENING_COLUMNS: &str = "id, person, at, disposition, pack_version, intake, result, clearance";

impl ScreeningRow {
    fn decode(self) -> Result<ScreeningRecord, StoreError> {
        let id = self.id.to_string();
        let bad = |field: &str, problem: String| corrupt("screening", &id, field, problem);
        Ok(ScreeningRecord {
            id: self.id,
            at: self.at,
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
    id: Uuid,
    person: Uuid,
    screening_id: Option<Uuid>,
    started_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
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
        let id = self.id.to_string();
        let bad = |field: &str, problem: String| corrupt("session", &id, field, problem);
        Ok(SessionRecord {
            id: self.id,
            screening_id: self.screening_id,
            started_at: self.started_at,
            ended_at: self.ended_at,
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
    id: Uuid,
    started_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
    status: String,
    usage: String,
    pain_before: i64,
    pain_after: Option<i64>,
    region: Option<String>,
    note: Option<String>,
}

/// The sessions of `$1` (a person) in the period from `$2` to `$3`. An
/// unbounded end is NULL, read as the infinite time: one statement for
/// every period, and a range of the index (person, started_at, id) whatever
/// plan the server keeps for it. (`$2 IS NULL OR started_at >= $2` cannot be
/// a range in a generic plan: it read all of the person's sessions.)
const IN_PERIOD: &str = "FROM sessions WHERE person = $1 \
     AND started_at >= coalesce($2::timestamptz, '-infinity') AND started_at < coalesce($3::timestamptz, 'infinity')";

/// The sessions after the key `($a, $b)`, a session's start and id, in the
/// index's order; all of them when the key is NULL. A range of the index,
/// as in [`IN_PERIOD`]. `table` prefixes the columns (`"s."`, or empty).
fn after_key(table: &str, a: u8, b: u8) -> String {
    format!(
        "({table}started_at, {table}id) > (coalesce(${a}::timestamptz, '-infinity'), \
         coalesce(${b}::uuid, '00000000-0000-0000-0000-000000000000'))"
    )
}

/// The columns of a [`SummaryRow`].
const SUMMARY_COLUMNS: &str =
    "id, started_at, ended_at, status, usage, pain_before, pain_after, region, note";

/// The summaries of `person` in `period`, oldest first: those after
/// `after` when given, at most `limit` when given.
async fn summaries(
    conn: &mut PgConnection,
    person: PersonId,
    period: Period,
    after: Option<SessionKey>,
    limit: Option<u32>,
) -> Result<Vec<SessionSummary>, StoreError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "SELECT {SUMMARY_COLUMNS} {IN_PERIOD} \
         AND {} ORDER BY started_at, id LIMIT $6",
        after_key("", 4, 5)
    ))
    .bind(person.0)
    .bind(period.from)
    .bind(period.to)
    .bind(after.map(|k| k.started_at))
    .bind(after.map(|k| k.id))
    // LIMIT NULL is no limit.
    .bind(limit.map(i64::from))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(SummaryRow::decode).collect()
}

#[derive(FromRow)]
struct PainRow {
    id: Uuid,
    started_at: DateTime<Utc>,
    status: String,
    massage_seconds: i64,
    pain_before: i64,
    pain_after: Option<i64>,
}

impl PainRow {
    fn decode(self) -> Result<SessionPain, StoreError> {
        let id = self.id.to_string();
        session_pain(
            &id,
            self.started_at,
            &self.status,
            self.massage_seconds,
            self.pain_before,
            self.pain_after,
        )
    }
}

impl SummaryRow {
    fn decode(self) -> Result<SessionSummary, StoreError> {
        let id = self.id.to_string();
        let bad = |field: &str, problem: String| corrupt("session", &id, field, problem);
        Ok(SessionSummary {
            id: self.id,
            started_at: self.started_at,
            ended_at: self.ended_at,
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
struct StepRow {
    session: Uuid,
    seq: i64,
    technique: String,
    step_id: String,
    started_at: DateTime<Utc>,
    ended_at: DateTime<Utc>,
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
            started_at: self.started_at,
            ended_at: self.ended_at,
            active_seconds: u32::try_from(self.active_seconds)
                .map_err(|_| bad("active_seconds", format!("{} is out of range", self.active_seconds)))?,
            outcome: parse_outcome(&self.outcome).map_err(|e| bad("outcome", e))?,
        })
    }
}

const STEP_COLUMNS: &str = "session, seq, technique, step_id, started_at, ended_at, active_seconds, outcome";

#[derive(FromRow)]
struct CheckInRow {
    id: Uuid,
    person: Uuid,
    at: DateTime<Utc>,
    week_pain: i64,
    change: i64,
}

impl CheckInRow {
    fn decode(self) -> Result<CheckIn, StoreError> {
        let id = self.id.to_string();
        let bad = |field: &str, problem: String| corrupt("check-in", &id, field, problem);
        Ok(CheckIn {
            id: self.id,
            at: self.at,
            week_pain: parse_pain(self.week_pain).map_err(|e| bad("week_pain", e))?,
            change: ChangeRating::new(self.change).map_err(|e| bad("change", e.to_string()))?,
        })
    }
}

// ---------------------------------------------------------------------------
// Writes, inside a transaction the caller owns.

async fn ensure_person(conn: &mut PgConnection, person: PersonId) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO persons (id) VALUES ($1) ON CONFLICT (id) DO NOTHING")
        .bind(person.0)
        .execute(conn)
        .await?;
    Ok(())
}

async fn put_screening(
    conn: &mut PgConnection,
    person: PersonId,
    s: &ScreeningRecord,
) -> Result<Put, StoreError> {
    let s = &micros::screening(s);
    let clearance = match &s.clearance {
        Some(c) => Some(json_text(c, "screening.clearance")?),
        None => None,
    };
    let added = sqlx::query(
        "INSERT INTO screenings (id, person, at, disposition, pack_version, intake, result, clearance) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
    )
    .bind(s.id)
    .bind(person.0)
    .bind(s.at)
    .bind(s.disposition.as_str())
    .bind(&s.pack_version)
    .bind(json_text(&s.intake, "screening.intake")?)
    .bind(json_text(&s.result, "screening.result")?)
    .bind(clearance)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if added == 1 {
        return Ok(Put::Added);
    }
    let existing: Option<ScreeningRow> =
        sqlx::query_as(&format!("SELECT {SCREENING_COLUMNS} FROM screenings WHERE id = $1"))
            .bind(s.id)
            .fetch_optional(&mut *conn)
            .await?;
    // A record there already: unchanged if it is this one, else a conflict.
    let same = match existing {
        Some(row) => row.person == person.0 && row.decode()? == *s,
        None => false,
    };
    if same { Ok(Put::Unchanged) } else { Err(StoreError::Conflict { what: "screening", id: s.id }) }
}

async fn fetch_steps(conn: &mut PgConnection, session: Uuid) -> Result<Vec<StepDone>, StoreError> {
    let rows: Vec<StepRow> =
        sqlx::query_as(&format!("SELECT {STEP_COLUMNS} FROM session_steps WHERE session = $1 ORDER BY seq"))
            .bind(session)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter().map(StepRow::decode).collect()
}

/// A session with its steps, and whose it is; `person` narrows the search to one person.
async fn fetch_session(
    conn: &mut PgConnection,
    id: Uuid,
    person: Option<PersonId>,
) -> Result<Option<(Uuid, SessionRecord)>, StoreError> {
    let row: Option<SessionRow> = match person {
        Some(p) => {
            sqlx::query_as(&format!("{SESSION_SELECT} WHERE s.id = $1 AND s.person = $2"))
                .bind(id)
                .bind(p.0)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => {
            sqlx::query_as(&format!("{SESSION_SELECT} WHERE s.id = $1"))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    let Some(row) = row else { return Ok(None) };
    let steps = fetch_steps(conn, id).await?;
    let owner = row.person;
    Ok(Some((owner, row.decode(steps)?)))
}

/// Append `steps` to `session` from sequence number `first` on, in one
/// statement (a session's steps go in together, not a round trip each).
async fn insert_steps(
    conn: &mut PgConnection,
    session: Uuid,
    first: i64,
    steps: &[StepDone],
) -> Result<(), StoreError> {
    let columns = StepColumns::of(first, steps);
    sqlx::query(
        "INSERT INTO session_steps (session, seq, technique, step_id, started_at, ended_at, active_seconds, outcome) \
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], \
         $7::bigint[], $8::text[])",
    )
    .bind(session)
    .bind(columns.seq)
    .bind(columns.technique)
    .bind(columns.step_id)
    .bind(columns.started_at)
    .bind(columns.ended_at)
    .bind(columns.active_seconds)
    .bind(columns.outcome)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Steps as one array per column, in the order of `session_steps`'
/// columns, to be sent as arrays and inserted by `unnest`.
struct StepColumns {
    seq: Vec<i64>,
    technique: Vec<&'static str>,
    step_id: Vec<String>,
    started_at: Vec<DateTime<Utc>>,
    ended_at: Vec<DateTime<Utc>>,
    active_seconds: Vec<i64>,
    outcome: Vec<&'static str>,
}

impl StepColumns {
    fn of(first: i64, steps: &[StepDone]) -> Self {
        Self {
            seq: (first..).take(steps.len()).collect(),
            technique: steps.iter().map(|s| s.technique.as_str()).collect(),
            step_id: steps.iter().map(|s| s.step_id.clone()).collect(),
            started_at: steps.iter().map(|s| s.started_at).collect(),
            ended_at: steps.iter().map(|s| s.ended_at).collect(),
            active_seconds: steps.iter().map(|s| i64::from(s.active_seconds)).collect(),
            outcome: steps.iter().map(|s| outcome_text(s.outcome)).collect(),
        }
    }
}

/// Keep session `s` of `person`, with its plan and steps, by one call of
/// `keep_session` (migrations 15 and 16), which locks the person's row first; with
/// `within`, only if that day has that room. A person seen for the first
/// time is added. A session already there is compared: a retry is
/// [`Put::Unchanged`], different content a conflict.
async fn put_session(
    conn: &mut PgConnection,
    person: PersonId,
    s: &SessionRecord,
    within: Option<(&Period, &DayRoom)>,
) -> Result<Put, StoreError> {
    let s = &micros::session(s);
    check_session(s)?;
    let plan = match &s.plan {
        Some(p) => Some(json_text(p, "session.plan")?),
        None => None,
    };
    let steps = StepColumns::of(0, &s.steps);
    let (day, room) = within.map_or((None, None), |(day, room)| (Some(day), Some(room)));
    let (kept, held_sessions, held_seconds): (String, Option<i64>, Option<String>) = sqlx::query_as(
        "SELECT * FROM keep_session($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
    )
    .bind(s.id)
    .bind(person.0)
    .bind(s.screening_id)
    .bind(s.started_at)
    .bind(s.ended_at)
    .bind(SessionStatus::as_str(s.status))
    .bind(&s.stop_reason)
    .bind(json_text(&s.usage, "session.usage")?)
    .bind(i64::from(s.pain_before.get()))
    .bind(s.pain_after.map(|p| i64::from(p.get())))
    .bind(s.region.map(Vocabulary::as_str))
    .bind(&s.note)
    .bind(&s.pack_version)
    .bind(plan)
    .bind(steps.seq)
    .bind(steps.technique)
    .bind(steps.step_id)
    .bind(steps.started_at)
    .bind(steps.ended_at)
    .bind(steps.active_seconds)
    .bind(steps.outcome)
    .bind(day.and_then(|d| d.from))
    .bind(day.and_then(|d| d.to))
    .bind(room.map(|r| i64::from(r.sessions_before)))
    .bind(room.map(|r| r.seconds_before.keys().map(|t| t.as_str()).collect::<Vec<_>>()))
    .bind(room.map(|r| r.seconds_before.values().map(|s| i64::from(*s)).collect::<Vec<_>>()))
    .fetch_one(&mut *conn)
    .await?;
    match kept.as_str() {
        "added" => Ok(Put::Added),
        "full" => Err(StoreError::DayFull(held(held_sessions, held_seconds.as_deref())?)),
        "exists" => {
            let same = fetch_session(conn, s.id, None)
                .await?
                .is_some_and(|(owner, existing)| owner == person.0 && existing == *s);
            if same { Ok(Put::Unchanged) } else { Err(StoreError::Conflict { what: "session", id: s.id }) }
        }
        other => {
            Err(corrupt("session", &s.id.to_string(), "keep_session", format!("unknown answer {other:?}")))
        }
    }
}

/// What a day held, as `keep_session` says it: a count of sessions and a
/// JSON object of seconds by technique.
fn held(sessions: Option<i64>, seconds: Option<&str>) -> Result<DayUsage, StoreError> {
    let by_technique: BTreeMap<TechniqueId, u64> =
        parse_json(seconds.unwrap_or("{}")).map_err(|e| corrupt("day", "held", "seconds", e))?;
    Ok(DayUsage {
        sessions: u32::try_from(sessions.unwrap_or(0)).unwrap_or(u32::MAX),
        seconds: by_technique.into_iter().map(|(t, s)| (t, u32::try_from(s).unwrap_or(u32::MAX))).collect(),
    })
}

async fn put_checkin(conn: &mut PgConnection, person: PersonId, c: &CheckIn) -> Result<Put, StoreError> {
    let c = &micros::checkin(c);
    let added = sqlx::query(
        "INSERT INTO checkins (id, person, at, week_pain, change) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(c.id)
    .bind(person.0)
    .bind(c.at)
    .bind(i64::from(c.week_pain.get()))
    .bind(i64::from(c.change.get()))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if added == 1 {
        return Ok(Put::Added);
    }
    let existing: Option<CheckInRow> =
        sqlx::query_as("SELECT id, person, at, week_pain, change FROM checkins WHERE id = $1")
            .bind(c.id)
            .fetch_optional(&mut *conn)
            .await?;
    // A record there already: unchanged if it is this one, else a conflict.
    let same = match existing {
        Some(row) => row.person == person.0 && row.decode()? == *c,
        None => false,
    };
    if same { Ok(Put::Unchanged) } else { Err(StoreError::Conflict { what: "check-in", id: c.id }) }
}

// ---------------------------------------------------------------------------

impl Store for PgStore {
    async fn local_person(&self) -> Result<PersonId, StoreError> {
        const FIND: &str = "SELECT id FROM persons WHERE is_local";
        if let Some(id) = sqlx::query_scalar::<_, Uuid>(FIND).fetch_optional(&self.pool).await? {
            return Ok(PersonId(id));
        }
        // The unique index on the local person settles a race: one insert wins.
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO persons (id, is_local) VALUES ($1, true) ON CONFLICT (is_local) WHERE is_local DO NOTHING")
            .bind(Uuid::now_v7())
            .execute(&mut *tx)
            .await?;
        let id: Uuid = sqlx::query_scalar(FIND).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(PersonId(id))
    }

    async fn add_screening(&self, person: PersonId, screening: &ScreeningRecord) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        ensure_person(&mut tx, person).await?;
        put_screening(&mut tx, person, screening).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn screenings(&self, person: PersonId, limit: u32) -> Result<Vec<ScreeningRecord>, StoreError> {
        let rows: Vec<ScreeningRow> = sqlx::query_as(&format!(
            "SELECT {SCREENING_COLUMNS} FROM screenings WHERE person = $1 ORDER BY at DESC, id DESC LIMIT $2"
        ))
        .bind(person.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(ScreeningRow::decode).collect()
    }

    async fn screening(&self, person: PersonId, id: Uuid) -> Result<Option<ScreeningRecord>, StoreError> {
        let row: Option<ScreeningRow> = sqlx::query_as(&format!(
            "SELECT {SCREENING_COLUMNS} FROM screenings WHERE person = $1 AND id = $2"
        ))
        .bind(person.0)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(ScreeningRow::decode).transpose()
    }

    async fn cleared_on(&self, person: PersonId) -> Result<Option<NaiveDate>, StoreError> {
        let day: Option<String> = sqlx::query_scalar(
            "SELECT max(clearance::jsonb ->> 'on') FROM screenings \
             WHERE person = $1 AND clearance IS NOT NULL AND clearance::jsonb -> 'withdrawn' IS NULL",
        )
        .bind(person.0)
        .fetch_one(&self.pool)
        .await?;
        day.map(|d| d.parse().map_err(|e| corrupt("screening", &d, "clearance.on", format!("{e}"))))
            .transpose()
    }

    async fn last_withdrawal(&self, person: PersonId) -> Result<Option<DateTime<Utc>>, StoreError> {
        let times: Vec<String> = sqlx::query_scalar(
            "SELECT clearance::jsonb -> 'withdrawn' ->> 'at' FROM screenings \
             WHERE person = $1 AND clearance::jsonb -> 'withdrawn' IS NOT NULL",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?;
        latest(times)
    }

    async fn journal_versions(&self, persons: &[PersonId]) -> Result<Vec<(PersonId, i64)>, StoreError> {
        let ids: Vec<Uuid> = persons.iter().map(|p| p.0).collect();
        let rows: Vec<(Uuid, i64)> = sqlx::query_as("SELECT id, version FROM persons WHERE id = ANY($1)")
            .bind(ids)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|(id, version)| (PersonId(id), version)).collect())
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
        let step = &micros::step(step);
        let mut tx = self.begin_write().await?;
        // Lock the session's row: steps added at once are numbered one after another.
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT status, usage FROM sessions WHERE id = $1 AND person = $2 FOR UPDATE")
                .bind(session)
                .bind(person.0)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((status, usage)) = row else {
            return Err(StoreError::NotFound { what: "session" });
        };
        let id = session.to_string();
        // A retry of the last write (its answer lost) is the same step again: keep it once.
        let last: Option<StepRow> = sqlx::query_as(&format!(
            "SELECT {STEP_COLUMNS} FROM session_steps WHERE session = $1 ORDER BY seq DESC LIMIT 1"
        ))
        .bind(session)
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
                step.technique.as_str()
            ))
        })?;
        insert_steps(&mut tx, session, next_seq, std::slice::from_ref(step)).await?;
        sqlx::query("UPDATE sessions SET usage = $1 WHERE id = $2")
            .bind(json_text(&usage, "session.usage")?)
            .bind(session)
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
        let end = &micros::end(end);
        let mut tx = self.begin_write().await?;
        let locked: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM sessions WHERE id = $1 AND person = $2 FOR UPDATE")
                .bind(session)
                .bind(person.0)
                .fetch_optional(&mut *tx)
                .await?;
        if locked.is_none() {
            return Err(StoreError::NotFound { what: "session" });
        }
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
            "UPDATE sessions SET status = $1, ended_at = $2, stop_reason = $3, pain_after = $4, \
             note = COALESCE($5, note) WHERE id = $6",
        )
        .bind(SessionStatus::as_str(end.status))
        .bind(end.ended_at)
        .bind(&end.stop_reason)
        .bind(end.pain_after.map(|p| i64::from(p.get())))
        .bind(&end.note)
        .bind(session)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_session(&self, person: PersonId, session: &SessionRecord) -> Result<(), StoreError> {
        // One statement, its own transaction.
        self.pool.with(async |conn| put_session(conn, person, session, None).await).await?;
        Ok(())
    }

    async fn record_session_within(
        &self,
        person: PersonId,
        session: &SessionRecord,
        day: Period,
        room: &DayRoom,
    ) -> Result<(), StoreError> {
        self.pool.with(async |conn| put_session(conn, person, session, Some((&day, room))).await).await?;
        Ok(())
    }

    async fn interrupt_open_sessions(&self, person: PersonId) -> Result<u32, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE sessions SET status = 'interrupted', ended_at = COALESCE(\
                 (SELECT ended_at FROM session_steps WHERE session = sessions.id ORDER BY seq DESC LIMIT 1), \
                 started_at) \
             WHERE person = $1 AND status = 'in_progress'",
        )
        .bind(person.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(u32::try_from(done.rows_affected()).unwrap_or(u32::MAX))
    }

    async fn session(&self, person: PersonId, id: Uuid) -> Result<Option<SessionRecord>, StoreError> {
        // One snapshot for the row and its steps.
        let mut tx = self.pool.begin_snapshot().await?;
        let found = fetch_session(&mut tx, id, Some(person)).await?;
        tx.commit().await?;
        Ok(found.map(|(_, session)| session))
    }

    async fn session_summaries(
        &self,
        person: PersonId,
        period: Period,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        self.pool.with(async |conn| summaries(conn, person, period, None, None).await).await
    }

    async fn session_pains(&self, person: PersonId, period: Period) -> Result<Vec<SessionPain>, StoreError> {
        // The seconds are summed here so that the usage by technique is never sent.
        let sql = format!(
            "SELECT id, started_at, status, \
             (SELECT coalesce(sum(value::bigint), 0) FROM json_each_text(usage::json))::bigint AS massage_seconds, \
             pain_before, pain_after {IN_PERIOD} ORDER BY started_at, id"
        );
        let mut rows = sqlx::query_as::<_, PainRow>(&sql)
            .bind(person.0)
            .bind(period.from)
            .bind(period.to)
            .fetch(&self.pool);
        // Decoded as they come: never a row more than the one read is held.
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
        // One snapshot, so the count and the rows agree.
        let mut tx = self.pool.begin_snapshot().await?;
        let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) {IN_PERIOD}"))
            .bind(person.0)
            .bind(period.from)
            .bind(period.to)
            .fetch_one(&mut *tx)
            .await?;
        let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
            "SELECT * FROM (SELECT {SUMMARY_COLUMNS} {IN_PERIOD} ORDER BY started_at DESC, id DESC LIMIT $4) \
             AS newest ORDER BY started_at, id"
        ))
        .bind(person.0)
        .bind(period.from)
        .bind(period.to)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let sessions = rows.into_iter().map(SummaryRow::decode).collect::<Result<_, _>>()?;
        Ok(Latest { sessions, total: u64::try_from(total).unwrap_or(0) })
    }

    async fn summaries_page(
        &self,
        person: PersonId,
        period: Period,
        after: Option<SessionKey>,
        limit: u32,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        self.pool.with(async |conn| summaries(conn, person, period, after, Some(limit)).await).await
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
            "SELECT id, person, at, week_pain, change FROM checkins WHERE person = $1 ORDER BY at, id",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(CheckInRow::decode).collect()
    }

    async fn export(&self, person: PersonId, exported_at: DateTime<Utc>) -> Result<Journal, StoreError> {
        // One snapshot for the whole export.
        let mut tx = self.pool.begin_snapshot().await?;
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
        // One snapshot, so the sessions and their steps agree.
        let mut tx = self.pool.begin_snapshot().await?;
        let page = sessions_after(&mut tx, person, after, Some(limit)).await?;
        tx.commit().await?;
        Ok(page)
    }

    async fn export_head(&self, person: PersonId, exported_at: DateTime<Utc>) -> Result<Journal, StoreError> {
        let mut tx = self.pool.begin_snapshot().await?;
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
            count(&mut report, put_session(&mut tx, person, s, None).await?);
        }
        for c in &journal.checkins {
            count(&mut report, put_checkin(&mut tx, person, c).await?);
        }
        tx.commit().await?;
        Ok(report)
    }
}

/// The export without its sessions: screenings and check-ins.
async fn export_head(
    conn: &mut PgConnection,
    person: PersonId,
    exported_at: DateTime<Utc>,
) -> Result<Journal, StoreError> {
    let screenings: Vec<ScreeningRow> = sqlx::query_as(&format!(
        "SELECT {SCREENING_COLUMNS} FROM screenings WHERE person = $1 ORDER BY at, id"
    ))
    .bind(person.0)
    .fetch_all(&mut *conn)
    .await?;
    let checkins: Vec<CheckInRow> = sqlx::query_as(
        "SELECT id, person, at, week_pain, change FROM checkins WHERE person = $1 ORDER BY at, id",
    )
    .bind(person.0)
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
    conn: &mut PgConnection,
    person: PersonId,
    after: Option<SessionKey>,
    limit: Option<u32>,
) -> Result<Vec<SessionRecord>, StoreError> {
    // An absent key or limit is NULL: one statement for every page.
    let chosen =
        format!("WHERE s.person = $1 AND {} ORDER BY s.started_at, s.id LIMIT $4", after_key("s.", 2, 3));
    let limit = limit.map(i64::from);
    let sessions: Vec<SessionRow> = sqlx::query_as(&format!("{SESSION_SELECT} {chosen}"))
        .bind(person.0)
        .bind(after.map(|k| k.started_at))
        .bind(after.map(|k| k.id))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    let steps: Vec<StepRow> = sqlx::query_as(&format!(
        "SELECT st.session, st.seq, st.technique, st.step_id, st.started_at, st.ended_at, st.active_seconds, \
         st.outcome FROM session_steps st WHERE st.session IN (SELECT s.id FROM sessions s {chosen}) \
         ORDER BY st.session, st.seq"
    ))
    .bind(person.0)
    .bind(after.map(|k| k.started_at))
    .bind(after.map(|k| k.id))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut steps_of: HashMap<Uuid, Vec<StepDone>> = HashMap::new();
    for row in steps {
        let session = row.session;
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
    //! The reads of a period and the day a session is judged against go by
    //! an index range whatever plan the server keeps for them: counted in
    //! rows read, against a history far longer than one day.
    #![allow(clippy::unwrap_used)]

    use super::{PgStore, put_session, summaries};
    use crate::{Period, SessionKey, Store as _};
    use chrono::{Duration, TimeZone as _, Utc};
    use knead_core::limits::DayRoom;
    use knead_core::records::{PersonId, SessionRecord, SessionStatus};
    use knead_core::units::PainScore;
    use knead_core::vocab::TechniqueId;
    use knead_testkit::postgres::{TestDatabase, server_url};
    use sqlx::postgres::PgConnection;
    use sqlx::{Connection as _, Executor as _};
    use std::collections::BTreeMap;
    use uuid::Uuid;

    const DAYS: i64 = 300;

    fn session_on(day: i64) -> SessionRecord {
        let started_at = Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0).unwrap() + Duration::days(day);
        SessionRecord {
            id: Uuid::now_v7(),
            screening_id: None,
            started_at,
            ended_at: Some(started_at + Duration::minutes(5)),
            status: SessionStatus::Completed,
            stop_reason: None,
            plan: None,
            steps: vec![],
            usage: BTreeMap::from([(TechniqueId::Hands, 120)]),
            pain_before: PainScore::new(5).unwrap(),
            pain_after: Some(PainScore::new(3).unwrap()),
            region: None,
            note: None,
            pack_version: "midback-1".to_owned(),
        }
    }

    /// Rows of `sessions` read so far in this transaction, by index or by
    /// a scan of the table.
    async fn rows_read(conn: &mut PgConnection) -> i64 {
        sqlx::query_scalar(
            "SELECT coalesce(sum(idx_tup_fetch + seq_tup_read), 0)::bigint \
             FROM pg_stat_xact_user_tables WHERE relname = 'sessions'",
        )
        .fetch_one(conn)
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn a_day_and_a_page_are_read_by_an_index_range_in_a_long_history() {
        let Some(server) = server_url() else { return };
        let (_db, url) = TestDatabase::create(&server).await;
        let store = PgStore::connect(&url).await.unwrap();
        let me = store.local_person().await.unwrap();
        for day in 0..DAYS {
            store.record_session(me, &session_on(day)).await.unwrap();
        }
        let mut conn = PgConnection::connect(&url).await.unwrap();
        conn.execute("BEGIN").await.unwrap();
        // The plan PL/pgSQL and prepared statements settle on after a few calls.
        conn.execute("SET LOCAL plan_cache_mode = force_generic_plan").await.unwrap();
        let day = |d: i64| Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap() + Duration::days(d);
        let one_day = Period { from: Some(day(150)), to: Some(day(151)) };
        let person = PersonId(me.0);

        let before = rows_read(&mut conn).await;
        let found = summaries(&mut conn, person, one_day, None, None).await.unwrap();
        assert_eq!(found.len(), 1);
        let read = rows_read(&mut conn).await - before;
        assert!(read <= 3, "one day's summaries read {read} rows of {DAYS}");

        let middle = SessionKey { started_at: found[0].started_at, id: found[0].id };
        let before = rows_read(&mut conn).await;
        let page = summaries(&mut conn, person, Period::default(), Some(middle), Some(2)).await.unwrap();
        assert_eq!(page.len(), 2);
        let read = rows_read(&mut conn).await - before;
        assert!(read <= 4, "a page of two after a key read {read} rows of {DAYS}");

        let room = DayRoom { sessions_before: 1, seconds_before: BTreeMap::new() };
        let new = session_on(DAYS + 1);
        let its_day = Period { from: Some(day(DAYS + 1)), to: Some(day(DAYS + 2)) };
        let before = rows_read(&mut conn).await;
        put_session(&mut conn, person, &new, Some((&its_day, &room))).await.unwrap();
        let read = rows_read(&mut conn).await - before;
        assert!(read <= 4, "keeping a session within its day read {read} rows of {DAYS}");

        conn.execute("ROLLBACK").await.unwrap();
        conn.close().await.unwrap();
        store.close().await;
    }
}
