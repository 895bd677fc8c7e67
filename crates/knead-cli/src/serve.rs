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

/// Run the server until Ctrl-C or SIGTERM; requests in flight finish first.
pub fn run(pack: ContentPack, data_dir: Option<&Path>, args: &ServeArgs) -> anyhow::Result<()> {
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
