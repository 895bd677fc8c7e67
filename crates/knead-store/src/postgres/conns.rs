//! The connections to PostgreSQL, kept open for the next request.
//!
//! Not sqlx's pool: sqlx 0.8 makes a round trip every time a connection
//! goes back to its pool (a `Sync`, answered by the server, on a task of its
//! own, whatever the connection did). A request here is one to three short
//! statements, so that nearly doubled its round trips: with it, recording
//! sessions went 15-18 % slower and reading history 11-30 % (docs/benchmarks.md,
//! "PostgreSQL without a round trip on release").
//!
//! Here a connection goes back as soon as what used it is done, with
//! nothing sent. A round trip is made only where one is needed:
//!
//! - **A statement cut off** (its future dropped, say because the client
//!   went away): a task reads what the statement left on the connection,
//!   then gives the connection back.
//! - **A transaction ended without commit** (an error returned early): a
//!   task rolls it back at once, then gives the connection back, so no lock
//!   stays held by a connection waiting idle.
//!
//! A connection that failed other than by the database's answer (the server
//! restarted, the network went) is closed, and the next use opens a new one.
//! As sqlx's pool did by default, a connection idle for [`IDLE_FOR`] or open
//! for [`LIFETIME`] is closed rather than used again. At most `size`
//! connections are open at once; a use waits up to [`WAIT`] for one, then
//! fails with sqlx's `PoolTimedOut`.

use crate::StoreError;
use futures_util::TryStreamExt as _;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use sqlx::postgres::{
    PgConnectOptions, PgConnection, PgDatabaseError, PgQueryResult, PgRow, PgSeverity, PgStatement,
    PgTypeInfo,
};
use sqlx::{ConnectOptions as _, Connection as _, Describe, Either, Execute, Executor, Postgres};
use sqlx_core::ext::async_stream::TryAsyncStream;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// How long a use waits for a connection when all are taken.
pub(crate) const WAIT: Duration = Duration::from_secs(30);

/// A connection idle this long is closed, not used again: a firewall may
/// have forgotten it.
pub(crate) const IDLE_FOR: Duration = Duration::from_secs(10 * 60);

/// A connection open this long is closed when it is next free: what a
/// server process caches only grows.
pub(crate) const LIFETIME: Duration = Duration::from_secs(30 * 60);

/// Up to `size` open connections to one database.
#[derive(Debug, Clone)]
pub(crate) struct Conns(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    options: PgConnectOptions,
    /// Connections ready for the next use; the newest returned is used first.
    idle: Mutex<Vec<Idle>>,
    /// One permit per connection that may be open.
    slots: Arc<Semaphore>,
    size: u32,
    /// [`IDLE_FOR`] and [`LIFETIME`] (shorter in tests).
    idle_for: Duration,
    lifetime: Duration,
}

/// A connection waiting for its next use.
#[derive(Debug)]
struct Idle {
    conn: PgConnection,
    opened: Instant,
    since: Instant,
}

impl Shared {
    fn give_back(&self, conn: PgConnection, opened: Instant) {
        let idle = Idle { conn, opened, since: Instant::now() };
        self.idle.lock().unwrap_or_else(PoisonError::into_inner).push(idle);
    }

    /// The newest idle connection still fit for use; the ones too old are
    /// closed on the way.
    fn take_idle(&self) -> Option<Idle> {
        loop {
            let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop()?;
            if idle.since.elapsed() < self.idle_for && idle.opened.elapsed() < self.lifetime {
                return Some(idle);
            }
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                // Closing says goodbye to the server; one that cannot hear it is gone anyway.
                runtime.spawn(async move { drop(idle.conn.close().await) });
            }
        }
    }
}

impl Conns {
    /// No connection is opened until one is used.
    pub(crate) fn new(options: PgConnectOptions, size: u32) -> Self {
        Self::aging(options, size, IDLE_FOR, LIFETIME)
    }

    fn aging(options: PgConnectOptions, size: u32, idle_for: Duration, lifetime: Duration) -> Self {
        let slots = Arc::new(Semaphore::new(size as usize));
        Self(Arc::new(Shared { options, idle: Mutex::new(Vec::new()), slots, size, idle_for, lifetime }))
    }

