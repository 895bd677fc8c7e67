//! `knead completions` and `knead man`: generated from the command
//! definitions in [`crate::cli`], so they cannot fall behind them.

use crate::cli::Cli;
use anyhow::Context;
use clap::CommandFactory;
use std::io::Write;
use std::path::Path;

/// The command line as clap sees it, the way the pages and the
/// completions describe it (no `help` subcommand: `--help` and the pages
/// say the same).
fn command() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// Tab completion for `shell`.
pub fn completions(shell: clap_complete::Shell, out: &mut impl Write) {
    clap_complete::generate(shell, &mut Cli::command(), "knead", out);
}

/// knead(1) to `out`; or, with `dir`, knead(1) and a page for each command
/// (knead-history(1), …) written into `dir`. Says what it wrote.
pub fn man(dir: Option<&Path>, out: &mut impl Write) -> anyhow::Result<()> {
    match dir {
        None => clap_mangen::Man::new(command()).render(out).context("writing the manual page"),
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(command(), dir)
                .with_context(|| format!("writing the manual pages into {}", dir.display()))?;
            writeln!(
                out,
                "Manual pages written to {}: knead.1 and one for each command (knead-history.1, …).",
                dir.display()
            )
            .context("writing to standard output")
        }
    }
}
