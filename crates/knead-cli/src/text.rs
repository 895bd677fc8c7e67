//! Plain-text pages for people: the screening result, the plan and the
//! technique list. Plain words, short lines (wrapped between words at 76
//! columns, or the terminal's width if it is narrower), and an
//! emergency that cannot be missed: a framed block at the top, in red where
//! the terminal has colour. Colour is only ever extra: every page reads the
//! same without it (`NO_COLOR`, a pipe, a screen reader).

use knead_core::labels::{self, duration};
use knead_core::pack::ContentPack;
use knead_core::planner::{self, Kit, NoPlan, Plan};
use knead_core::screening::ScreeningResult;
use knead_core::vocab::{Disposition, Position, TechniqueId};
use std::fmt::Write;
use std::io::IsTerminal;

/// The longest line, for reading comfort.
const WIDTH: usize = 76;

/// Narrower than this, lines are not made any shorter.
const NARROWEST: usize = 20;

/// The columns a line may use on the terminal standard output is, if it is
/// one: one fewer than it has, so no line ends exactly at the edge (where
/// some terminals wrap).
pub fn columns() -> Option<usize> {
    static COLUMNS: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    *COLUMNS.get_or_init(|| {
        if !std::io::stdout().is_terminal() {
            return None;
        }
        match ratatui::crossterm::terminal::size() {
            Ok((columns, _)) if columns > 1 => Some(usize::from(columns) - 1),
            _ => None,
        }
    })
}

/// How wide lines of text may be: [`WIDTH`], or less to fit the terminal.
/// Pipes and files get [`WIDTH`].
pub fn width() -> usize {
    columns().map_or(WIDTH, |c| c.clamp(NARROWEST, WIDTH))
}

/// `1 point`, `2 points`, `0 points`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Whether to add ANSI colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    colour: bool,
}

impl Style {
    /// Colour when standard output is a terminal and `NO_COLOR` is unset.
    pub fn for_stdout() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { colour: !no_color && std::io::stdout().is_terminal() }
    }

    /// Whether colour is on.
    pub fn colour(self) -> bool {
        self.colour
    }

    /// Bold (bold is not colour: it stays under `NO_COLOR`).
    pub fn bold(self, text: &str) -> String {
        if std::io::stdout().is_terminal() { format!("\x1b[1m{text}\x1b[0m") } else { text.to_owned() }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }
}

/// Word-wrap `text` to [`width`], each line starting with `first` then
/// `rest`: lines break only between words (a word longer than a line
/// stands alone on its line).
pub fn wrap(text: &str, first: &str, rest: &str) -> String {
    wrap_to(width(), text, first, rest)
}

/// [`wrap`] to `width` columns.
pub fn wrap_to(width: usize, text: &str, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

fn label(d: Disposition) -> &'static str {
    match d {
        Disposition::Emergency => "EMERGENCY: CALL EMERGENCY SERVICES NOW",
        Disposition::Urgent => "URGENT: GET MEDICAL ADVICE TODAY",
        Disposition::SeeDoctorFirst => "SEE A DOCTOR FIRST",
        Disposition::SelfCareWithLimits => "SELF-CARE, WITH LIMITS",
        Disposition::SelfCare => "SELF-CARE",
    }
}

pub fn technique_name(pack: &ContentPack, id: TechniqueId) -> &str {
    &pack.technique(id).name
}

/// The screening result; what the person may use is what the screening
/// allows and `kit` (what they have) lets them do.
pub fn screening(result: &ScreeningResult, pack: &ContentPack, kit: &Kit, style: Style) -> String {
    let mut page = String::new();
    let d = result.disposition;
    if d == Disposition::Emergency {
        let bar = "!".repeat(width());
        let mut block = format!("{bar}\n!!  {}\n{bar}\n", label(d));
        block.push_str(&wrap(&result.headline, "!!  ", "!!  "));
        block.push_str(&bar);
        block.push('\n');
        page.push_str(&style.paint("1;31", &block));
    } else {
        let code = match d {
            Disposition::Urgent | Disposition::SeeDoctorFirst => "1;33",
            _ => "1;32",
        };
        page.push_str(&style.paint(code, label(d)));
        page.push('\n');
        page.push_str(&wrap(&result.headline, "", ""));
    }

    if !result.reasons.is_empty() {
        page.push_str("\nWhy:\n");
        for reason in &result.reasons {
            let lifted = result.cleared_by_clinician && reason.disposition == Disposition::SeeDoctorFirst;
            let note = if lifted { " (cleared by your clinician)" } else { "" };
            page.push_str(&wrap(&format!("{}{note}: {}", reason.rule, reason.detail), "  - ", "    "));
        }
    }

    if !result.techniques.excluded.is_empty() {
        let heading = if d <= Disposition::SelfCareWithLimits {
            "\nSkip these techniques:\n"
        } else {
            "\nEven once you are cleared, skip these techniques:\n"
        };
        page.push_str(heading);
        for e in &result.techniques.excluded {
            let line = format!("{} ({})", technique_name(pack, e.technique), e.rules.join(", "));
            page.push_str(&wrap(&line, "  - ", "    "));
        }
    }
    let usable = planner::usable(pack, &result.techniques.allowed, kit);
    if !usable.is_empty() {
        page.push_str("\nYou may use:\n");
        for t in usable {
            page.push_str(&wrap(technique_name(pack, t), "  - ", "    "));
        }
    }
    if d > Disposition::SelfCareWithLimits {
        page.push_str("\nNo massage session is offered.\n");
    }
    page
}