    /// Run `work` on a connection of its own, given back when `work` is
    /// done (or mended or closed, as the module says, when it is cut off
    /// or its connection failed).
    pub(crate) async fn with<T>(
        &self,
        work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut lease = self.lease().await?;
        lease.state = State::Busy;
        let result = work(lease.raw()).await;
        lease.state = match &result {
            Ok(_) => State::Ready,
            Err(StoreError::Database(e)) if !answered(e) => State::Broken,
            // `work` may have left a transaction of sqlx's to roll back:
            // mended, as if cut off (errors are rare, the round trip cheap).
            Err(_) => State::Busy,
        };
        result
    }

    /// One statement, `work`, on a connection leased for it alone: the
    /// `&conns` executor.
    async fn leased<T>(
        &self,
        work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let mut lease = self.lease().await?;
        lease.state = State::Busy;
        let result = work(lease.raw()).await;
        lease.state = settled(&result, State::Ready);
        result
    }

    /// A connection of one's own until the lease is dropped.
    async fn lease(&self) -> Result<Lease, sqlx::Error> {
        let slot = tokio::time::timeout(WAIT, Arc::clone(&self.0.slots).acquire_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let (conn, opened) = match self.0.take_idle() {
            Some(idle) => (idle.conn, idle.opened),
            None => (self.0.options.connect().await?, Instant::now()),
        };
        let shared = Arc::clone(&self.0);
        Ok(Lease { conn: Some(conn), opened, state: State::Ready, shared, slot: Some(slot) })
    }

    /// A transaction (read committed) on a connection of its own.
    pub(crate) async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.begin_with("BEGIN").await
    }

    /// A read-only transaction that sees one snapshot throughout
    /// (repeatable read), begun in the same round trip.
    pub(crate) async fn begin_snapshot(&self) -> Result<Tx, sqlx::Error> {
        self.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await
    }

    async fn begin_with(&self, begin: &'static str) -> Result<Tx, sqlx::Error> {
        let mut lease = self.lease().await?;
        lease.state = State::Busy;
        let begun = lease.raw().execute(begin).await;
        lease.state = settled(&begun, State::InTransaction);
        begun?;
        Ok(Tx(lease))
    }

    /// Wait for every connection to come back, then close them; a use
    /// after this fails with sqlx's `PoolClosed`.
    pub(crate) async fn close(&self) {
        let all = self.0.slots.acquire_many(self.0.size).await;
        self.0.slots.close();
        let idle = std::mem::take(&mut *self.0.idle.lock().unwrap_or_else(PoisonError::into_inner));
        for idle in idle {
            // Closing says goodbye to the server; one that cannot hear it is gone anyway.
            let _ = idle.conn.close().await;
        }
        drop(all);
    }
}

/// What a lease's connection holds when the lease ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing: it goes back as it is.
    Ready,
    /// A statement may still be running, or its answer unread.
    Busy,
    /// A transaction is open.
    InTransaction,
    /// It failed other than by the database's answer: closed.
    Broken,
}

/// One connection, given back (or mended, or closed: see the module) when
/// dropped.
#[derive(Debug)]
struct Lease {
    conn: Option<PgConnection>,
    opened: Instant,
    state: State,
    shared: Arc<Shared>,
    slot: Option<OwnedSemaphorePermit>,
}

impl Lease {
    fn raw(&mut self) -> &mut PgConnection {
        self.conn.as_mut().unwrap_or_else(|| unreachable!("a lease holds its connection until dropped"))
    }
}

/// The state after a statement (or a transaction's begin or commit) that
/// gave `result`: `ok` when it succeeded; `Ready` when the database refused
/// it (the statement is over, and a refused begin or commit leaves no
/// transaction open); `Broken` otherwise.
fn settled<T>(result: &Result<T, sqlx::Error>, ok: State) -> State {
    match result {
        Ok(_) => ok,
        Err(e) if answered(e) => State::Ready,
        Err(_) => State::Broken,
    }
}

