//! The `knead` binary.

mod backup;
mod cli;
mod clock;
mod handout;
mod input;
mod journal;
mod manual;
mod questionnaire;
mod records;
mod remind;
mod report;
mod serve;
mod start;
mod text;
mod tui;
mod voice;

use anyhow::Context;
use clap::Parser;
use cli::{AdminCommand, Cli, Command, Format};
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
        // A reader that stopped reading (`knead history | head`) is not an error.
        Err(Failure::Other(e))
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
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
        Command::Start(args) => {
            let dir = journal::data_dir(cli.data_dir.as_deref())?;
            let journal = journal::Journal::open(&dir, journal::Sessions::CloseAbandoned)?;
            let options = start::Options { voice: args.voice, time_scale: args.time_scale };
            start::run(&pack, &journal, &options, style)?;
        }
        Command::Check(args) => {
            let intake = input::intake(&args.intake)?;
            let result = screening::screen(&pack, &intake);
            match args.format.format {
                Format::Json => json(&mut out, &result)?,
                Format::Text => write(&mut out, &text::screening(&result, &pack, &Kit::of(&intake), style))?,
            }
        }
        Command::Plan(args) => {
            let intake = input::intake(&args.intake)?;
            let result = screening::screen(&pack, &intake);
            let kit = Kit::of(&intake);
            let plan =
                result.permit().ok().map(|permit| planner::plan(&pack, &permit, &kit, &DayUsage::default()));
            match args.format.format {
                Format::Json => json(&mut out, &PlanOutput::new(&result, plan.as_ref()))?,
                Format::Text => {
                    let mut page = text::screening(&result, &pack, &kit, style);
                    if let Some(plan) = &plan {
                        page.push('\n');
                        page.push_str(&text::plan(plan, &pack, style));
                    }
                    write(&mut out, &page)?;
                }
            }
        }
        Command::Log(a) => {
            let journal = open_journal(cli.data_dir.as_deref())?;
            let done = knead_app::sessions::Done {
                technique: a.technique,
                minutes: a.minutes,
                pain_before: a.pain_before,
                pain_after: a.pain_after,
                started_at: a.at,
                region: a.region,
                note: a.note,
            };
            write(&mut out, &records::log(&pack, &journal, done)?)?;
        }
        Command::Checkin(a) => {
            let journal = open_journal(cli.data_dir.as_deref())?;
            write(&mut out, &records::checkin(&pack, &journal, a.pain, a.change)?)?;
        }
        Command::History(a) => {
            let journal = open_journal(cli.data_dir.as_deref())?;
            let latest = records::history(&journal, a.since, a.newest())?;
            match a.format {
                cli::HistoryFormat::Text => write(&mut out, &records::history_text(&latest, a.since))?,
                cli::HistoryFormat::Json => json(&mut out, &latest.sessions)?,
                cli::HistoryFormat::Csv => write(&mut out, &knead_export::csv::sessions(&latest.sessions))?,
            }
        }
        Command::Progress(a) => {
            let journal = open_journal(cli.data_dir.as_deref())?;
            write(&mut out, &records::progress_text(&pack, &journal, a.days, style)?)?;
            for (path, png) in [(a.png, true), (a.svg, false)] {
                if let Some(path) = path {
                    let bytes = records::progress_chart(&pack, &journal, png)?;
                    std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
                    write(&mut out, &format!("Chart written to {}\n", path.display()))?;
                }
            }
        }
        Command::Export(a) => {
            let journal = open_journal(cli.data_dir.as_deref())?;
            let bytes = records::export(&pack, &journal, a.format)?;
            match a.output {
                Some(path) => {
                    std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?
                }
                None => out.write_all(&bytes).context("writing to standard output")?,
            }
        }
        Command::Import(a) => {
            let journal = open_journal(cli.data_dir.as_deref())?;
            write(&mut out, &records::import(&journal, &a.file)?)?;
        }
        Command::Remind(a) => {
            let now = clock::now_utc();
            let request = remind::Request {
                ics: &a.ics,
                times: &a.times,
                days: a.days,
                start: a.start.unwrap_or_else(|| knead_app::Zone::Local.day(now)),
            };
            write(&mut out, &remind::run(&pack, &request, now)?)?;
        }
        Command::Serve(a) => serve::run(pack, cli.data_dir.as_deref(), &a)?,
        Command::Admin(AdminCommand::ResetPassword(a)) => {
            serve::reset_password(cli.data_dir.as_deref(), &a, &mut out)?
        }
        Command::Admin(AdminCommand::Backup(a)) => backup::back_up(cli.data_dir.as_deref(), &a, &mut out)?,
        Command::Admin(AdminCommand::Restore(a)) => backup::restore(cli.data_dir.as_deref(), &a, &mut out)?,
        Command::Report(a) => {
            let journal = open_journal(cli.data_dir.as_deref())?;
            let request = report::Request { pdf: &a.pdf, from: a.from, to: a.to, name: a.name.as_deref() };
            write(&mut out, &report::run(&pack, &journal, &request, clock::now_utc())?)?;
        }
        Command::Handout(a) => {
            let journal = open_journal(cli.data_dir.as_deref())?;
            write(&mut out, &handout::run(&pack, &journal, &a.pdf, a.name.as_deref(), clock::now_utc())?)?;
        }
        Command::Completions(a) => manual::completions(a.shell, &mut out),
        Command::Man(a) => manual::man(a.dir.as_deref(), &mut out)?,
        Command::Learn => write(&mut out, &text::learn(&pack, style))?,
        Command::Techniques(format) => match format.format {
            Format::Json => json(&mut out, &pack.techniques)?,
            Format::Text => write(&mut out, &text::techniques(&pack, style))?,
        },
    }
    Ok(())
}

fn open_journal(dir: Option<&std::path::Path>) -> anyhow::Result<journal::Journal> {
    journal::Journal::open(&journal::data_dir(dir)?, journal::Sessions::LeaveOpen)
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
