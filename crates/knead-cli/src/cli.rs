//! The command line, defined once: clap derives help, errors and (later)
//! completions and the man page from these types.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Knead: safe, guided self-massage for middle back pain.
///
/// Knead screens for warning signs first. It is not a diagnosis and does
/// not replace a clinician.
#[derive(Debug, Parser)]
#[command(name = "knead", version, about, long_about)]
pub struct Cli {
    /// Use the content pack in this directory instead of the built-in one.
    #[arg(long, global = true, value_name = "DIR")]
    pub pack: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Screen an intake for warning signs and print the result.
    Check(IntakeArgs),
    /// Screen an intake and, if self-massage is allowed, print a session plan.
    Plan(IntakeArgs),
    /// List the techniques with their steps and doses.
    Techniques(FormatArg),
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
