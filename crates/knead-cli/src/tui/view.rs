//! Drawing one frame of the guided session. Pure: it reads a [`Screen`]
//! and draws; the run loop owns the session, the clock and the keys, so
//! frames can be tested on a `TestBackend` at any moment of a session.

use super::big;
use knead_core::pack::Step;
use knead_core::planner::Plan;
use knead_core::session::{Phase, View};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph, Wrap};
use ratatui_image::protocol::StatefulProtocol;
use ratatui_image::{Resize, StatefulImage};

/// Everything one frame shows.
pub struct Screen<'a> {
    /// The plan being run.
    pub plan: &'a Plan,
    /// The session at this moment.
    pub view: View,
    /// The last notice (a limit reached, time added), if any.
    pub notice: Option<&'a str>,
    /// "Stop the session?" is being asked.
    pub confirm_stop: bool,
    /// The key help is open.
    pub help: bool,
    /// Colour allowed (not under `NO_COLOR`).
    pub colour: bool,
    /// The [`shown_step`]'s figure, where the terminal shows images;
    /// without it, the figure's words are shown.
    pub figure: Option<&'a mut StatefulProtocol>,
}

impl Screen<'_> {
    fn style(&self, colour: Color) -> Style {
        if self.colour { Style::default().fg(colour) } else { Style::default() }
    }
}

/// The step a frame is about, for its position and figure: the current one,
/// or while getting ready the first; none once the session is over.
pub fn shown_step<'p>(plan: &'p Plan, view: &View) -> Option<&'p Step> {
    match (view.at, view.phase) {
        (Some((i, st)), _) => Some(&plan.items[i].steps[st]),
        (None, Phase::Over) => None,
        (None, _) => plan.items.first().and_then(|i| i.steps.first()),
    }
}

