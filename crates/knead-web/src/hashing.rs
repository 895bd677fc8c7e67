//! Password hashing on a small pool of its own, with a bounded queue.
//!
//! argon2id holds 19 MiB for each hash while it runs. Run on tokio's
//! blocking pool, as many hashes ran at once as requests arrived: two
//! hundred sign-ins sent together took the server past 2 GiB, and the
//! allocator kept that memory afterwards (each of the many threads had
//! an arena of its own). Here a fixed number of threads, one per CPU,
//! do all the hashing, and each keeps its argon2 memory from one hash to
//! the next ([`hash`], [`verify`]) rather than asking the allocator for
//! 19 MiB each time, so the server holds exactly one such block per
//! thread, whatever the load. A request first takes a [`Ticket`]: there
//! are as many as the threads plus a short queue, and when none is left
//! the answer is at once 429 with `Retry-After` ([`Problem::busy`]),
//! before anything is counted or read, so a flood costs the server
//! nothing and a person who meets it loses no sign-in attempt.
//!
//! The pool also keeps a dummy hash, made on it at start: a sign-in with
//! an address that has no account is checked against it
//! ([`Ticket::verify`]), so it costs the same hash as a wrong password and
//! its timing does not tell whether the account exists.

use crate::problem::Problem;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// Hashes that may wait for a thread, per thread.
pub const QUEUE_PER_THREAD: usize = 4;

/// Seconds a client told "busy" is asked to wait.
const BUSY_RETRY_SECONDS: u32 = 2;

type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    /// This thread's argon2 memory, kept from one hash to the next.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Run argon2 with `argon`'s parameters on this thread's memory.
fn argon2_into(argon: &Argon2<'_>, params: &Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> bool {
    BLOCKS.with_borrow_mut(|blocks| {
        let count = params.block_count();
        if blocks.len() < count {
            blocks.resize(count, Block::new());
        }
        argon.hash_password_into_with_memory(password, salt, out, &mut blocks[..count]).is_ok()
    })
}

/// `password` hashed with argon2id at OWASP's parameters (the `argon2`
/// crate's defaults: 19 MiB, 2 passes, 1 lane) and `salt`, as a PHC string.
/// Run it on the pool ([`Ticket::run`]).
pub fn hash(password: &[u8], salt: &SaltString) -> Option<String> {
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut buffer = [0_u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut buffer).ok()?;
    let mut out = [0_u8; Params::DEFAULT_OUTPUT_LEN];
    if !argon2_into(&argon, &params, password, salt_bytes, &mut out) {
        return None;
    }
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).ok()?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).ok()?),
    };
    Some(phc.to_string())
}

/// Whether `password` matches the PHC string `phc` (with the parameters it
/// names). Run it on the pool ([`Ticket::run`]).
pub fn verify(password: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else { return false };
    let version = parsed.version.map_or(Ok(Version::default()), Version::try_from);
    let (Ok(version), Ok(params)) = (version, Params::try_from(&parsed)) else { return false };
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut buffer = [0_u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut buffer) else { return false };
    let mut out = vec![0_u8; expected.len()];
    // `Output`'s equality takes the same time wherever the bytes differ.
    argon2_into(&argon, &params, password, salt_bytes, &mut out)
        && Output::new(&out).is_ok_and(|o| o == expected)
}

/// The hashing threads of one server, and the tickets to use them. Its
/// threads end when it is dropped.
pub struct Hashing {
    jobs: Mutex<Sender<Job>>,
    tickets: Arc<Semaphore>,
    /// A real hash of a password no account has, with a salt made at
    /// start: what a sign-in with an unknown address is checked against.
    dummy: Arc<str>,
    /// Passwords checked so far, against an account's hash or the dummy.
    verifications: AtomicU64,
}

impl std::fmt::Debug for Hashing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hashing").field("tickets_left", &self.tickets.available_permits()).finish()
    }
}

impl Hashing {
    /// `threads` hashing threads (at least one), with a queue of
    /// [`QUEUE_PER_THREAD`] hashes for each.
    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = Arc::clone(&queue);
            let spawned =
                std::thread::Builder::new().name(format!("knead-hash-{i}")).spawn(move || work(&queue));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a hashing thread");
            }
        }
        // The dummy hash is made on the pool, so its argon2 memory is
        // the pool's, and before the first sign-in, so that no sign-in
        // pays for making it (which would tell the first unknown address).
        let (made, dummy) = channel();
        let job: Job = Box::new(move || {
            let salt =
                knead_app::secret::random_bytes::<16>().ok().and_then(|b| SaltString::encode_b64(&b).ok());
            let _ = made.send(salt.and_then(|salt| hash(b"no account has this password", &salt)));
        });
        let _ = jobs.send(job);
        let dummy = dummy.recv().ok().flatten().unwrap_or_else(|| {
            tracing::error!("could not make the dummy hash: unknown addresses are answered faster");
            String::new()
        });
        Self {
            jobs: Mutex::new(jobs),
            tickets: Arc::new(Semaphore::new(threads * (1 + QUEUE_PER_THREAD))),
            dummy: dummy.into(),
            verifications: AtomicU64::new(0),
        }
    }

    /// How many passwords have been checked, against an account's hash or
    /// the dummy: a sign-in with an unknown address adds one, like a wrong
    /// password does.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// One thread per CPU, at most 8: each holds argon2's 19 MiB while it works.
    pub fn per_cpu() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get).min(8))
    }

    /// A place on the pool, or 429 when the pool and its queue are full.
    pub fn ticket(&self) -> Result<Ticket<'_>, Problem> {
        match Arc::clone(&self.tickets).try_acquire_owned() {
            Ok(permit) => Ok(Ticket { pool: self, _permit: permit }),
            Err(_) => {
                tracing::warn!("password hashing is at capacity: a request was asked to retry");
                Err(Problem::busy(BUSY_RETRY_SECONDS))
            }
        }
    }
}

fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match job {
            // A job that panics loses its answer (the request gets 500), not the thread.
            Ok(job) => {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
            Err(_) => return,
        }
    }
}

/// A place on the hashing pool, held from before a sign-in is counted
/// until its hash is done.
#[derive(Debug)]
pub struct Ticket<'a> {
    pool: &'a Hashing,
    _permit: OwnedSemaphorePermit,
}

impl Ticket<'_> {
    /// Whether `password` matches the hash `phc` of an account. With no
    /// account (`None`) it is checked against the dummy hash all the same
    /// and is never right, so that the answer takes as long as for a
    /// wrong password and its timing does not tell whether an account
    /// exists.
    pub async fn verify(&self, password: String, phc: Option<String>) -> Result<bool, Problem> {
        let dummy = Arc::clone(&self.pool.dummy);
        self.pool.verifications.fetch_add(1, Ordering::Relaxed);
        self.run(move || {
            let matches = verify(password.as_bytes(), phc.as_deref().unwrap_or(&dummy));
            matches && phc.is_some()
        })
        .await
    }

    /// Run `f` on the pool and wait for its answer.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, Problem> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The request may have gone; its answer is then not needed.
            let _ = answer.send(f());
        });
        let sent = self.pool.jobs.lock().unwrap_or_else(PoisonError::into_inner).send(job);
        if sent.is_err() {
            tracing::error!("no hashing thread is running");
            return Err(Problem::internal());
        }
        answered.await.map_err(|_| {
            tracing::error!("a hashing job ended without an answer");
            Problem::internal()
        })
    }
}