/// Whether the database itself answered with this error and the
/// connection is still sound: a refusal (a constraint, a syntax error), or a
/// row that did not decode. A fatal error is the server ending the
/// connection (an administrator, a shutdown): that one is not sound.
fn answered(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(refusal) => refusal
            .try_downcast_ref::<PgDatabaseError>()
            .is_none_or(|pg| !matches!(pg.severity(), PgSeverity::Fatal | PgSeverity::Panic)),
        sqlx::Error::RowNotFound
        | sqlx::Error::TypeNotFound { .. }
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::Encode(_) => true,
        _ => false,
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else { return };
        let mend = match self.state {
            State::Ready => return self.shared.give_back(conn, self.opened),
            State::Broken => return,
            State::Busy | State::InTransaction => self.state,
        };
        // Mending is a round trip, so it runs on a task, holding the slot.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let (shared, slot, opened) = (Arc::clone(&self.shared), self.slot.take(), self.opened);
        runtime.spawn(async move {
            // Either first reads whatever the cut-off statement left.
            let mended = match mend {
                State::InTransaction => conn.execute("ROLLBACK").await.map(drop),
                _ => conn.ping().await,
            };
            if mended.is_ok() {
                shared.give_back(conn, opened);
            }
            drop(slot);
        });
    }
}

/// A transaction on a leased connection. Dropped without
/// [`Tx::commit`], it is rolled back (at once, on a task).
#[derive(Debug)]
pub(crate) struct Tx(Lease);

impl Tx {
    /// Commit, and give the connection back.
    pub(crate) async fn commit(mut self) -> Result<(), sqlx::Error> {
        let committed = self.0.raw().execute("COMMIT").await;
        self.0.state = settled(&committed, State::Ready);
        committed.map(drop)
    }
}

impl Deref for Tx {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        self.0.conn.as_ref().unwrap_or_else(|| unreachable!("a lease holds its connection until dropped"))
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.0.raw()
    }
}

/// A statement on `&conns` runs on a connection leased for it alone.
impl<'c> Executor<'c> for &'c Conns {
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<PgQueryResult, PgRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        Box::pin(TryAsyncStream::new(move |yielder| async move {
            let mut lease = self.lease().await?;
            let Lease { conn, state, .. } = &mut lease;
            *state = State::Busy;
            let conn = conn.as_mut().unwrap_or_else(|| unreachable!("a new lease holds its connection"));
            let mut rows = conn.fetch_many(query);
            loop {
                match rows.try_next().await {
                    Ok(Some(row)) => yielder.r#yield(row).await,
                    Ok(None) => break,
                    Err(e) => {
                        let failed = Err(e);
                        *state = settled(&failed, State::Ready);
                        return failed;
                    }
                }
            }
            drop(rows);
            *state = State::Ready;
            Ok(())
        }))
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<PgRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        Box::pin(self.leased(async move |conn| conn.fetch_optional(query).await))
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, Result<PgStatement<'q>, sqlx::Error>>
    where
        'c: 'e,
    {
        Box::pin(self.leased(async move |conn| conn.prepare_with(sql, parameters).await))
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<Postgres>, sqlx::Error>>
    where
        'c: 'e,
    {
        Box::pin(self.leased(async move |conn| conn.describe(sql).await))
    }
}

#[cfg(test)]
mod tests {
    //! What the module promises, on one connection so that every use
    //! shares it: a cut-off statement leaves nothing for the next, a
    //! transaction dropped open frees its locks at once, a dead connection
    //! is replaced, and a connection that did its work goes back as it is.
    #![allow(clippy::unwrap_used)]

    use super::Conns;
    use crate::StoreError;
    use knead_testkit::postgres::{TestDatabase, server_url};
    use sqlx::postgres::{PgConnectOptions, PgConnection};
    use sqlx::{Connection as _, Executor as _};
    use std::str::FromStr as _;
    use std::time::Duration;

    async fn one_connection() -> Option<(TestDatabase, Conns, String)> {
        let (db, url) = TestDatabase::create(&server_url()?).await;
        Some((db, Conns::new(PgConnectOptions::from_str(&url).unwrap(), 1), url))
    }

    async fn backend(conns: &Conns) -> i32 {
        sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(conns).await.unwrap()
    }

