//! The session engine: a state machine over a [`Plan`].
//!
//! A plan becomes a timeline of segments: the get-ready countdown, then
//! each step (a bout-and-rest step becomes bout, rest, bout, …). Every call
//! carries the moment it happens; deadlines are absolute and each segment
//! starts exactly where the last one ended, so a long session does not
//! drift however late the caller polls. Pausing moves the deadline by the
//! length of the pause.
//!
//! Doses are enforced here, not just shown: a bout never outlasts its
//! technique's bout limit, and a technique's active time never passes its
//! cap (session limit, or what is left of the daily limit), whatever the
//! person asks for: the step is cut and the technique ends.
//!
//! A technique may end with a closing step (the pack's `closing = true`,
//! e.g. "switch the massager off and sit up slowly"). It is not massage, so
//! it is not work: its time never counts against the cap and its active
//! time is 0. Nothing skips it on the person's behalf: when the cap cuts
//! the technique short, the engine jumps to the closing step and runs it,
//! and a skip ends only the step it is in, so skipping a massage step still
//! leads to it. The person may skip the closing step itself, like any step.
//! Stop ends the session at once, closing step or not: it is the way out
//! when something is wrong, and nothing timed may hold it up.

use crate::clock::Tick;
use crate::planner::Plan;
use crate::records::SessionStatus;
use crate::vocab::TechniqueId;
use serde::Serialize;

/// Something the person asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Hold the timer.
    Pause,
    /// Carry on after a pause.
    Resume,
    /// Pause if running, resume if paused.
    TogglePause,
    /// End this step now and go to the next.
    Skip,
    /// End the session.
    Stop,
    /// More time on this step, within its limits.
    Extend {
        /// Seconds asked for.
        seconds: u32,
    },
}

/// Something that happened, for an interface to show, sound or speak.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The countdown began.
    GetReady {
        /// Its length.
        seconds: u32,
    },
    /// A step began.
    StepStarted {
        /// Index into the plan's items.
        item: usize,
        /// Index into that item's steps.
        step: usize,
        /// The technique.
        technique: TechniqueId,
        /// What to do.
        instruction: String,
    },
    /// A safety cue for the step that just began.
    Cue {
        /// The cue.
        text: String,
    },
    /// Half of the current step or bout is done.
    Halfway,
    /// A bout began.
    BoutStarted {
        /// Which bout, from 1.
        bout: u32,
        /// Of how many.
        of: u32,
        /// Its length.
        seconds: u32,
    },
    /// A bout ended.
    BoutOver {
        /// Which bout, from 1.
        bout: u32,
        /// Of how many.
        of: u32,
    },
    /// A rest between bouts began.
    RestStarted {
        /// Its length.
        seconds: u32,
    },
    /// A rest ended.
    RestOver,
    /// A step ended.
    StepOver {
        /// Index into the plan's items.
        item: usize,
        /// Index into that item's steps.
        step: usize,
        /// How it ended.
        outcome: Outcome,
    },
    /// A dose limit stopped something.
    LimitReached {
        /// The technique.
        technique: TechniqueId,
        /// Which limit.
        limit: Limit,
        /// The limit in seconds.
        seconds: u32,
    },
    /// Time was added to the current step or bout.
    Extended {
        /// Seconds granted.
        seconds: u32,
    },
    /// The timer is held.
    Paused,
    /// The timer runs again.
    Resumed,
    /// The session ended.
    SessionOver {
        /// Why.
        reason: EndReason,
    },
}

/// Which dose limit acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// The technique's cap for this session.
    Session,
    /// The longest single bout.
    Bout,
    /// The step's longest time.
    Step,
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Ran to its end.
    Done,
    /// The person skipped the rest of it.
    Skipped,
    /// A dose limit cut it short.
    CutAtLimit,
    /// The session was stopped during it.
    Stopped,
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// Every step ran or was skipped, with at least the plan's
    /// `counted_min_seconds` of massage.
    Completed,
    /// Every step ran or was skipped, but with less massage than the plan's
    /// `counted_min_seconds` (every step skipped, say): kept as stopped
    /// early, so that its pain change is not taken for the massage's effect.
    TooShort,
    /// The person stopped it.
    Stopped,
}

