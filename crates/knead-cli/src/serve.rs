//! `knead serve`: the web app on this machine's journal store (SQLite in
//! the data folder) or on a PostgreSQL database.

use crate::cli::{ResetPasswordArgs, ServeArgs};
use anyhow::Context;
use knead_core::pack::ContentPack;
use knead_store::any::AnyStore;
use std::io::Write;
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
        let store = open(data_dir, args.database_url.as_deref()).await?;
        // Opened first, so that a URL the store refuses leaves no lock file behind.
        let database = crate::backup::Database::of(data_dir, args.database_url.as_deref())?;
        let _running = crate::backup::Running::claim(&database)?;
        let mut config = knead_web::Config::new(pack);
        config.secure_cookies = args.secure_cookies;
        config.emergency_number = args.emergency_number.clone();
        if args.tell_taken_addresses {
            config.sign_up = knead_web::auth::SignUpAnswer::TellTaken;
        }
        config.trusted_proxies =
            knead_web::proxy::TrustedProxies::new(args.trusted_proxies.clone(), args.forwarded_header);
        if let (Some(smtp), Some(from), Some(site)) = (&args.smtp_url, &args.mail_from, &args.public_url) {
            config.mail =
                Some(knead_web::mailer::MailSettings::new(smtp, from, site).map_err(anyhow::Error::msg)?);
        }
        if let (true, Some(site)) = (args.web_push, &args.public_url) {
            let mut services = knead_app::push::PushServices::default();
            for origin in &args.push_services {
                services =
                    services.and(origin).map_err(|e| anyhow::anyhow!("--push-service {origin}: {e}"))?;
            }
            config.push =
                Some(knead_web::push::PushSettings::new(services, site).map_err(anyhow::Error::msg)?);
        }
        let connections = knead_web::Connections {
            max: args.max_connections,
            header_timeout: std::time::Duration::from_secs(args.header_timeout),
            ..knead_web::Connections::DEFAULT
        };
        let app = knead_web::build(config, store.clone());
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .with_context(|| format!("listening on {}", args.addr))?;
        let addr = listener.local_addr().context("reading the address")?;
        eprintln!("Knead is serving on http://{addr}/ (Ctrl-C stops it)");
        knead_web::serve(listener, app, connections, shutdown()).await.context("serving")?;
        store.close().await;
        eprintln!("Knead stopped.");
        Ok(())
    })
}

/// The server's database: `database_url`, or the file in the data folder.
async fn open(data_dir: Option<&Path>, database_url: Option<&str>) -> anyhow::Result<AnyStore> {
    let database = crate::backup::Database::of(data_dir, database_url)?;
    AnyStore::open(&database.url()).await.context("opening the database")
}

/// `knead admin reset-password`: a new password for an account of the
/// server's, printed once; every sign-in of theirs ends.
pub fn reset_password(
    data_dir: Option<&Path>,
    args: &ResetPasswordArgs,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting")?;
    runtime.block_on(async {
        let store = open(data_dir, args.database_url.as_deref()).await?;
        let reset = knead_web::auth::reset_password(&store, &args.email).await;
        store.close().await;
        let reset = reset.map_err(|p| anyhow::anyhow!("{}: {}", args.email, p.detail.unwrap_or(p.title)))?;
        writeln!(
            out,
            "New password for {}: {}\nEvery sign-in of theirs has ended. Give it to them by a way you trust; \
             they choose their own on their account page (Your account, at the foot of every page).",
            args.email, reset.password
        )?;
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
