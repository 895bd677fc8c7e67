//! The command line, defined once: clap derives help, errors, the shell
//! completions and the man page from these types.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Knead: safe, guided self-massage for middle back pain.
///
/// Knead screens for warning signs first. It is not a diagnosis and does
/// not replace a clinician.
#[derive(Debug, Parser)]
#[command(name = "knead", version)]
pub struct Cli {
    /// Use the content pack in this directory instead of the built-in one.
    #[arg(long, global = true, value_name = "DIR")]
    pub pack: Option<PathBuf>,

    /// Keep the journal in this directory (default: $KNEAD_DATA_DIR, else
    /// the platform's data directory).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Screen, plan and guide a session, then record it in the journal.
    Start(StartArgs),
    /// Screen an intake for warning signs and print the result.
    Check(IntakeArgs),
    /// Screen an intake and, if self-massage is allowed, print a session plan.
    Plan(IntakeArgs),
    /// List the techniques with their steps and doses.
    Techniques(FormatArg),
    /// Why the middle back hurts, how massage can help, and when to stop.
    Learn,
    /// Record a session done without the guide.
    Log(LogArgs),
    /// Record the weekly check-in.
    Checkin(CheckinArgs),
    /// List your latest sessions (the last 30 unless asked for more).
    ///
    /// As text, for reading: the last 30 sessions, and how many older ones
    /// there are. As JSON or CSV, for programs: every session, unless
    /// --since or --limit narrows them.
    History(HistoryArgs),
    /// Show pain over time, the change from the start, and any warning.
    Progress(ProgressArgs),
    /// Write the journal as CSV, JSON or FHIR R4.
    Export(ExportArgs),
    /// Take back a JSON export (all of it or nothing).
    Import(ImportArgs),
    /// Write daily session reminders as an iCalendar file for a calendar app.
    Remind(RemindArgs),
    /// Run the web app (for phones and browsers) until Ctrl-C.
    Serve(ServeArgs),
    /// Write a report for a clinician as a PDF (one or two A4 pages).
    Report(ReportArgs),
    /// Write your home program to print, as a PDF: each step with its
    /// figure, the limits, and the warning signs that mean stop.
    ///
    /// It holds what your newest screening allows (only your home
    /// program's techniques, if you have one), done with what that
    /// screening says you have; none while a warning sign or your pain
    /// over time calls for a doctor first.
    Handout(HandoutArgs),
    /// Look after the accounts of `knead serve` (for its operator).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Print tab completion for your shell.
    ///
    /// For example, for bash:
    /// `knead completions bash > ~/.local/share/bash-completion/completions/knead`;
    /// for zsh, into a folder on your `$fpath`:
    /// `knead completions zsh > ~/.zfunc/_knead`;
    /// for fish:
    /// `knead completions fish > ~/.config/fish/completions/knead.fish`.
    /// Open a new shell afterwards.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to standard output.
    ///
    /// Read it with `knead man | man -l -`. To install it with a page for
    /// each command: `knead man --dir ~/.local/share/man/man1`, then
    /// `man knead` or `man knead-history`.
    Man(ManArgs),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Give the account at EMAIL a new random password and end every
    /// sign-in of theirs, for someone who forgot theirs.
    ///
    /// The new password is printed once: give it to the person by a way
    /// you trust (in person, on the phone), and ask them to choose their
    /// own on their account page. Run it where the server's database is;
    /// the server may keep running.
    ResetPassword(ResetPasswordArgs),
    /// Copy the server's SQLite database to a new FILE, while it runs.
    ///
    /// The copy holds every write answered before it began. Keep it away
    /// from the server's disk. On PostgreSQL, use pg_dump instead (see
    /// docs/deployment.md).
    Backup(BackupArgs),
    /// Put a backup FILE in place of the server's SQLite database.
    ///
    /// Stop the server first. The backup is checked (SQLite's integrity
    /// check, a Knead database no newer than this Knead) before anything
    /// changes, and the database it replaces is kept beside it.
    Restore(BackupArgs),
}

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The backup file: a new file for `backup`, an earlier backup for `restore`.
    pub file: PathBuf,
    /// The server's database, as for `knead serve` (default: server.sqlite3 in the data folder).
    #[arg(long, env = "KNEAD_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ResetPasswordArgs {
    /// The account's email address.
    pub email: String,
    /// The server's database, as for `knead serve` (default: server.sqlite3 in the data folder).
    #[arg(long, env = "KNEAD_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write knead.1 and a page for each command (knead-history.1, …) into this directory instead.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Write the report to this .pdf file.
    #[arg(long, value_name = "FILE")]
    pub pdf: PathBuf,
    /// The first day, YYYY-MM-DD (default: 27 days before --to).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::remind::parse_date)]
    pub from: Option<chrono::NaiveDate>,
    /// The last day, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::remind::parse_date)]
    pub to: Option<chrono::NaiveDate>,
    /// Your name on the report (default: a blank line to fill in).
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct HandoutArgs {
    /// Write the handout to this .pdf file.
    #[arg(long, value_name = "FILE")]
    pub pdf: PathBuf,
    /// Your name on the handout (default: a blank line to fill in).
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct RemindArgs {
    /// Write the reminders to this .ics file.
    #[arg(long, value_name = "FILE")]
    pub ics: PathBuf,
    /// Times of day, local, as HH:MM separated by commas (at most the pack's
    /// sessions a day).
    #[arg(long, value_name = "HH:MM,...", default_value = "08:00,13:00,19:00")]
    pub times: String,
    /// How many days the reminders repeat (1 to 365).
    #[arg(long, default_value_t = 28, value_parser = clap::value_parser!(u32).range(1..=365))]
    pub days: u32,
    /// The first day, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::remind::parse_date)]
    pub start: Option<chrono::NaiveDate>,
}

#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// hands, foam_roller or electric_massager.
    #[arg(long, value_parser = crate::records::parse_technique)]
    pub technique: knead_core::vocab::TechniqueId,
    /// Minutes of massage (1 to 240).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(knead_app::sessions::LOGGED_MINUTES_MAX)))]
    pub minutes: u32,
    /// Pain before, 0-10.
    #[arg(long, value_parser = crate::records::parse_pain)]
    pub pain_before: knead_core::units::PainScore,
    /// Pain after, 0-10.
    #[arg(long, value_parser = crate::records::parse_pain)]
    pub pain_after: knead_core::units::PainScore,
    /// When it began: `2026-11-24 18:30` (local) or RFC 3339; default now.
    #[arg(long, value_parser = crate::records::parse_at)]
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    /// left, right, centre or both_sides.
    #[arg(long, value_parser = crate::records::parse_region)]
    pub region: Option<knead_core::vocab::Region>,
    /// A note.
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct CheckinArgs {
    /// Pain over the last week, 0-10.
    #[arg(long, value_parser = crate::records::parse_pain)]
    pub pain: knead_core::units::PainScore,
    /// Change since starting: -3 very much worse … 0 no change … 3 very much better.
    #[arg(long, allow_hyphen_values = true, value_parser = crate::records::parse_change)]
    pub change: knead_core::units::ChangeRating,
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// `text` for people, `json` or `csv` for programs (every session, unless --since or --limit).
    #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
    pub format: HistoryFormat,
    /// Every session, however many.
    #[arg(long, conflicts_with_all = ["since", "limit"])]
    pub all: bool,
    /// Sessions from this day on (YYYY-MM-DD, your local day); all of them unless --limit is given too.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::remind::parse_date)]
    pub since: Option<chrono::NaiveDate>,
    /// The newest N sessions (as text, 30 unless given).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
}

impl HistoryArgs {
    /// How many of the newest sessions to show; `None` for all of them.
    pub fn newest(&self) -> Option<u32> {
        match (self.limit, self.all || self.since.is_some() || self.format != HistoryFormat::Text) {
            (Some(n), _) => Some(n),
            (None, true) => None,
            (None, false) => Some(HISTORY_SHOWN),
        }
    }
}

/// How many sessions `knead history` shows people unless asked.
pub const HISTORY_SHOWN: u32 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct ProgressArgs {
    /// Days shown in the terminal chart.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
    /// Also write the chart as a PNG image.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Also write the chart as an SVG image.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// csv, json or fhir.
    #[arg(long, value_enum)]
    pub format: crate::records::ExportFormat,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A file written by `knead export --format json`.
    pub file: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct IntakeArgs {
    /// Intake v1 as JSON; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub intake: PathBuf,

    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Debug, clap::Args)]
pub struct FormatArg {
    /// `text` for people, `json` for programs.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct StartArgs {
    /// Speak the cues (needs espeak-ng).
    #[arg(long)]
    pub voice: bool,

    /// Run the session clock this many times faster (for demos and tests).
    #[arg(long, hide = true, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub time_scale: u32,
}

/// `knead serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Listen on this address and port.
    #[arg(long, env = "KNEAD_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The database: sqlite://PATH or postgres://USER@HOST/DB (default: server.sqlite3 in the data folder).
    #[arg(long, env = "KNEAD_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Mark cookies Secure: set this when people reach the server over HTTPS.
    #[arg(long, env = "KNEAD_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// The emergency number an emergency result offers to call with one tap (e.g. 999, 911).
    #[arg(long, default_value = "112", value_parser = clap::value_parser!(knead_web::EmergencyNumber))]
    pub emergency_number: knead_web::EmergencyNumber,
    /// Sign a new account in at once and tell sign-up when an address already has an account.
    ///
    /// By default sign-up answers the same either way (the person then signs in), so nobody can use it
    /// to learn whether an address has an account here. With this, a new account is signed in at once,
    /// and anyone can test an address (within 10 sign-ups an hour per client): for a private server
    /// whose users know each other.
    #[arg(long)]
    pub tell_taken_addresses: bool,
    /// A reverse proxy in front of Knead (an address or network, e.g. 10.0.0.5 or 10.0.0.0/8); repeat for more.
    ///
    /// Failed sign-ins are counted per client address. Behind a proxy every connection comes from the
    /// proxy, so without this one guesser pauses sign-in for everyone. Only a connection from one of these
    /// may name the client, in --forwarded-header; that header from anyone else is ignored.
    #[arg(long = "trusted-proxy", value_name = "CIDR", value_parser = clap::value_parser!(knead_web::proxy::ProxyNetwork))]
    pub trusted_proxies: Vec<knead_web::proxy::ProxyNetwork>,
    /// The header the trusted proxies write the client's address into: x-forwarded-for or forwarded (RFC 7239).
    #[arg(long, value_name = "HEADER", default_value = "x-forwarded-for", value_parser = clap::value_parser!(knead_web::proxy::ForwardedHeader))]
    pub forwarded_header: knead_web::proxy::ForwardedHeader,
    /// Serve at most this many connections at once; more wait until one ends.
    #[arg(long, value_name = "N", default_value_t = knead_web::Connections::DEFAULT.max, value_parser = connections)]
    pub max_connections: std::num::NonZeroUsize,
    /// Close a connection that takes longer than this many seconds to send a request's headers, or sits idle as long.
    #[arg(long, value_name = "SECONDS", default_value_t = knead_web::Connections::DEFAULT.header_timeout.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub header_timeout: u64,
    /// Send e-mail through this mail server: smtp://HOST:587?tls=required, smtps://HOST:465, with USER:PASSWORD@ if needed.
    ///
    /// With it, people can ask for a link when they forget their password, change their sign-in address,
    /// and turn on e-mail notices of new messages (and clinicians, of patients whose screening calls for a
    /// doctor). Notices never say more than that something waits in Knead. Needs --mail-from and --public-url.
    #[arg(long, value_name = "URL", env = "KNEAD_SMTP_URL", hide_env_values = true, requires_all = ["mail_from", "public_url"])]
    pub smtp_url: Option<String>,
    /// The address Knead's e-mail comes from, e.g. "Knead <knead@example.org>".
    #[arg(long, value_name = "ADDRESS", env = "KNEAD_MAIL_FROM", requires = "smtp_url")]
    pub mail_from: Option<String>,
    /// The address people reach this server at, for the links in its e-mail and to name it to push services, e.g. `https://knead.example.org`.
    #[arg(long, value_name = "URL", env = "KNEAD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Let people turn on notices on their phones and computers (Web Push), as well as or instead of e-mail.
    ///
    /// A notice is encrypted to the device and sent through its browser maker's push service (Google's,
    /// Mozilla's, Apple's, Microsoft's), which learns only that this server sent that device something, and
    /// when. It says no more than an e-mail notice: that something waits in Knead. Needs --public-url.
    #[arg(long, env = "KNEAD_WEB_PUSH", requires = "public_url")]
    pub web_push: bool,
    /// Another push service to send to, by origin (e.g. `https://push.example.org`); repeat for more.
    ///
    /// Devices are taken only at known push services, so that nobody can make this server send requests
    /// elsewhere (inside your network, say). Add one only for browsers that use a push service of their own.
    #[arg(long = "push-service", value_name = "ORIGIN", requires = "web_push")]
    pub push_services: Vec<String>,
}

/// A number of connections: 1 or more.
fn connections(text: &str) -> Result<std::num::NonZeroUsize, String> {
    text.parse::<usize>()
        .ok()
        .and_then(std::num::NonZeroUsize::new)
        .ok_or_else(|| format!("`{text}` is not a number of connections; allowed: a whole number, 1 or more"))
}
