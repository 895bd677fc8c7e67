//! The guided session in a full-screen terminal UI.
//!
//! The loop draws a frame, waits for a key or the next deadline (at most a
//! tenth of a second), feeds keys to the session as commands and the clock
//! as polls, and hands every event to the caller (who keeps the journal).
//! A bell rings at each change and, with a voice, the cue is spoken. The
//! terminal is restored on every way out: the end, `q`, Ctrl-C, an error,
//! or a panic (ratatui's panic hook).

mod big;
pub mod figure;
pub mod view;

use crate::clock::SystemClock;
use crate::voice::Voice;
use anyhow::Context;
use knead_core::clock::Clock;
use knead_core::pack::ContentPack;
use knead_core::planner::Plan;
use knead_core::session::{Command, EndReason, Event, Limit, Session};
use ratatui::crossterm::event::{self, Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::io::Write;
use std::time::Duration;

/// How the session ended, with what the engine recorded.
pub struct Finished {
    /// The session, for its records.
    pub session: Session,
    /// Why it ended.
    pub reason: EndReason,
    /// Why it was stopped early, in words.
    pub stop_reason: Option<String>,
}

/// Options for the screen.
pub struct Options {
    /// Colour allowed.
    pub colour: bool,
    /// Speed-up of the clock (1 = real time).
    pub time_scale: u32,
}

/// Run a plan on the terminal, with the `pack`'s figures where the terminal
/// shows images. `on_event` sees every event as it happens,
/// with the session, and may fail (e.g. the journal is gone): then the
/// session is stopped and the error returned after the terminal is restored.
pub fn run(
    pack: &ContentPack,
    plan: Plan,
    options: &Options,
    voice: &mut Voice,
    mut on_event: impl FnMut(&Event, &Session) -> anyhow::Result<()>,
) -> anyhow::Result<Finished> {
    let clock = SystemClock::new(options.time_scale);
    let (mut session, first) = Session::start(plan, clock.now());
    let mut terminal = ratatui::try_init().context("starting the full-screen display")?;
    let mut figures = figure::Figures::ask_terminal(pack);
    let result = (|| {
        let mut notice: Option<String> = None;
        let mut confirm_stop = false;
        let mut help = false;
        let mut stop_reason = None;
        let mut pending = first;
        loop {
            for e in pending.drain(..) {
                announce(&e, &session, voice, &mut notice);
                on_event(&e, &session)?;
            }
            if let Some(reason) = session.ended() {
                return Ok(Finished { session, reason, stop_reason });
            }
            let now = clock.now();
            terminal.draw(|frame| {
                let view = session.view(now);
                let shown = view::shown_step(session.plan(), &view);
                let screen = view::Screen {
                    plan: session.plan(),
                    figure: figures.as_mut().zip(shown).and_then(|(f, st)| f.get(&st.figure)),
                    view,
                    notice: notice.as_deref(),
                    confirm_stop,
                    help,
                    colour: options.colour,
                };
                view::draw(frame, screen);
            })?;
            if event::poll(Duration::from_millis(100))?
                && let TermEvent::Key(key) = event::read()?
                && key.kind != KeyEventKind::Release
            {
                let now = clock.now();
                match decide(key, &mut confirm_stop, &mut help) {
                    Some((command, why)) => {
                        if command == Command::Stop {
                            stop_reason = why;
                        }
                        pending = session.command(command, now);
                        if matches!(command, Command::Extend { .. }) && pending.is_empty() {
                            notice = Some("More time only works during a step.".to_owned());
                        }
                    }
                    None => pending = session.poll(now),
                }
            } else {
                pending = session.poll(clock.now());
            }
        }
    })();
    ratatui::restore();
    result
}

/// A key's meaning: a command for the session (with a stop reason), or
/// only a change on screen.
fn decide(key: KeyEvent, confirm_stop: &mut bool, help: &mut bool) -> Option<(Command, Option<String>)> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some((Command::Stop, Some("stopped with Ctrl-C".to_owned())));
    }
    if *confirm_stop {
        *confirm_stop = false;
        return matches!(key.code, KeyCode::Char('y' | 'Y'))
            .then(|| (Command::Stop, Some("stopped by the person".to_owned())));
    }
    if *help {
        *help = false;
        return None;
    }
    match key.code {
        KeyCode::Char(' ') | KeyCode::Char('p') => Some((Command::TogglePause, None)),
        KeyCode::Char('n') | KeyCode::Right => Some((Command::Skip, None)),
        KeyCode::Char('+') | KeyCode::Char('=') => Some((Command::Extend { seconds: 30 }, None)),
        KeyCode::Char('q') | KeyCode::Esc => {
            *confirm_stop = true;
            None
        }
        KeyCode::Char('?') | KeyCode::Char('h') => {
            *help = true;
            None
        }
        _ => None,
    }
}

/// Bell, voice and notice for an event.
fn announce(e: &Event, session: &Session, voice: &mut Voice, notice: &mut Option<String>) {
    let plan = session.plan();
    let say = match e {
        Event::GetReady { seconds } => Some(format!("Get ready. Starting in {seconds} seconds.")),
        Event::StepStarted { instruction, .. } => {
            *notice = None;
            Some(instruction.clone())
        }
        Event::BoutStarted { bout, of, .. } => Some(format!("Bout {bout} of {of}. Roll.")),
        Event::RestStarted { seconds } => Some(format!("Rest for {seconds} seconds.")),
        Event::Halfway => Some("Halfway.".to_owned()),
        Event::LimitReached { technique, limit, seconds } => {
            let name = &plan.items.iter().find(|i| i.technique == *technique).map_or("", |i| i.name.as_str());
            let text = match limit {
                Limit::Session => {
                    format!("Limit reached: {name} is done for this session ({} min).", seconds / 60)
                }
                Limit::Bout => format!("A bout lasts at most {seconds} seconds."),
                Limit::Step => format!("This step lasts at most {seconds} seconds."),
            };
            *notice = Some(text.clone());
            Some(text)
        }
        Event::Extended { seconds } => {
            *notice = Some(format!("{seconds} seconds added."));
            None
        }
        Event::SessionOver { reason: EndReason::Completed } => {
            Some("Session complete. Well done.".to_owned())
        }
        Event::SessionOver { reason: EndReason::Stopped } => Some("Session stopped.".to_owned()),
        Event::SessionOver { reason: EndReason::TooShort } => {
            Some("Session over, with too little massage to count.".to_owned())
        }
        Event::Cue { .. } | Event::BoutOver { .. } | Event::RestOver | Event::StepOver { .. } => None,
        Event::Paused | Event::Resumed => None,
    };
    if let Some(text) = say {
        if !matches!(e, Event::Halfway) {
            bell();
        }
        voice.say(&text);
    }
}

fn bell() {
    let mut out = std::io::stdout();
    let _ = out.write_all(b"\x07");
    let _ = out.flush();
}
