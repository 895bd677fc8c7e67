//! The `knead` binary.

mod cli;
mod input;
mod text;

use anyhow::Context;
use clap::Parser;
use cli::{Cli, Command, Format};
use knead_core::planner::{self, DayUsage, Kit};
use knead_core::screening::{self, ScreeningResult};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

/// Exit status for input that was refused (the same as clap's usage errors).
const INVALID_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(message)) => {
            eprintln!("knead: {message}");
            ExitCode::from(INVALID_INPUT)
        }
        Err(Failure::Pack(report)) => {
            eprintln!("knead: the content pack was refused\n{report:?}");
            ExitCode::from(INVALID_INPUT)
        }
        Err(Failure::Other(e)) => {
            eprintln!("knead: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// How a command can fail, which decides the exit status.
enum Failure {
    /// The person's input was refused: exit 2.
    Input(String),
    /// The content pack was refused: exit 2, with the pointed report.
    Pack(miette::Report),
    /// Anything else (e.g. standard output closed): exit 1.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let pack = input::pack(cli.pack.as_deref())?;
    let mut out = std::io::stdout().lock();
    let style = text::Style::for_stdout();
    match cli.command {
        Command::Check(args) => {
            let intake = input::intake(&args.intake)?;
            let result = screening::screen(&pack, &intake);
            match args.format.format {
                Format::Json => json(&mut out, &result)?,
                Format::Text => write(&mut out, &text::screening(&result, &pack, style))?,
            }
        }
        Command::Plan(args) => {
            let intake = input::intake(&args.intake)?;
            let result = screening::screen(&pack, &intake);
            let kit = Kit { equipment: intake.equipment.clone(), helper_available: intake.helper_available };
            let plan =
                result.permit().ok().map(|permit| planner::plan(&pack, &permit, &kit, &DayUsage::default()));
            match args.format.format {
                Format::Json => json(&mut out, &PlanOutput::new(&result, plan.as_ref()))?,
                Format::Text => {
                    let mut page = text::screening(&result, &pack, style);
                    if let Some(plan) = &plan {
                        page.push('\n');
                        page.push_str(&text::plan(plan, &pack, style));
                    }
                    write(&mut out, &page)?;
                }
            }
        }
        Command::Techniques(format) => match format.format {
            Format::Json => json(&mut out, &pack.techniques)?,
            Format::Text => write(&mut out, &text::techniques(&pack, style))?,
        },
    }
    Ok(())
}

/// `knead plan --format json`: the screening, then the plan or why there is none.
#[derive(Serialize)]
struct PlanOutput<'a> {
    screening: &'a ScreeningResult,
    plan: Option<&'a planner::Plan>,
    /// Why there is no plan, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    no_plan: Option<String>,
}

impl<'a> PlanOutput<'a> {
    fn new(screening: &'a ScreeningResult, plan: Option<&'a Result<planner::Plan, planner::NoPlan>>) -> Self {
        let no_plan = match (screening.permit(), plan) {
            (Err(refusal), _) => Some(refusal.to_string()),
            (Ok(_), Some(Err(no))) => Some(no.to_string()),
            _ => None,
        };
        PlanOutput { screening, plan: plan.and_then(|p| p.as_ref().ok()), no_plan }
    }
}

fn json(out: &mut impl Write, value: &impl Serialize) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).context("writing JSON")?;
    writeln!(out).context("writing JSON")?;
    Ok(())
}

fn write(out: &mut impl Write, page: &str) -> anyhow::Result<()> {
    out.write_all(page.as_bytes()).context("writing to standard output")
}
