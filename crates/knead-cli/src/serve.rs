//! `knead serve`: the web app on this machine's journal store (SQLite in
//! the data folder) or on a PostgreSQL database.

use crate::cli::ServeArgs;
use anyhow::Context;
use knead_core::pack::ContentPack;
use knead_store::any::AnyStore;
use std::path::Path;

/// The server's database file in the data folder (apart from the terminal's
/// own journal: the server keeps many people, the terminal one).
pub const FILE: &str = "server.sqlite3";

/// The variable that sets how much the server logs (`error`, `warn`,
/// `info`, `debug`, `trace` or `off`; `info` when unset: a line a request).
pub const LOG_VARIABLE: &str = "KNEAD_LOG";

/// Log to standard error at the level `KNEAD_LOG` asks for. What is logged
/// never holds personal data (see `knead_web::log`): routes as declared,
/// statuses and times, and errors that name tables, never values.
fn start_logging() -> anyhow::Result<()> {
    let level = match std::env::var(LOG_VARIABLE) {
        Ok(text) => text.trim().parse::<tracing_subscriber::filter::LevelFilter>().map_err(|_| {
            anyhow::anyhow!("{LOG_VARIABLE}={text:?}: allowed: error, warn, info, debug, trace or off")
        })?,
        Err(_) => tracing_subscriber::filter::LevelFilter::INFO,
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_max_level(level)
        .try_init();
    Ok(())
}

/// Run the server until Ctrl-C or SIGTERM; requests in flight finish first.
pub fn run(pack: ContentPack, data_dir: Option<&Path>, args: &ServeArgs) -> anyhow::Result<()> {
    start_logging()?;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the server")?;
    runtime.block_on(async {
        let url = match &args.database_url {
            Some(url) => url.clone(),
            None => {
                let dir = crate::journal::data_dir(data_dir)?;
                format!("sqlite://{}", dir.join(FILE).display())
            }
        };
        let store = AnyStore::open(&url).await.context("opening the database")?;
        let mut config = knead_web::Config::new(pack);
        config.secure_cookies = args.secure_cookies;
        let app = knead_web::build(config, store.clone());
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .with_context(|| format!("listening on {}", args.addr))?;
        let addr = listener.local_addr().context("reading the address")?;
        eprintln!("Knead is serving on http://{addr}/ (Ctrl-C stops it)");
        knead_web::serve(listener, app, shutdown()).await.context("serving")?;
        store.close().await;
        eprintln!("Knead stopped.");
        Ok(())
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
