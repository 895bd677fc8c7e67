//! Writing to SQLite: one writer at a time, in turn, and sessions that
//! arrive together written together (group commit).
//!
//! SQLite lets one connection write at a time. Left to itself, a second
//! writer sleeps in SQLite's busy handler (1, 2, 5, 10, ... ms) and tries
//! again, which under load is most of the wait. Here writers queue on an
//! async lock instead, so the next one starts the moment the last commits.
//!
//! Every commit waits for the disk (`synchronous = FULL`: a session the
//! phone has dropped from its outbox must survive a power cut). The writes
//! the web app does most (recording sessions, and the audit lines of every
//! clinician's look) wait while another batch commits and are then written
//! in one transaction, so the batch pays for one wait on the disk instead
//! of one each. A batch with a refused write in it (a conflict, a day's
//! limit) is rolled back and each write done alone. Each caller still gets
//! its own answer, and only after the commit that holds its write.
//!
//! The batch is written by a task of its own, so a caller that goes away
//! (a closed connection) cannot cut the others' writes short.

use super::sharing::put_audits;
use super::{SqliteStore, ensure_person, put_session, usage_within};
use crate::codec::Put;
use crate::sharing::AuditEntry;
use crate::{Period, StoreError};
use knead_core::limits::{self, DayRoom};
use knead_core::records::{PersonId, SessionRecord};
use sqlx::sqlite::SqliteConnection;
use sqlx::{Sqlite, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{Mutex as TurnLock, OwnedMutexGuard, oneshot};

/// A write that can wait for the next batch.
pub(super) enum Job {
    /// Keep a whole session, if its day has room for it (when it is judged).
    Session(Box<SessionJob>),
    /// Append audit lines.
    Audit(Vec<AuditEntry>),
}

/// A whole session to keep.
pub(super) struct SessionJob {
    person: PersonId,
    session: SessionRecord,
    within: Option<(Period, DayRoom)>,
}

impl Job {
    /// Keep `session`; with `within`, only if that day has that room.
    pub(super) fn session(
        person: PersonId,
        session: &SessionRecord,
        within: Option<(Period, DayRoom)>,
    ) -> Self {
        Self::Session(Box::new(SessionJob { person, session: session.clone(), within }))
    }
}

/// A write waiting, and where its answer goes.
struct Waiting {
    job: Job,
    answer: oneshot::Sender<Result<(), StoreError>>,
}

/// The store's writers: whose turn it is, and the sessions waiting.
#[derive(Default)]
pub(super) struct Writers {
    turn: Arc<TurnLock<()>>,
    waiting: Mutex<Vec<Waiting>>,
}

impl std::fmt::Debug for Writers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writers").finish_non_exhaustive()
    }
}

/// A write transaction, held with the writer's turn. It reads as the
/// connection; dropping it without [`Write::commit`] rolls back.
pub(super) struct Write {
    // Declared first, dropped first: the rollback is queued before the turn passes.
    tx: Transaction<'static, Sqlite>,
    _turn: OwnedMutexGuard<()>,
}

impl Write {
    /// Commit, then pass the turn on.
    pub(super) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Deref for Write {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl DerefMut for Write {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}

impl SqliteStore {
    /// Wait for the turn to write and begin (`BEGIN IMMEDIATE`: the write
    /// lock is taken at once, so a transaction never fails halfway for it).
    pub(super) async fn begin_write(&self) -> Result<Write, StoreError> {
        let turn = Arc::clone(&self.writers.turn).lock_owned().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Write { tx, _turn: turn })
    }

    /// Do `job` with whatever other writes are waiting.
    pub(super) async fn write_together(&self, job: Job) -> Result<(), StoreError> {
        let (answer, mut answered) = oneshot::channel();
        let waiting = Waiting { job, answer };
        self.writers.waiting.lock().unwrap_or_else(PoisonError::into_inner).push(waiting);
        let abandoned = || Err(StoreError::Invalid("the write was abandoned; send it again".into()));
        // Wait for the answer or the turn, whichever comes first. A job
        // taken along by an earlier batch is answered while its caller is
        // still in the queue for the turn: it leaves the queue then, rather
        // than take the turn only to find nothing to write, one caller
        // after another.
        let turn = tokio::select! {
            biased;
            answer = &mut answered => return answer.unwrap_or_else(|_| abandoned()),
            turn = Arc::clone(&self.writers.turn).lock_owned() => turn,
        };
        // Whoever gets the turn writes everything waiting: this job, or
        // nothing if an earlier turn already took it along.
        let batch = std::mem::take(&mut *self.writers.waiting.lock().unwrap_or_else(PoisonError::into_inner));
        if batch.is_empty() {
            drop(turn);
        } else {
            let store = self.clone();
            tokio::spawn(async move {
                store.write_batch(batch).await;
                drop(turn);
            });
        }
        answered.await.unwrap_or_else(|_| abandoned())
    }

    /// Write a batch in one transaction. Each statement is a trip to the
    /// connection's thread, and on a loaded 2-core machine those trips,
    /// not SQLite, were the cost of a write; so the batch takes no
    /// savepoints. If any write in it is refused (a conflict, a day's
    /// limit) or the transaction fails, it is rolled back whole and each
    /// job is written alone, so every caller gets the answer for its own
    /// write and a refused write leaves nothing behind.
    async fn write_batch(&self, batch: Vec<Waiting>) {
        let together = match batch.as_slice() {
            // Alone: written alone below.
            [_] => false,
            _ => self.write_in_one(&batch).await.is_ok(),
        };
        for waiting in batch {
            let answer = if together { Ok(()) } else { self.write_alone(&waiting.job).await };
            let _ = waiting.answer.send(answer);
        }
    }

    async fn write_in_one(&self, batch: &[Waiting]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for waiting in batch {
            put(&mut tx, &waiting.job).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn write_alone(&self, job: &Job) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        put(&mut tx, job).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn put(conn: &mut SqliteConnection, job: &Job) -> Result<(), StoreError> {
    match job {
        Job::Session(job) => {
            let SessionJob { person, session, within } = &**job;
            // Written first, judged after: the common case is one insert,
            // and a refusal rolls it back with the rest of its transaction.
            let put = match put_session(conn, *person, session).await {
                // A person seen for the first time (an import, a new
                // journal): SQLite undid only the statement, so add them
                // and write again. Everyone else costs no extra statement.
                Err(StoreError::Database(e)) if is_foreign_key(&e) => {
                    ensure_person(conn, *person).await?;
                    put_session(conn, *person, session).await?
                }
                other => other?,
            };
            if let (Put::Added, Some((day, room))) = (put, within) {
                let before = limits::usage(&usage_within(conn, *person, session.id, day).await?);
                if !room.admits(&before) {
                    return Err(StoreError::DayFull(before));
                }
            }
            Ok(())
        }
        Job::Audit(entries) => put_audits(conn, entries, "entries").await,
    }
}

fn is_foreign_key(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation)
}