    #[tokio::test]
    async fn a_connection_that_did_its_work_is_used_again() {
        let Some((_db, conns, _)) = one_connection().await else { return };
        let first = backend(&conns).await;
        let mut tx = conns.begin().await.unwrap();
        tx.execute("SELECT 1").await.unwrap();
        tx.commit().await.unwrap();
        conns.with(async |c| Ok(c.execute("SELECT 1").await?)).await.unwrap();
        let refused = sqlx::query("SELECT * FROM no_such_table").execute(&conns).await;
        assert!(refused.is_err(), "the database refuses it");
        assert_eq!(backend(&conns).await, first, "the same connection after work, a commit and a refusal");
        conns.close().await;
    }

    #[tokio::test]
    async fn a_statement_cut_off_leaves_nothing_for_the_next_use() {
        let Some((_db, conns, _)) = one_connection().await else { return };
        let first = backend(&conns).await;
        let slow = sqlx::query_scalar::<_, i32>("SELECT 7 FROM pg_sleep(0.3)").fetch_one(&conns);
        assert!(tokio::time::timeout(Duration::from_millis(50), slow).await.is_err(), "cut off");
        let answer: i32 = sqlx::query_scalar("SELECT 8").fetch_one(&conns).await.unwrap();
        assert_eq!(answer, 8, "the next use gets its own answer, not the cut-off one");
        assert_eq!(backend(&conns).await, first, "mended, not replaced");
        conns.close().await;
    }

    #[tokio::test]
    async fn a_transaction_dropped_open_frees_its_locks_at_once() {
        let Some((_db, conns, url)) = one_connection().await else { return };
        let mut tx = conns.begin().await.unwrap();
        tx.execute("SELECT pg_advisory_xact_lock(42)").await.unwrap();
        drop(tx);
        // Nothing else uses the pool: only the rollback on drop frees the lock.
        let mut other = PgConnection::connect(&url).await.unwrap();
        let mut freed = false;
        for _ in 0..100 {
            freed =
                sqlx::query_scalar("SELECT pg_try_advisory_lock(42)").fetch_one(&mut other).await.unwrap();
            if freed {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(freed, "the lock is still held two seconds after the transaction was dropped");
        other.close().await.unwrap();
        let mut tx = conns.begin().await.unwrap();
        let open: bool = sqlx::query_scalar(
            "SELECT count(*) = 1 FROM pg_stat_activity WHERE pid = pg_backend_pid() AND xact_start = now()",
        )
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        assert!(open, "a new transaction, not the old one");
        tx.commit().await.unwrap();
        conns.close().await;
    }

    #[tokio::test]
    async fn a_connection_idle_too_long_is_replaced() {
        let Some((_db, _, url)) = one_connection().await else { return };
        // Wide margins: a busy test machine may stall a task for a while.
        let (idle_for, lifetime) = (Duration::from_secs(2), Duration::from_secs(4));
        let conns = Conns::aging(PgConnectOptions::from_str(&url).unwrap(), 1, idle_for, lifetime);
        let first = backend(&conns).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(backend(&conns).await, first, "idle a little: used again");
        tokio::time::sleep(idle_for + Duration::from_millis(100)).await;
        let next = backend(&conns).await;
        assert_ne!(next, first, "idle for {idle_for:?}: replaced");
        // Used every half second, so never idle too long, until it is too old.
        let mut same = 0;
        while backend(&conns).await == next {
            same += 1;
            assert!(same < 20, "still used after {lifetime:?}");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        assert!(same >= 3, "replaced after {same} uses, before it was {lifetime:?} old");
        conns.close().await;
    }

    #[tokio::test]
    async fn a_connection_the_server_ended_is_replaced() {
        let Some((_db, conns, url)) = one_connection().await else { return };
        let first = backend(&conns).await;
        let mut other = PgConnection::connect(&url).await.unwrap();
        // Ended with a timeout: the call waits until the backend is gone.
        let ended: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1, 5000)")
            .bind(first)
            .fetch_one(&mut other)
            .await
            .unwrap();
        assert!(ended);
        other.close().await.unwrap();
        let failed = conns.with(async |c| Ok(c.execute("SELECT 1").await?)).await;
        assert!(matches!(failed, Err(StoreError::Database(_))), "the first use finds it gone: {failed:?}");
        let next = backend(&conns).await;
        assert_ne!(next, first, "a new connection");
        conns.close().await;
    }
}
