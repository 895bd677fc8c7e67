//! `knead admin backup` and `knead admin restore`: the server's SQLite
//! database copied while it runs, and put back while it does not.
//!
//! A server holds a shared lock on `DATABASE.lock` beside its database
//! for as long as it runs ([`Running::claim`]); a restore takes it
//! exclusively, so it cannot pull the file from under a running server.

use crate::cli::BackupArgs;
use anyhow::{Context, anyhow, bail};
use knead_store::sqlite::backup::{back_up as back_up_sqlite, check_backup};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the server's database is.
pub enum Database {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database (its URL may hold a password: never printed).
    Postgres(String),
}

impl Database {
    /// `database_url`, or `server.sqlite3` in the data folder.
    pub fn of(data_dir: Option<&Path>, database_url: Option<&str>) -> anyhow::Result<Self> {
        match database_url {
            None => Ok(Self::Sqlite(crate::journal::data_dir(data_dir)?.join(crate::serve::FILE))),
            Some(url) => match url.strip_prefix("sqlite://") {
                Some(path) => Ok(Self::Sqlite(PathBuf::from(path))),
                None => Ok(Self::Postgres(url.to_owned())),
            },
        }
    }

    /// The URL [`knead_store::any::AnyStore::open`] takes.
    pub fn url(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => url.clone(),
        }
    }
}

/// A server's claim on its SQLite database, held while it runs: the lock
/// lasts as long as the file is open.
pub struct Running {
    _lock: Option<File>,
}

impl Running {
    /// Take the shared lock a restore waits on (nothing for PostgreSQL).
    pub fn claim(database: &Database) -> anyhow::Result<Self> {
        let Database::Sqlite(path) = database else { return Ok(Self { _lock: None }) };
        let lock = open_lock(path)?;
        lock.try_lock_shared()
            .map_err(|_| anyhow!("{}: a restore is under way; try again when it is done", path.display()))?;
        Ok(Self { _lock: Some(lock) })
    }
}

fn open_lock(database: &Path) -> anyhow::Result<File> {
    if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("making {}", dir.display()))?;
    }
    let path = with_suffix(database, ".lock");
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))
}

/// `path` with `suffix` added to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn sqlite_only(database: &Database, what: &str) -> anyhow::Result<PathBuf> {
    match database {
        Database::Sqlite(path) => Ok(path.clone()),
        Database::Postgres(_) => {
            bail!("{what} is for SQLite; on PostgreSQL use pg_dump and pg_restore (see docs/deployment.md)")
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting")
}

/// `knead admin backup FILE`.
pub fn back_up(data_dir: Option<&Path>, args: &BackupArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let path = sqlite_only(&Database::of(data_dir, args.database_url.as_deref())?, "backup")?;
    if !path.is_file() {
        bail!("{}: there is no server database to back up", path.display());
    }
    runtime()?.block_on(async {
        back_up_sqlite(&path, &args.file).await.context("backing up")?;
        let summary = check_backup(&args.file).await.context("checking the backup")?;
        writeln!(
            out,
            "Backed up {} accounts and {} sessions to {}.",
            summary.accounts,
            summary.sessions,
            args.file.display()
        )?;
        Ok(())
    })
}

/// `knead admin restore FILE`.
pub fn restore(data_dir: Option<&Path>, args: &BackupArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let path = sqlite_only(&Database::of(data_dir, args.database_url.as_deref())?, "restore")?;
    let lock = open_lock(&path)?;
    lock.try_lock().map_err(|_| {
        anyhow!("{}: a server is running on this database; stop it, then restore", path.display())
    })?;
    let summary = runtime()?.block_on(check_backup(&args.file)).context("checking the backup")?;
    // The copy is made whole and on disk under a name of its own, then
    // takes the database's place in one rename.
    let incoming = with_suffix(&path, ".restoring");
    std::fs::copy(&args.file, &incoming).with_context(|| format!("copying to {}", incoming.display()))?;
    File::open(&incoming)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("syncing {}", incoming.display()))?;
    let kept = path.exists().then(|| {
        with_suffix(&path, &format!(".replaced-{}", crate::clock::now_utc().format("%Y%m%dT%H%M%SZ")))
    });
    if let Some(kept) = &kept {
        // The write-ahead log and its index go with the file they belong to.
        for suffix in ["-wal", "-shm"] {
            let part = with_suffix(&path, suffix);
            if part.exists() {
                std::fs::rename(&part, with_suffix(kept, suffix))
                    .with_context(|| format!("moving {}", part.display()))?;
            }
        }
        std::fs::rename(&path, kept).with_context(|| format!("moving {}", path.display()))?;
    }
    std::fs::rename(&incoming, &path).with_context(|| format!("putting the backup at {}", path.display()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir).and_then(|d| d.sync_all()).with_context(|| format!("syncing {}", dir.display()))?;
    }
    writeln!(
        out,
        "Restored {} accounts and {} sessions from {}.",
        summary.accounts,
        summary.sessions,
        args.file.display()
    )?;
    if let Some(kept) = kept {
        writeln!(out, "The database it replaced is kept as {}.", kept.display())?;
    }
    Ok(())
}
