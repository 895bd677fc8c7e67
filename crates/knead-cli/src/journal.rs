//! The person's journal on this computer: the SQLite store in the data
//! directory, driven from the synchronous terminal code.
//!
//! The data directory is `--data-dir`, else `KNEAD_DATA_DIR`, else the
//! platform's data directory for Knead (e.g. `~/.local/share/knead`).

use anyhow::{Context, anyhow};
use chrono::{DateTime, Local, NaiveDate, Utc};
use knead_core::limits;
use knead_core::outcomes::PainReading;
use knead_core::planner::DayUsage;
use knead_core::screening::ScreeningResult;
use knead_store::records::{PersonId, ScreeningRecord, SessionSummary};
use knead_store::sqlite::SqliteStore;
use knead_store::{Period, Store, StoreError};
use std::future::Future;
use std::path::{Path, PathBuf};

/// The journal's file in the data directory.
pub const FILE: &str = "journal.sqlite3";

/// Where the journal lives.
pub fn data_dir(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir.to_owned());
    }
    if let Some(dir) = std::env::var_os("KNEAD_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("org", "Knead", "knead")
        .map(|p| p.data_dir().to_owned())
        .ok_or_else(|| anyhow!("no home directory found; give --data-dir or set KNEAD_DATA_DIR"))
}

/// An open journal.
pub struct Journal {
    runtime: tokio::runtime::Runtime,
    store: SqliteStore,
    person: PersonId,
    /// Sessions found still open (their program died) and kept as interrupted.
    pub interrupted: u32,
}

/// Whether opening the journal also closes sessions left open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sessions {
    /// Before guiding a new session: any session still open belongs to a
    /// program that died, so it is kept as interrupted.
    CloseAbandoned,
    /// For reading and recording: leave open sessions as they are (one may
    /// be running in another terminal right now).
    LeaveOpen,
}

impl Journal {
    /// Open (or create) the journal in `dir`.
    pub fn open(dir: &Path, sessions: Sessions) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the data directory {}", dir.display()))?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let path = dir.join(FILE);
        let store = runtime
            .block_on(SqliteStore::open(&path))
            .with_context(|| format!("opening the journal {}", path.display()))?;
        let person = runtime.block_on(store.local_person())?;
        let interrupted = match sessions {
            Sessions::CloseAbandoned => runtime.block_on(store.interrupt_open_sessions(person))?,
            Sessions::LeaveOpen => 0,
        };
        Ok(Journal { runtime, store, person, interrupted })
    }

    /// The store.
    pub fn store(&self) -> &SqliteStore {
        &self.store
    }

    /// Whose journal it is.
    pub fn person(&self) -> PersonId {
        self.person
    }

    /// Run one store operation to completion.
    pub fn block<T>(&self, op: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
        self.runtime.block_on(op)
    }

    /// All sessions (without plans and steps), oldest first.
    pub fn summaries(&self, period: Period) -> Result<Vec<SessionSummary>, StoreError> {
        self.block(self.store.session_summaries(self.person, period))
    }

    /// What today's sessions used.
    pub fn today(&self, now: DateTime<Utc>) -> Result<DayUsage, StoreError> {
        let today = local_day(now);
        let start = today.and_hms_opt(0, 0, 0).and_then(|t| t.and_local_timezone(Local).earliest());
        let from = start.map(|t| t.with_timezone(&Utc));
        let sessions = self.summaries(Period { from, to: None })?;
        Ok(limits::usage(sessions.iter().filter(|s| local_day(s.started_at) == today).map(|s| &s.usage)))
    }

    /// Pain readings by local day, for the outcome assessment.
    pub fn readings(&self) -> Result<Vec<PainReading>, StoreError> {
        Ok(self
            .summaries(Period::default())?
            .iter()
            .map(|s| PainReading { day: local_day(s.started_at), before: s.pain_before, after: s.pain_after })
            .collect())
    }

    /// The day of the latest clinician clearance recorded with a screening.
    pub fn cleared_on(&self) -> Result<Option<NaiveDate>, StoreError> {
        let screenings = self.block(self.store.screenings(self.person, 1000))?;
        Ok(screenings.iter().filter_map(|s| s.clearance.as_ref().map(|c| c.on)).max())
    }

    /// Keep a screening.
    pub fn add_screening(&self, record: &ScreeningRecord) -> Result<(), StoreError> {
        self.block(self.store.add_screening(self.person, record))
    }
}

impl Drop for Journal {
    /// Close the connections: the last one to close checkpoints the WAL into
    /// the journal, so the next program to open it need not replay it.
    fn drop(&mut self) {
        self.runtime.block_on(self.store.close());
    }
}

/// The person's local calendar day of a moment.
pub fn local_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Local).date_naive()
}

/// A screening as the journal keeps it.
pub fn screening_record(
    intake: &knead_core::intake::Intake,
    result: &ScreeningResult,
    pack_version: &str,
    clearance: Option<knead_store::records::Clearance>,
    at: DateTime<Utc>,
) -> anyhow::Result<ScreeningRecord> {
    Ok(ScreeningRecord {
        id: uuid::Uuid::now_v7(),
        at,
        intake: intake.clone(),
        result: serde_json::to_value(result)?,
        disposition: result.disposition,
        pack_version: pack_version.to_owned(),
        clearance,
    })
}
