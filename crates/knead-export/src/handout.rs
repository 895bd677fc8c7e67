//! The home-program handout: A4 pages to keep by the sofa, for a person
//! or their clinician to print.
//!
//! Who it is for (only a name the person chose to give, or a line to write
//! it on), the home program if one is in force, the warning signs that mean
//! stop, then each technique: its limits and each step with its figure,
//! large enough to follow on paper, its timing, its words and its safety
//! cues; last the number of sessions a day. Every clinical word (steps, cues, doses,
//! warning signs) is the content pack's; which techniques go in was
//! decided before (knead-app's handout use case), so this only draws.
//!
//! Laid out and drawn by the crate's `pdf` module; nothing here reads a
//! clock (the day it was made is given).

use crate::ExportError;
use crate::pdf::{self, BODY, Layout, MARGIN, Op, SMALL};
use chrono::NaiveDate;
use knead_core::handout::Handout;
use knead_core::labels;
use knead_core::pack::{ContentPack, Step, Technique, Variant};
use knead_core::vocab::HelperNeed;

/// A figure's box on paper, in points: the figures' 6:5 shape, about
/// 6 by 5 cm, so a person lying on the floor can read it at arm's length.
const FIGURE: (f32, f32) = (174.0, 145.0);
/// Space between a figure and its words.
const GUTTER: f32 = 14.0;
/// Step text size: larger than the report's, to be read mid-massage.
const STEP: f32 = 11.0;

/// What the handout is made from.
#[derive(Debug, Clone, Copy)]
pub struct HandoutInput<'a> {
    /// The content pack: every word, figure and dose printed.
    pub pack: &'a ContentPack,
    /// What goes in.
    pub handout: &'a Handout,
    /// The person's name, only if they chose to give it.
    pub name: Option<&'a str>,
    /// The day it is made, printed on it.
    pub on: NaiveDate,
}

/// The handout as PDF bytes.
///
/// # Errors
///
/// [`ExportError::Pdf`] if a step's figure is missing from the pack or is
/// not SVG (naming the file), or the PDF cannot be written.
pub fn pdf(input: &HandoutInput<'_>) -> Result<Vec<u8>, ExportError> {
    let pack = input.pack;
    let mut l = Layout::new()?;
    introduction(&mut l, input);
    let mut licences: Vec<&str> = Vec::new();
    for item in &input.handout.items {
        let (technique, variants) = item.resolve(pack);
        for variant in variants {
            technique_section(&mut l, pack, technique, variant)?;
            for step in &variant.steps {
                if !licences.contains(&step.figure.licence.as_str()) {
                    licences.push(&step.figure.licence);
                }
            }
        }
    }
    daily_limits(&mut l, input);
    let (title, version) = (&pack.meta.title, &pack.meta.version);
    let figures = licences.join("; ");
    pdf::render(l, format!("Knead home program, {}", input.on), |page, pages| {
        format!("Knead home program, {title} {version}. Figures: {figures}. Page {page} of {pages}.")
    })
}

/// Title, who, the program, and when to stop.
fn introduction(l: &mut Layout, input: &HandoutInput<'_>) {
    let pack = input.pack;
    l.text("Middle back self-massage: your home program", 16.0, true);
    l.gap(2.0);
    l.wrapped(
        &format!(
            "From {} {}, made on {}. Knead asks about warning signs before self-massage; it is not a \
             diagnosis, and its rules are not clinically validated.",
            pack.meta.title, pack.meta.version, input.on
        ),
        SMALL,
    );
    l.gap(6.0);
    match input.name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => l.text(&format!("For: {name}"), 11.0, false),
        None => l.text("For: ________________________________", 11.0, false),
    }
    if let Some(assigned) = &input.handout.program {
        let p = &assigned.program;
        l.gap(4.0);
        l.bold(&format!("Home program, {}", p.set_by().described()));
        l.wrapped(
            &format!(
                "{} a day, {} days a week, for {} weeks: {} to {}.",
                sessions(p.sessions_per_day()),
                p.days_per_week(),
                p.weeks(),
                assigned.start,
                p.last_day(assigned.start)
            ),
            BODY,
        );
        if let Some(note) = p.note() {
            l.wrapped(&format!("Note: {note}"), BODY);
        }
    }

    l.heading("Stop and get help");
    l.wrapped(
        "Stop the massage at once if any of these appears, and answer Knead's safety questions again \
         before the next session: they tell you what care you need.",
        BODY,
    );
    for sign in pack.questionnaire.warning_signs() {
        l.bullet(&sign.label);
    }
}

/// One way of doing a technique: its limits, then each step with its figure.
fn technique_section(
    l: &mut Layout,
    pack: &ContentPack,
    technique: &Technique,
    variant: &Variant,
) -> Result<(), ExportError> {
    let name = match variant.helper {
        HelperNeed::Required => format!("{} (with a helper)", technique.name),
        _ => technique.name.clone(),
    };
    l.heading(&name);
    l.wrapped(&technique.summary, BODY);
    let limits: Vec<String> = labels::doses(&technique.doses).into_iter().map(|(words, _)| words).collect();
    l.bold(&format!("Limits: {}.", limits.join("; ")));
    l.gap(4.0);
    for (number, step) in variant.steps.iter().enumerate() {
        step_row(l, pack, number + 1, step)?;
    }
    Ok(())
}

/// A step: the figure on the left, its words on the right.
fn step_row(l: &mut Layout, pack: &ContentPack, number: usize, step: &Step) -> Result<(), ExportError> {
    let file = &step.figure.file;
    let svg = pack.figure(file).ok_or_else(|| {
        ExportError::Pdf(format!("figure `{file}` of step `{}` is not in the pack", step.id))
    })?;
    let figure = l.figure(file, svg, &step.figure.alt)?;
    l.room(FIGURE.1 + 6.0);
    let top = l.y;
    l.push(Op::Figure { x: MARGIN, y: top, width: FIGURE.0, height: FIGURE.1, figure });
    let x = MARGIN + FIGURE.0 + GUTTER;
    l.gap(4.0);
    l.lines(&format!("{number}. {}", labels::timing(step.timing)), STEP, x, true);
    l.lines(&step.instruction, STEP, x, false);
    for cue in &step.cues {
        l.gap(2.0);
        l.lines(&format!("! {cue}"), BODY, x, false);
    }
    l.y = l.y.max(top + FIGURE.1) + 8.0;
    Ok(())
}

/// The day's limits: the sessions a day (each technique's daily time is
/// with its other limits).
fn daily_limits(l: &mut Layout, input: &HandoutInput<'_>) {
    l.heading("Each day");
    l.wrapped(&labels::daily_sessions(input.pack.daily_sessions_max.value), BODY);
    if let Some(assigned) = &input.handout.program {
        l.wrapped(
            &format!("Your home program sets {} a day.", sessions(assigned.program.sessions_per_day())),
            BODY,
        );
    }
}

fn sessions(n: u32) -> String {
    if n == 1 { "1 session".to_owned() } else { format!("{n} sessions") }
}