impl EndReason {
    /// How a session that ran to its last step ended, with `massage_ms` of
    /// massage against the plan's `counted_min_seconds`.
    pub fn at_end(massage_ms: u64, counted_min_seconds: u32) -> EndReason {
        if massage_ms >= u64::from(counted_min_seconds) * 1000 {
            EndReason::Completed
        } else {
            EndReason::TooShort
        }
    }

    /// How the journal keeps a session that ended so.
    pub fn status(self) -> SessionStatus {
        match self {
            EndReason::Completed => SessionStatus::Completed,
            EndReason::TooShort | EndReason::Stopped => SessionStatus::Stopped,
        }
    }

    /// Why it stopped early, kept with the record (an interface may say
    /// more precisely how the person stopped it).
    pub fn stop_reason(self) -> Option<&'static str> {
        match self {
            EndReason::Completed => None,
            EndReason::TooShort => Some("too little massage to count as a session"),
            EndReason::Stopped => Some("stopped by the person"),
        }
    }
}

/// What actually happened in one step, for the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StepRecord {
    /// The technique.
    pub technique: TechniqueId,
    /// The step's id.
    pub step_id: String,
    /// Milliseconds from the session's start to the step's start.
    pub started_ms: u64,
    /// Milliseconds from the session's start to the step's end.
    pub ended_ms: u64,
    /// Active milliseconds (pauses and rests excluded).
    pub active_ms: u64,
    /// How it ended.
    pub outcome: Outcome,
}

/// What the current moment looks like, for drawing a screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct View {
    /// What is happening.
    pub phase: Phase,
    /// The timer is held.
    pub paused: bool,
    /// Current `(item, step)`, if in a step.
    pub at: Option<(usize, usize)>,
    /// The next `(item, step)`, if any.
    pub next: Option<(usize, usize)>,
    /// Milliseconds left in the current segment (countdown, step, bout or rest).
    pub remaining_ms: u64,
    /// Length of the current segment.
    pub segment_ms: u64,
    /// Share of the current step done, in thousandths.
    pub step_permille: u32,
    /// Share of the session done, in thousandths.
    pub session_permille: u32,
    /// Milliseconds of the session done (pauses excluded), and its length
    /// as it now stands: what was skipped is gone, time added is in.
    pub session_done_ms: u64,
    /// See `session_done_ms`.
    pub session_ms: u64,
}

/// The kind of segment now running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Counting down to the first step.
    GetReady,
    /// A timed step.
    Step,
    /// A bout of work.
    Bout {
        /// Which, from 1.
        bout: u32,
        /// Of how many.
        of: u32,
    },
    /// A rest between bouts.
    Rest {
        /// After which bout.
        after: u32,
        /// Of how many.
        of: u32,
    },
    /// The session has ended.
    Over,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    GetReady,
    Timed { max_ms: u64 },
    Bout { bout: u32, of: u32, max_ms: u64 },
    Rest { after: u32, of: u32 },
}

#[derive(Debug, Clone)]
struct Segment {
    /// `(item, step)`; `None` for the countdown.
    at: Option<(usize, usize)>,
    kind: Kind,
    /// Part of the technique's closing step, which is never work.
    closing: bool,
    /// Length in ms; set to what actually ran once the segment is over.
    len_ms: u64,
}

impl Segment {
    fn phase(&self) -> Phase {
        match self.kind {
            Kind::GetReady => Phase::GetReady,
            Kind::Timed { .. } => Phase::Step,
            Kind::Bout { bout, of, .. } => Phase::Bout { bout, of },
            Kind::Rest { after, of } => Phase::Rest { after, of },
        }
    }