/// Draw the frame.
pub fn draw(frame: &mut Frame<'_>, mut s: Screen<'_>) {
    let area = frame.area();
    let [title, phase, instruction, cues, clock, gauges, next, notice, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(3),
        Constraint::Length(5),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    let step = s.view.at.map(|(i, st)| (&s.plan.items[i], i, st));
    let title_text = match step {
        Some((item, i, st)) => format!(
            " KNEAD  {}  ({} of {})   step {} of {}",
            item.name,
            i + 1,
            s.plan.items.len(),
            st + 1,
            item.steps.len()
        ),
        None => " KNEAD  guided session".to_owned(),
    };
    frame.render_widget(
        Paragraph::new(title_text).style(Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)),
        title,
    );

    let (phase_text, phase_colour) = match (s.view.paused, s.view.phase) {
        (true, _) => ("PAUSED: press space to carry on".to_owned(), Color::Yellow),
        (_, Phase::GetReady) => ("GET READY: the first step starts soon".to_owned(), Color::Cyan),
        (_, Phase::Step) => ("NOW".to_owned(), Color::Green),
        (_, Phase::Bout { bout, of }) => (format!("BOUT {bout} OF {of}: roll slowly"), Color::Green),
        (_, Phase::Rest { after, of }) => {
            (format!("REST after bout {after} of {of}: hips down, breathe"), Color::Yellow)
        }
        (_, Phase::Over) => ("SESSION OVER".to_owned(), Color::Cyan),
    };
    frame.render_widget(
        Paragraph::new(phase_text).style(s.style(phase_colour).add_modifier(Modifier::BOLD)),
        phase,
    );

    let shown = shown_step(s.plan, &s.view);
    let (body, cue_lines) = match (step, shown) {
        (Some(_), Some(now)) => {
            let cues: Vec<Line<'_>> = now.cues.iter().map(|c| Line::from(format!("! {c}"))).collect();
            (now.instruction.clone(), cues)
        }
        (None, Some(first)) => (
            format!("First: {}", first.instruction),
            vec![Line::from("Clear some space and have everything to hand.")],
        ),
        (_, None) => ("Well done. Take a moment, then answer a few questions.".to_owned(), vec![]),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(shown.map(|st| format!(" {} ", crate::text::position(st.position))).unwrap_or_default());
    let mut words = vec![Line::from(body).style(Style::default().add_modifier(Modifier::BOLD))];
    let text_area = match (shown, s.figure.take()) {
        (Some(_), Some(figure)) => {
            // About as wide as the rows are tall in pixels (cells are
            // twice as tall as wide), and never more than half the width.
            let wide = instruction.height.saturating_mul(12) / 5;
            let [picture, text] =
                Layout::horizontal([Constraint::Length(wide.min(area.width / 2)), Constraint::Min(20)])
                    .areas(instruction);
            frame.render_stateful_widget(StatefulImage::default().resize(Resize::Fit(None)), picture, figure);
            text
        }
        (Some(st), None) => {
            words.push(Line::from(""));
            words.push(Line::from(format!("Picture: {}", st.figure.alt)).style(s.style(Color::Gray)));
            instruction
        }
        (None, _) => instruction,
    };
    frame.render_widget(Paragraph::new(words).block(block).wrap(Wrap { trim: true }), text_area);
    frame.render_widget(
        Paragraph::new(cue_lines).wrap(Wrap { trim: true }).style(s.style(Color::Yellow)),
        cues,
    );

    let digits = big::lines(&big::clock(s.view.remaining_ms));
    let clock_lines: Vec<Line<'_>> = digits.into_iter().map(Line::from).collect();
    frame.render_widget(
        Paragraph::new(clock_lines).alignment(Alignment::Center).style(s.style(Color::Cyan)),
        clock,
    );

    let [step_gauge, session_gauge] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(gauges);
    let gauge = |label: &str, permille: u32| {
        Gauge::default()
            .ratio(f64::from(permille.min(1000)) / 1000.0)
            .label(format!("{label} {}%", permille / 10))
            .gauge_style(s.style(Color::Cyan).add_modifier(Modifier::BOLD))
            .use_unicode(true)
    };
    frame.render_widget(gauge("step", s.view.step_permille), step_gauge);
    frame.render_widget(gauge("session", s.view.session_permille), session_gauge);

    let next_text = match s.view.next {
        Some((i, st)) => format!("Next: {}", s.plan.items[i].steps[st].instruction),
        None if s.view.phase == Phase::Over => String::new(),
        None => "Next: the end of the session".to_owned(),
    };
    frame.render_widget(Paragraph::new(next_text), next);
    if let Some(text) = s.notice {
        frame.render_widget(
            Paragraph::new(text).style(s.style(Color::Red).add_modifier(Modifier::BOLD)),
            notice,
        );
    }
    frame.render_widget(
        Paragraph::new(" space pause · n skip · + more time · q stop · ? help")
            .style(Style::default().add_modifier(Modifier::DIM)),
        keys,
    );

    if s.help {
        popup(
            frame,
            area,
            " Keys ",
            &[
                "space   pause or carry on",
                "n or →  skip to the next step",
                "+       a little more time on this step,",
                "        never past its limit",
                "q       stop the session (asks first)",
                "?       close this help",
                "",
                "Stop at once if anything hurts sharply,",
                "or if you feel numb, faint or breathless.",
            ],
        );
    }
    if s.confirm_stop {
        popup(frame, area, " Stop? ", &["Stop the session now?", "", "y  yes, stop      n  no, carry on"]);
    }
}

fn popup(frame: &mut Frame<'_>, area: Rect, title: &str, lines: &[&str]) {
    let height = u16::try_from(lines.len()).unwrap_or(10) + 2;
    let width = 48.min(area.width);
    let rect = Rect {
        x: area.x + area.width.saturating_sub(width) / 2,
        y: area.y + area.height.saturating_sub(height) / 2,
        width,
        height: height.min(area.height),
    };
    frame.render_widget(Clear, rect);
    let text: Vec<Line<'_>> = lines.iter().map(|l| Line::from(Span::raw(*l))).collect();
    frame.render_widget(
        Paragraph::new(text).block(Block::default().borders(Borders::ALL).title(title.to_owned())),
        rect,
    );
}

#[cfg(test)]
mod tests {
    //! Frames at chosen moments of a session on a manual clock, 80×24.

    use super::{Screen, draw, shown_step};
    use crate::tui::figure::Figures;
    use knead_core::clock::Tick;
    use knead_core::intake::Intake;
    use knead_core::pack::ContentPack;
    use knead_core::planner::{self, DayUsage, Kit};
    use knead_core::screening;
    use knead_core::session::{Command, Session};
    use knead_core::vocab::Equipment;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui_image::picker::{Picker, ProtocolType};

    fn session() -> Session {
        let pack = ContentPack::builtin().expect("pack");
        let intake = Intake::from_json(r#"{"age_years": 40, "pain": {"intensity": 4, "duration_days": 3}}"#)
            .expect("intake");
        let permit = screening::screen(&pack, &intake).permit().expect("permit");
        let kit = Kit { equipment: [Equipment::FoamRoller].into(), helper_available: false };
        let plan = planner::plan(&pack, &permit, &kit, &DayUsage::default()).expect("plan");
        Session::start(plan, Tick(0)).0
    }

    fn frame(session: &Session, at: u64, help: bool, confirm_stop: bool, notice: Option<&str>) -> String {
        shown(session, at, help, confirm_stop, notice, None)
    }

    /// The frame at `at`, with the step's figure from `figures` if given.
    fn shown(
        session: &Session,
        at: u64,
        help: bool,
        confirm_stop: bool,
        notice: Option<&str>,
        figures: Option<&mut Figures<'_>>,
    ) -> String {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        terminal
            .draw(|f| {
                let view = session.view(Tick(at));
                let step = shown_step(session.plan(), &view);
                let screen = Screen {
                    plan: session.plan(),
                    figure: figures.zip(step).and_then(|(figures, step)| figures.get(&step.figure)),
                    view,
                    notice,
                    confirm_stop,
                    help,
                    colour: false,
                };
                draw(f, screen);
            })
            .expect("draw");
        terminal.backend().to_string()
    }

    /// Where the terminal speaks an image protocol, the step's figure is
    /// sent in it beside the words, and its alt text is not repeated;
    /// where it speaks none, the words stand in.
    #[test]
    fn the_figure_is_drawn_where_the_terminal_shows_images() {
        let pack = ContentPack::builtin().expect("pack");
        let mut s = session();
        s.poll(Tick(100_000));
        let alt = shown_step(s.plan(), &s.view(Tick(100_000))).expect("a step").figure.alt.clone();
        for (protocol, escape) in [(ProtocolType::Kitty, "\x1b_G"), (ProtocolType::Sixel, "\x1bP")] {
            let mut picker = Picker::halfblocks();
            picker.set_protocol_type(protocol);
            let mut figures = Figures::with(&pack, picker).expect("figures");
            let text = shown(&s, 100_000, false, false, None, Some(&mut figures));
            assert!(text.contains(escape), "{protocol:?}: no image sent:\n{text}");
            assert!(!text.contains("Picture:"), "{protocol:?}: {text}");
        }
        assert!(Figures::with(&pack, Picker::halfblocks()).is_none(), "half blocks are words only");
        let words = frame(&s, 100_000, false, false, None);
        let first = alt.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
        assert!(words.contains(&format!("Picture: {first}")), "{words}");
    }

    #[test]
    fn get_ready() {
        insta::assert_snapshot!(frame(&session(), 3_000, false, false, None));
    }

    #[test]
    fn a_step_with_its_cues() {
        let mut s = session();
        s.poll(Tick(100_000));
        insta::assert_snapshot!(frame(&s, 100_000, false, false, None));
    }

    #[test]
    fn a_bout_and_a_rest() {
        // 10 s countdown + hands 165 s + roller set-up 20 s + lean-back 15 s: rolling starts at 210 s.
        let mut s = session();
        s.poll(Tick(215_000));
        insta::assert_snapshot!("bout", frame(&s, 215_000, false, false, None));
        s.poll(Tick(245_000));
        insta::assert_snapshot!("rest", frame(&s, 245_000, false, false, None));
    }

    #[test]
    fn paused_with_a_notice() {
        let mut s = session();
        s.poll(Tick(215_000));
        s.command(Command::Pause, Tick(216_000));
        insta::assert_snapshot!(frame(&s, 300_000, false, false, Some("A bout lasts at most 30 seconds.")));
    }

    #[test]
    fn help_and_stop_questions() {
        let mut s = session();
        s.poll(Tick(60_000));
        insta::assert_snapshot!("help", frame(&s, 60_000, true, false, None));
        insta::assert_snapshot!("stop", frame(&s, 60_000, false, true, None));
    }

    #[test]
    fn over() {
        let mut s = session();
        s.poll(Tick(10_000_000));
        insta::assert_snapshot!(frame(&s, 10_000_000, false, false, None));
    }
}
