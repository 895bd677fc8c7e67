//! The person's journal on this computer: the SQLite store in the data
//! directory, driven from the synchronous terminal code.
//!
//! The data directory is `--data-dir`, else `KNEAD_DATA_DIR`, else the
//! platform's data directory for Knead (e.g. `~/.local/share/knead`).

use anyhow::{Context, anyhow};
use knead_app::App;
use knead_app::clock::SystemNow;
use knead_core::pack::ContentPack;
use knead_core::records::{PersonId, SessionSummary};
use knead_store::sqlite::SqliteStore;
use knead_store::{Period, Store, StoreError};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

    /// The use cases over this journal, decided by `pack`.
    pub fn app(&self, pack: &ContentPack) -> App<SqliteStore> {
        App::new(self.store.clone(), Arc::new(pack.clone()), Arc::new(SystemNow))
    }

    /// Run one use case to completion.
    pub fn run<T>(&self, op: impl Future<Output = T>) -> T {
        self.runtime.block_on(op)
    }

    /// Run one store operation to completion.
    pub fn block<T>(&self, op: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
        self.runtime.block_on(op)
    }

    /// All sessions (without plans and steps), oldest first.
    pub fn summaries(&self, period: Period) -> Result<Vec<SessionSummary>, StoreError> {
        self.block(self.store.session_summaries(self.person, period))
    }
}

impl Drop for Journal {
    /// Close the connections: the last one to close checkpoints the WAL into
    /// the journal, so the next program to open it need not replay it.
    fn drop(&mut self) {
        self.runtime.block_on(self.store.close());
    }
}