    fn is_work(&self) -> bool {
        !self.closing && matches!(self.kind, Kind::Timed { .. } | Kind::Bout { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Running { deadline: Tick },
    Paused { remaining_ms: u64 },
    Over(EndReason),
}

/// A guided session in progress.
#[derive(Debug, Clone)]
pub struct Session {
    plan: Plan,
    segments: Vec<Segment>,
    current: usize,
    state: State,
    origin: Tick,
    /// Active ms used per plan item in finished segments.
    used_ms: Vec<u64>,
    /// Where the current step began (ms from origin) and its active ms so far.
    step_started_ms: u64,
    step_active_ms: u64,
    halfway_sent: bool,
    records: Vec<StepRecord>,
}

const MS: u64 = 1000;
/// Steps and bouts shorter than this get no halfway event.
const HALFWAY_FROM_MS: u64 = 20 * MS;

/// The plan as segments, in order: the one sequence both the engine and
/// [`timeline`] use.
fn segments(plan: &Plan) -> Vec<Segment> {
    let mut segments = vec![Segment {
        at: None,
        kind: Kind::GetReady,
        closing: false,
        len_ms: u64::from(plan.get_ready_seconds) * MS,
    }];
    for (i, item) in plan.items.iter().enumerate() {
        for (s, step) in item.steps.iter().enumerate() {
            let at = Some((i, s));
            let closing = step.closing;
            match step.timing {
                crate::pack::Timing::Fixed { seconds } => {
                    let ms = u64::from(seconds) * MS;
                    segments.push(Segment { at, kind: Kind::Timed { max_ms: ms }, closing, len_ms: ms });
                }
                crate::pack::Timing::Range { min_seconds, max_seconds } => segments.push(Segment {
                    at,
                    kind: Kind::Timed { max_ms: u64::from(max_seconds) * MS },
                    closing,
                    len_ms: u64::from(min_seconds) * MS,
                }),
                crate::pack::Timing::Bouts { count, work_seconds, rest_seconds } => {
                    let bout_max = item.bout_max_seconds.unwrap_or(work_seconds).min(work_seconds);
                    let max_ms = u64::from(item.bout_max_seconds.unwrap_or(work_seconds)) * MS;
                    for bout in 1..=count {
                        segments.push(Segment {
                            at,
                            kind: Kind::Bout { bout, of: count, max_ms },
                            closing,
                            len_ms: u64::from(bout_max) * MS,
                        });
                        if bout < count {
                            segments.push(Segment {
                                at,
                                kind: Kind::Rest { after: bout, of: count },
                                closing,
                                len_ms: u64::from(rest_seconds) * MS,
                            });
                        }
                    }
                }
            }
        }
    }
    segments
}

/// One segment of a plan's timeline, for an interface that runs the clock
/// itself (the web page's player, `static/engine.js` in knead-web): the
/// same sequence, lengths and limits the engine runs. The interface may
/// shorten a segment (skip, stop) and lengthen it on request up to
/// `max_seconds`, and a technique's work never passes its item's
/// `cap_seconds`; a step marked `closing` in the plan is not work and is
/// never skipped by the cap (see the module doc). That the web's player
/// runs these rules as this engine does is checked case by case: see
/// knead-core's `parity` test, which writes the conformance corpus the
/// player is run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slot {
    /// Index into the plan's items; `None` for the get-ready countdown.
    pub item: Option<usize>,
    /// Index into that item's steps.
    pub step: Option<usize>,
    /// What kind of segment.
    #[serde(flatten)]
    pub phase: Phase,
    /// Its planned length.
    pub seconds: u32,
    /// The longest more time may make it: the step's or the bout's limit.
    /// None where more time does not apply (the countdown, rests). The
    /// technique's cap may stop it sooner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_seconds: Option<u32>,
    /// Whether it counts as work against the technique's limits (steps and
    /// bouts do; rests, the countdown and a closing step do not).
    pub work: bool,
}

/// The plan's timeline, segment by segment.
pub fn timeline(plan: &Plan) -> Vec<Slot> {
    segments(plan)
        .iter()
        .map(|seg| Slot {
            item: seg.at.map(|(item, _)| item),
            step: seg.at.map(|(_, step)| step),
            phase: seg.phase(),
            seconds: u32::try_from(seg.len_ms / MS).unwrap_or(u32::MAX),
            max_seconds: match seg.kind {
                Kind::Timed { max_ms } | Kind::Bout { max_ms, .. } => Some(secs(max_ms)),
                Kind::GetReady | Kind::Rest { .. } => None,
            },
            work: seg.is_work(),
        })
        .collect()
}

impl Session {
    /// Start a session at `now`; returns it with the first events.
    pub fn start(plan: Plan, now: Tick) -> (Self, Vec<Event>) {
        let segments = segments(&plan);
        let items = plan.items.len();
        let mut session = Session {
            plan,
            segments,
            current: 0,
            state: State::Over(EndReason::Completed),
            origin: now,
            used_ms: vec![0; items],
            step_started_ms: 0,
            step_active_ms: 0,
            halfway_sent: false,
            records: Vec::new(),
        };
        let mut events = Vec::new();
        session.enter(0, now, &mut events);
        (session, events)
    }

    /// The plan being run.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// What happened in each finished step.
    pub fn records(&self) -> &[StepRecord] {
        &self.records
    }

    /// Milliseconds of massage in finished segments (the whole session's,
    /// once it has ended).
    pub fn massage_ms(&self) -> u64 {
        self.used_ms.iter().sum()
    }

    /// Whether the session has ended, and why.
    pub fn ended(&self) -> Option<EndReason> {
        match self.state {
            State::Over(reason) => Some(reason),
            _ => None,
        }
    }

    /// The next moment at which something is due, if the timer runs.
    pub fn next_deadline(&self) -> Option<Tick> {
        match self.state {
            State::Running { deadline } => Some(deadline),
            _ => None,
        }
    }

    /// Advance to `now`, emitting everything that came due on the way.
    pub fn poll(&mut self, now: Tick) -> Vec<Event> {
        let mut events = Vec::new();
        while let State::Running { deadline } = self.state {
            if now < deadline {
                self.maybe_halfway(now, &mut events);
                break;
            }
            self.maybe_halfway(deadline, &mut events);
            self.finish_segment(deadline, &mut events);
        }
        events
    }

    /// Act on a command at `now`.
    pub fn command(&mut self, command: Command, now: Tick) -> Vec<Event> {
        let mut events = self.poll(now);
        match (command, self.state) {
            (_, State::Over(_)) => {}
            (Command::Pause | Command::TogglePause, State::Running { deadline }) => {
                self.state = State::Paused { remaining_ms: deadline - now };
                events.push(Event::Paused);
            }
            (Command::Resume | Command::TogglePause, State::Paused { remaining_ms }) => {
                self.state = State::Running { deadline: now + remaining_ms };
                events.push(Event::Resumed);
            }
            (Command::Pause, State::Paused { .. }) | (Command::Resume, State::Running { .. }) => {}
            (Command::Skip, _) => self.skip(now, &mut events),
            (Command::Stop, _) => self.stop(now, &mut events),
            (Command::Extend { seconds }, _) => self.extend(seconds, &mut events),
        }
        events
    }

    /// The screen at `now`. Call [`Session::poll`] first.
    pub fn view(&self, now: Tick) -> View {
        let total: u64 = self.segments.iter().map(|s| s.len_ms).sum();
        let (remaining_ms, paused) = match self.state {
            State::Running { deadline } => (deadline - now, false),
            State::Paused { remaining_ms } => (remaining_ms, true),
            State::Over(_) => (0, false),
        };
        let Some(seg) = self.segments.get(self.current).filter(|_| !matches!(self.state, State::Over(_)))
        else {
            return View {
                phase: Phase::Over,
                paused: false,
                at: None,
                next: None,
                remaining_ms: 0,
                segment_ms: 0,
                step_permille: 1000,
                session_permille: 1000,
                session_done_ms: total,
                session_ms: total,
            };
        };
        let done_before: u64 = self.segments[..self.current].iter().map(|s| s.len_ms).sum();
        let in_segment = seg.len_ms.saturating_sub(remaining_ms);
        let step_segments = self.segments.iter().filter(|s| s.at.is_some() && s.at == seg.at);
        let step_total: u64 =
            if seg.at.is_some() { step_segments.map(|s| s.len_ms).sum() } else { seg.len_ms };
        let step_done: u64 = if seg.at.is_some() {
            self.segments[..self.current].iter().filter(|s| s.at == seg.at).map(|s| s.len_ms).sum::<u64>()
                + in_segment
        } else {
            in_segment
        };
        let phase = seg.phase();
        View {
            phase,
            paused,
            at: seg.at,
            next: self.segments[self.current + 1..].iter().find_map(|s| s.at.filter(|a| Some(*a) != seg.at)),
            remaining_ms,
            segment_ms: seg.len_ms,
            step_permille: permille(step_done, step_total),
            session_permille: permille(done_before + in_segment, total),
            session_done_ms: done_before + in_segment,
            session_ms: total,
        }
    }

    fn maybe_halfway(&mut self, now: Tick, events: &mut Vec<Event>) {
        let (State::Running { deadline }, Some(seg)) = (self.state, self.segments.get(self.current)) else {
            return;
        };
        if !self.halfway_sent && seg.is_work() && seg.len_ms >= HALFWAY_FROM_MS {
            let elapsed = seg.len_ms.saturating_sub(deadline - now);
            if elapsed * 2 >= seg.len_ms {
                self.halfway_sent = true;
                events.push(Event::Halfway);
            }
        }
    }

    /// Enter segment `index` at `now`, applying the technique's cap.
    fn enter(&mut self, index: usize, now: Tick, events: &mut Vec<Event>) {
        self.current = index;
        self.halfway_sent = false;
        let Some(seg) = self.segments.get(index).cloned() else {
            let reason = EndReason::at_end(self.massage_ms(), self.plan.counted_min_seconds);
            self.state = State::Over(reason);
            events.push(Event::SessionOver { reason });
            return;
        };
        let previous = index.checked_sub(1).and_then(|i| self.segments[i].at);
        if let Some((item, step)) = seg.at {
            if previous != seg.at {
                self.step_started_ms = now - self.origin;
                self.step_active_ms = 0;
                let planned = &self.plan.items[item];
                let technique = planned.technique;
                let step_def = &planned.steps[step];
                events.push(Event::StepStarted {
                    item,
                    step,
                    technique,
                    instruction: step_def.instruction.clone(),
                });
                events.extend(step_def.cues.iter().map(|c| Event::Cue { text: c.clone() }));
            }
            if seg.is_work() {
                let left = self.cap_left_ms(item);
                if left == 0 {
                    self.cut_at_limit(item, now, events);
                    return;
                }
                self.segments[index].len_ms = seg.len_ms.min(left);
            }
        }
        let seg = &self.segments[index];
        match seg.kind {
            Kind::GetReady => events.push(Event::GetReady { seconds: secs(seg.len_ms) }),
            Kind::Bout { bout, of, .. } => {
                events.push(Event::BoutStarted { bout, of, seconds: secs(seg.len_ms) })
            }
            Kind::Rest { .. } => events.push(Event::RestStarted { seconds: secs(seg.len_ms) }),
            Kind::Timed { .. } => {}
        }
        self.state = State::Running { deadline: now + seg.len_ms };
    }

    fn cap_left_ms(&self, item: usize) -> u64 {
        let cap = u64::from(self.plan.items[item].cap_seconds) * MS;
        cap.saturating_sub(self.used_ms[item])
    }

    /// The current segment ran to its deadline at `end`.
    fn finish_segment(&mut self, end: Tick, events: &mut Vec<Event>) {
        let seg = self.segments[self.current].clone();
        if let Some((item, _)) = seg.at
            && seg.is_work()
        {
            self.used_ms[item] += seg.len_ms;
            self.step_active_ms += seg.len_ms;
        }
        match seg.kind {
            Kind::Bout { bout, of, .. } => events.push(Event::BoutOver { bout, of }),
            Kind::Rest { .. } => events.push(Event::RestOver),
            Kind::GetReady | Kind::Timed { .. } => {}
        }
        if let Some((item, _)) = seg.at
            && seg.is_work()
            && self.cap_left_ms(item) == 0
            && self.segments.get(self.current + 1).is_some_and(|next| next.at.is_some_and(|a| a.0 == item))
        {
            self.cut_at_limit(item, end, events);
            return;
        }
        self.close_step_if_last(Outcome::Done, end, events);
        self.enter(self.current + 1, end, events);
    }

    /// The technique of `item` used up its cap: end its massage and go on to
    /// its closing step, or past it if it has none.
    fn cut_at_limit(&mut self, item: usize, now: Tick, events: &mut Vec<Event>) {
        let planned = &self.plan.items[item];
        events.push(Event::LimitReached {
            technique: planned.technique,
            limit: Limit::Session,
            seconds: planned.cap_seconds,
        });
        let last = self.last_segment_where(|at| at.0 == item);
        // The closing step is the variant's last step and is never bouts, so
        // it is the item's last segment.
        let resume = if self.segments[last].closing { last } else { last + 1 };
        self.end_step(Outcome::CutAtLimit, now, events);
        for seg in &mut self.segments[self.current + 1..resume] {
            seg.len_ms = 0;
        }
        self.enter(resume, now, events);
    }

    fn last_segment_where(&self, pred: impl Fn((usize, usize)) -> bool) -> usize {
        let mut last = self.current;
        while self.segments.get(last + 1).and_then(|s| s.at).is_some_and(&pred) {
            last += 1;
        }
        last
    }

    fn close_step_if_last(&mut self, outcome: Outcome, end: Tick, events: &mut Vec<Event>) {
        let at = self.segments[self.current].at;
        if at.is_some() && self.segments.get(self.current + 1).is_none_or(|n| n.at != at) {
            self.end_step(outcome, end, events);
        }
    }

    fn end_step(&mut self, outcome: Outcome, end: Tick, events: &mut Vec<Event>) {
        let Some((item, step)) = self.segments[self.current].at else { return };
        let planned = &self.plan.items[item];
        self.records.push(StepRecord {
            technique: planned.technique,
            step_id: planned.steps[step].id.clone(),
            started_ms: self.step_started_ms,
            ended_ms: end - self.origin,
            active_ms: self.step_active_ms,
            outcome,
        });
        events.push(Event::StepOver { item, step, outcome });
    }

    /// Record the active time of the current segment up to `now` and shorten it to that.
    fn cut_current(&mut self, now: Tick) {
        let remaining = match self.state {
            State::Running { deadline } => deadline - now,
            State::Paused { remaining_ms } => remaining_ms,
            State::Over(_) => 0,
        };
        let seg = &mut self.segments[self.current];
        seg.len_ms = seg.len_ms.saturating_sub(remaining);
        if let Some((item, _)) = seg.at
            && seg.is_work()
        {
            self.used_ms[item] += seg.len_ms;
            self.step_active_ms += seg.len_ms;
        }
    }

    fn skip(&mut self, now: Tick, events: &mut Vec<Event>) {
        self.cut_current(now);
        let at = self.segments[self.current].at;
        let last = match at {
            None => self.current,
            Some(at) => {
                let last = self.last_segment_where(|a| a == at);
                self.end_step(Outcome::Skipped, now, events);
                last
            }
        };
        for seg in &mut self.segments[self.current + 1..=last] {
            seg.len_ms = 0;
        }
        self.enter(last + 1, now, events);
    }

    fn stop(&mut self, now: Tick, events: &mut Vec<Event>) {
        self.cut_current(now);
        self.end_step(Outcome::Stopped, now, events);
        for seg in &mut self.segments[self.current + 1..] {
            seg.len_ms = 0;
        }
        self.state = State::Over(EndReason::Stopped);
        events.push(Event::SessionOver { reason: EndReason::Stopped });
    }

    fn extend(&mut self, seconds: u32, events: &mut Vec<Event>) {
        let seg = self.segments[self.current].clone();
        let (Some((item, _)), Kind::Timed { max_ms } | Kind::Bout { max_ms, .. }) = (seg.at, seg.kind) else {
            return;
        };
        let technique = self.plan.items[item].technique;
        let cap_left = if seg.is_work() { self.cap_left_ms(item) } else { u64::MAX };
        let wanted = seg.len_ms + u64::from(seconds) * MS;
        let granted_len = wanted.min(max_ms).min(cap_left);
        let limit = if granted_len == cap_left && cap_left < wanted.min(max_ms) {
            (Limit::Session, self.plan.items[item].cap_seconds)
        } else if matches!(seg.kind, Kind::Bout { .. }) {
            (Limit::Bout, secs(max_ms))
        } else {
            (Limit::Step, secs(max_ms))
        };
        let granted = granted_len.saturating_sub(seg.len_ms);
        if granted > 0 {
            self.segments[self.current].len_ms = granted_len;
            self.state = match self.state {
                State::Running { deadline } => State::Running { deadline: deadline + granted },
                State::Paused { remaining_ms } => State::Paused { remaining_ms: remaining_ms + granted },
                over => over,
            };
            events.push(Event::Extended { seconds: secs(granted) });
        }
        if granted_len < wanted {
            events.push(Event::LimitReached { technique, limit: limit.0, seconds: limit.1 });
        }
    }
}

fn secs(ms: u64) -> u32 {
    u32::try_from(ms.div_ceil(MS)).unwrap_or(u32::MAX)
}

fn permille(part: u64, whole: u64) -> u32 {
    (part.min(whole) * 1000).checked_div(whole).map_or(1000, |p| u32::try_from(p).unwrap_or(1000))
}