/// A plan, or why there is none.
pub fn plan(plan: &Result<Plan, NoPlan>, pack: &ContentPack, style: Style) -> String {
    let plan = match plan {
        Ok(plan) => plan,
        Err(no) => return wrap(&format!("No session today: {no}"), "", ""),
    };
    let mut page = style.paint("1", &format!("YOUR SESSION: about {}", duration(plan.total_seconds)));
    page.push('\n');
    let _ =
        writeln!(page, "A {}-second countdown first, so you can get into position.", plan.get_ready_seconds);
    for (i, item) in plan.items.iter().enumerate() {
        let with = if item.variant == "with_helper" { ", with your helper" } else { "" };
        let _ = writeln!(page, "\n{}. {}{with} ({})", i + 1, item.name, duration(item.seconds));
        for step in &item.steps {
            let head = format!("   {:>9}  ", labels::timing(step.timing));
            let text = format!("[{}] {}", position(step.position), step.instruction);
            page.push_str(&wrap(&text, &head, &" ".repeat(head.len())));
            for cue in &step.cues {
                page.push_str(&wrap(
                    cue,
                    &format!("{}! ", " ".repeat(head.len())),
                    &" ".repeat(head.len() + 2),
                ));
            }
        }
        let _ = writeln!(page, "   Limit: {} of active time this session.", duration(item.cap_seconds));
    }
    let left_out: Vec<_> = plan.choices.iter().filter(|c| !c.included).collect();
    if !left_out.is_empty() {
        page.push_str("\nNot in this session:\n");
        for c in left_out {
            let line = format!("{}: {}", technique_name(pack, c.technique), c.why);
            page.push_str(&wrap(&line, "  - ", "    "));
        }
    }
    page
}

/// Every technique with its steps and doses.
/// `knead learn`: the pack's background and when to stop, as the web's
/// /learn page says it.
pub fn learn(pack: &ContentPack, style: Style) -> String {
    let education = &pack.education;
    let mut page = String::new();
    let parts = [
        ("WHY THE MIDDLE BACK HURTS", &education.causes),
        ("HOW MASSAGE CAN HELP", &education.benefits),
        ("WHEN TO STOP", &education.stop),
    ];
    for (i, (heading, topics)) in parts.into_iter().enumerate() {
        if i > 0 {
            page.push('\n');
        }
        page.push_str(&style.paint("1", heading));
        page.push('\n');
        for t in topics {
            page.push_str(&wrap(&format!("{}: {}", t.title, t.text), "  - ", "    "));
        }
    }
    let over_time = format!("If it is not getting better: {}", pack.escalation.in_words());
    page.push_str(&wrap(&over_time, "  - ", "    "));
    page
}

pub fn techniques(pack: &ContentPack, style: Style) -> String {
    let mut page = String::new();
    for t in &pack.techniques {
        page.push_str(&style.paint("1", &t.name.to_uppercase()));
        page.push('\n');
        page.push_str(&wrap(&t.summary, "", ""));
        if !t.needs_any.is_empty() {
            let names: Vec<_> = t.needs_any.iter().map(|e| e.described()).collect();
            let _ = writeln!(page, "Needs: {}", names.join(" or "));
        }
        for v in &t.variants {
            let who = if v.id == "with_helper" { "With a helper" } else { "On your own" };
            let _ = writeln!(page, "\n{who}:");
            for (i, step) in v.steps.iter().enumerate() {
                let head = format!("  {}. {:>9}  ", i + 1, labels::timing(step.timing));
                page.push_str(&wrap(&step.instruction, &head, &" ".repeat(head.len())));
            }
        }
        page.push_str("\nDoses:\n");
        for (what, source) in labels::doses(&t.doses) {
            page.push_str(&wrap(&format!("{what}. Based on: {source}"), "  - ", "    "));
        }
        page.push('\n');
    }
    let daily = &pack.daily_sessions_max;
    page.push_str(&wrap(
        &format!("{} Based on: {}", labels::daily_sessions(daily.value), daily.source),
        "",
        "",
    ));
    page
}

/// A body position in words.
pub fn position(p: Position) -> &'static str {
    match p {
        Position::Standing => "standing",
        Position::Sitting => "sitting",
        Position::LyingOnBack => "lying on your back",
        Position::LyingFaceDown => "lying face down",
        Position::Any => "any comfortable position",
    }
}
