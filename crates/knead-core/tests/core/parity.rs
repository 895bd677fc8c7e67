//! The conformance corpus: what the session engine does, case by case, for
//! the web's player to be held to.
//!
//! The session's rules live here, in knead-core. The browser cannot run
//! this engine (no WebAssembly target on these machines), so the web page
//! runs a port of it (`crates/knead-web/static/engine.js`). This test plays
//! scripted sessions through the engine: plans the planner makes from the
//! real content pack, for several kits, permits and days' usage; inputs at
//! given milliseconds (polls, pause, resume, skip, +30 s and other extra
//! time, stop, and jumps in time). For each input it writes down the events
//! in order and the view after it, and for each case the records and how it
//! ended. That is the corpus, committed at
//! `crates/knead-web/tests/parity/corpus.json`; knead-web's `parity` test
//! feeds the same inputs to engine.js under Node and expects the same, to
//! the millisecond.
//!
//! This test fails when the committed corpus is not what the engine does
//! now. After changing the engine on purpose, write it again with
//! `KNEAD_BLESS=1 cargo test -p knead-core parity`, then make engine.js
//! agree (knead-web's test says where it does not).

use crate::support::{intake, pack};
use knead_core::clock::Tick;
use knead_core::planner::{self, DayUsage, Kit, Plan};
use knead_core::screening;
use knead_core::session::{self, Command, Event, Phase, Session, View};
use knead_core::vocab::{Equipment, TechniqueId};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

/// A plan for a kit, with the screening answers patched by `answers` and
/// `used` seconds of the massager already done today.
fn plan(answers: Value, equipment: &[Equipment], helper: bool, used: u32) -> Plan {
    let pack = pack();
    let result = screening::screen(&pack, &intake(answers));
    let kit = Kit { equipment: equipment.iter().copied().collect::<BTreeSet<_>>(), helper_available: helper };
    let today = if used == 0 {
        DayUsage::default()
    } else {
        DayUsage { sessions: 1, seconds: [(TechniqueId::ElectricMassager, used)].into() }
    };
    planner::plan(&pack, &result.permit().unwrap(), &kit, &today).unwrap()
}

/// The plans the cases run, by name.
fn plans() -> Vec<(&'static str, Plan)> {
    use Equipment::{FoamRoller, MassageGun, VibratingMassager};
    let none = json!({});
    vec![
        ("hands", plan(none.clone(), &[], false, 0)),
        ("roller", plan(none.clone(), &[FoamRoller], false, 0)),
        ("gun", plan(none.clone(), &[MassageGun], false, 0)),
        ("full", plan(none.clone(), &[FoamRoller, MassageGun], false, 0)),
        ("massager-with-helper", plan(none.clone(), &[VibratingMassager], true, 0)),
        // 25 of today's 30 minutes used: five minutes left, little more than planned.
        ("gun-capped", plan(none.clone(), &[MassageGun], false, 1_500)),
        ("helper-capped", plan(none, &[MassageGun], true, 1_500)),
        // An implant rules the massager out: the kit's gun is left out.
        ("implant", plan(json!({"history": ["pacemaker_or_implant"]}), &[FoamRoller, MassageGun], false, 0)),
    ]
}

/// One scripted session: the inputs given so far, each with what followed.
struct Script {
    session: Session,
    now: u64,
    steps: Vec<Value>,
}

impl Script {
    fn start(plan: &Plan, at: u64) -> Self {
        let (session, events) = Session::start(plan.clone(), Tick(at));
        let mut script = Script { session, now: at, steps: Vec::new() };
        script.note(json!({"at": at, "input": "start"}), &events);
        script
    }

    fn note(&mut self, mut step: Value, events: &[Event]) {
        step["events"] = json!(events);
        step["view"] = json!(self.view());
        self.steps.push(step);
    }

    fn view(&self) -> View {
        self.session.view(Tick(self.now))
    }

    fn poll(&mut self, at: u64) {
        self.now = at;
        let events = self.session.poll(Tick(at));
        self.note(json!({"at": at, "input": "poll"}), &events);
    }

    fn command(&mut self, at: u64, command: Command) {
        self.now = at;
        let events = self.session.command(command, Tick(at));
        let step = match command {
            Command::Pause => json!({"at": at, "input": "pause"}),
            Command::Resume => json!({"at": at, "input": "resume"}),
            Command::TogglePause => json!({"at": at, "input": "toggle_pause"}),
            Command::Skip => json!({"at": at, "input": "skip"}),
            Command::Stop => json!({"at": at, "input": "stop"}),
            Command::Extend { seconds } => json!({"at": at, "input": "extend", "seconds": seconds}),
        };
        self.note(step, &events);
    }

    /// Poll at each deadline until `done` holds for the view (or the session ends).
    fn until(&mut self, done: impl Fn(&View) -> bool) {
        while !done(&self.view()) {
            let Some(Tick(at)) = self.session.next_deadline() else { return };
            self.poll(at);
        }
    }

    /// Poll every `every` ms to the end, then once more long after.
    fn run_out(&mut self, every: u64) {
        while self.session.ended().is_none() {
            self.poll(self.now + every);
        }
        self.poll(self.now + 3_600_000);
    }

    /// After the end, nothing a person does changes anything.
    fn after_the_end(&mut self) {
        let at = self.now + 1_000;
        for command in [Command::Resume, Command::Skip, Command::Extend { seconds: 30 }, Command::Stop] {
            self.command(at, command);
        }
    }

    fn case(self, name: &str, plan: &str) -> Value {
        // How it ended, as the journal keeps it: the player must say the same.
        let ended = self.session.ended().map(|reason| {
            let massage_ms = self.session.massage_ms();
            let seconds = u32::try_from(massage_ms / 1000).unwrap();
            json!({
                "reason": reason,
                "status": reason.status(),
                "stop_reason": reason.stop_reason(),
                "massage_ms": massage_ms,
                "counts": reason.status().counts(seconds, self.session.plan().counted_min_seconds),
            })
        });
        json!({
            "name": name,
            "plan": plan,
            "steps": self.steps,
            "records": self.session.records(),
            "ended": ended,
        })
    }
}

fn in_phase(phase: fn(&Phase) -> bool) -> impl Fn(&View) -> bool {
    move |view| phase(&view.phase)
}

fn in_step<'a>(plan: &'a Plan, step_id: &'static str) -> impl Fn(&View) -> bool + 'a {
    move |view| view.at.is_some_and(|(i, s)| plan.items[i].steps[s].id == step_id)
}

/// A small deterministic generator (xorshift), so the mixed cases are the
/// same on every machine and every run.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Everything mixed: irregular gaps (none, short, long jumps), and any
/// input at any moment, paused or not.
fn mixed(plan: &Plan, seed: u64) -> Script {
    let mut dice = Dice(seed);
    let mut s = Script::start(plan, 1_000 + dice.below(100_000));
    for _ in 0..300 {
        if s.session.ended().is_some() {
            break;
        }
        let gap = match dice.below(10) {
            0 => 0,
            1 => 60_000 + dice.below(240_000),
            _ => dice.below(15_000),
        };
        let at = s.now + gap;
        match dice.below(60) {
            0..=27 => s.poll(at),
            28..=32 => s.command(at, Command::TogglePause),
            33..=35 => s.command(at, Command::Pause),
            36..=38 => s.command(at, Command::Resume),
            39..=44 => s.command(at, Command::Skip),
            45..=54 => s.command(at, Command::Extend { seconds: 30 }),
            55..=58 => {
                let seconds = [1, 45, 600][usize::try_from(dice.below(3)).unwrap()];
                s.command(at, Command::Extend { seconds });
            }
            _ => s.command(at, Command::Stop),
        }
    }
    s.run_out(7_000);
    s.after_the_end();
    s
}

/// Thirty seconds more, `times` times a second apart, early in every step
/// and bout: the step's, the bout's and the technique's limits all act.
fn more_time_everywhere(plan: &Plan, times: u32) -> Script {
    let mut s = Script::start(plan, 0);
    let mut seen = None;
    while s.session.ended().is_none() {
        let view = s.view();
        let here = (view.at, view.phase);
        if view.at.is_some() && seen != Some(here) && !matches!(view.phase, Phase::Rest { .. }) {
            seen = Some(here);
            for _ in 0..times {
                s.command(s.now + 1_000, Command::Extend { seconds: 30 });
            }
        }
        s.poll(s.now + 8_000);
    }
    s
}

/// The cases, each a script on a named plan.
fn cases(plans: &[(&'static str, Plan)]) -> Vec<Value> {
    let plan = |name: &str| &plans.iter().find(|(n, _)| *n == name).unwrap().1;
    let mut cases = Vec::new();

    for (name, p) in plans {
        let mut s = Script::start(p, 0);
        s.run_out(7_000);
        cases.push(s.case(&format!("{name}: polled every 7 s"), name));

        let mut s = Script::start(p, 250);
        s.poll(250 + 90_500);
        s.poll(250 + 3_600_000);
        cases.push(s.case(&format!("{name}: polled twice, the second an hour on"), name));

        for seed in [1, 2, 3] {
            let s = mixed(p, 0x9E37_79B9_7F4A_7C15 ^ (seed * 0x1234_5678 + name.len() as u64));
            cases.push(s.case(&format!("{name}: mixed inputs, seed {seed}"), name));
        }
    }

    for name in ["hands", "full", "gun-capped", "helper-capped", "massager-with-helper"] {
        let s = more_time_everywhere(plan(name), 7);
        cases.push(s.case(&format!("{name}: +30 s seven times at each step and bout"), name));
    }

    // The halfway cue: a 120 s step, a 30 s bout, a 15 s step lengthened to 45 s.
    let hands = plan("hands");
    let mut s = Script::start(hands, 0);
    s.until(in_step(hands, "knead"));
    let start = s.now;
    s.poll(start + 59_999);
    s.poll(start + 60_000);
    s.poll(start + 60_001);
    s.until(in_step(hands, "shake-out"));
    s.command(s.now + 5_000, Command::Extend { seconds: 30 });
    s.poll(s.now + 17_499);
    s.poll(s.now + 1);
    s.run_out(1_000);
    cases.push(s.case("hands: halfway at half a step, and at half a lengthened one", "hands"));

    let roller = plan("roller");
    let mut s = Script::start(roller, 0);
    s.until(in_phase(|p| matches!(p, Phase::Bout { bout: 1, .. })));
    s.poll(s.now + 14_999);
    s.command(s.now + 1, Command::Pause);
    s.command(s.now + 60_000, Command::Resume);
    s.until(in_phase(|p| matches!(p, Phase::Rest { .. })));
    s.command(s.now + 2_000, Command::Extend { seconds: 30 }); // a rest gets no more time
    s.poll(s.now + 10_000); // no halfway in a rest
    s.run_out(15_000);
    cases.push(s.case("roller: halfway in a bout across a pause; rests get neither", "roller"));

    // Pausing.
    let full = plan("full");
    let mut s = Script::start(full, 0);
    s.command(3_000, Command::Pause); // in the countdown
    s.command(3_000, Command::Pause); // again: nothing
    s.poll(500_000);
    s.command(600_000, Command::Resume);
    s.command(600_000, Command::Resume); // again: nothing
    s.until(in_step(full, "knead"));
    s.command(s.now + 10_000, Command::TogglePause);
    s.command(s.now + 30_000, Command::Extend { seconds: 30 }); // more time while paused
    s.command(s.now + 30_000, Command::TogglePause);
    s.until(in_phase(|p| matches!(p, Phase::Rest { after: 2, .. })));
    s.command(s.now + 19_999, Command::Pause);
    s.command(s.now + 5_000, Command::Skip); // skip while paused
    s.run_out(20_000);
    cases.push(s.case("full: pause in the countdown, a step, a rest; skip while paused", "full"));

    let mut s = Script::start(full, 0);
    s.until(in_step(full, "stand-tall"));
    let deadline = s.session.next_deadline().unwrap().0;
    s.command(deadline, Command::Pause); // at the very moment the step ends
    s.command(deadline + 1_000, Command::Resume);
    s.run_out(60_000);
    cases.push(s.case("full: pause at the moment a step ends", "full"));

    // Skipping.
    let gun = plan("gun");
    let mut s = Script::start(gun, 0);
    s.command(2_000, Command::Skip); // the countdown
    while s.session.ended().is_none() {
        s.command(s.now + 3_000, Command::Skip);
    }
    s.after_the_end();
    cases.push(s.case("gun: skip everything, the closing step too", "gun"));

    let mut s = Script::start(full, 0);
    while s.session.ended().is_none() {
        let closing = s.view().at.is_some_and(|(i, st)| full.items[i].steps[st].closing);
        if closing {
            s.poll(s.now + 4_000);
        } else {
            s.command(s.now + 4_000, Command::Skip);
        }
    }
    cases.push(s.case("full: skip all but the closing step, which still runs", "full"));

    let mut s = Script::start(roller, 0);
    s.until(in_phase(|p| matches!(p, Phase::Rest { after: 1, .. })));
    s.command(s.now + 5_000, Command::Skip); // the rest ends the whole step
    s.run_out(9_000);
    cases.push(s.case("roller: skip in a rest ends the whole step", "roller"));

    // Stopping.
    for (what, at) in [("the countdown", 4_000), ("the first step", 17_500)] {
        let mut s = Script::start(full, 0);
        s.command(at, Command::Stop);
        s.after_the_end();
        cases.push(s.case(&format!("full: stop in {what}"), "full"));
    }
    let mut s = Script::start(roller, 0);
    s.until(in_phase(|p| matches!(p, Phase::Rest { after: 2, .. })));
    s.command(s.now + 7_000, Command::Stop);
    cases.push(s.case("roller: stop in a rest", "roller"));

    let mut s = Script::start(roller, 0);
    s.until(in_phase(|p| matches!(p, Phase::Bout { bout: 2, .. })));
    s.command(s.now + 12_000, Command::Pause);
    s.command(s.now + 40_000, Command::Stop);
    cases.push(s.case("roller: stop in a bout while paused", "roller"));

    let mut s = Script::start(gun, 0);
    s.until(in_step(gun, "adjust"));
    s.command(s.now + 61_000, Command::Stop);
    cases.push(s.case("gun: stop before the closing step", "gun"));

    let mut s = Script::start(gun, 0);
    s.until(in_step(gun, "switch-off"));
    s.command(s.now + 5_000, Command::Extend { seconds: 30 }); // a fixed step gets no more
    s.command(s.now + 1_000, Command::Stop);
    cases.push(s.case("gun: no more time in the closing step, and stop in it", "gun"));

    // The cap.
    for name in ["gun-capped", "helper-capped"] {
        let p = plan(name);
        let mut s = Script::start(p, 0);
        s.until(|v| v.at.is_some_and(|(i, st)| p.items[i].steps[st].timing.max_seconds() > 100));
        s.command(s.now + 1_000, Command::Extend { seconds: 600 });
        s.poll(s.now + 3_600_000); // the cut and the closing step, in one late poll
        cases.push(s.case(&format!("{name}: the cap cuts, one late poll runs out the rest"), name));
    }

    let p = plan("gun-capped");
    let mut s = Script::start(p, 0);
    s.until(in_step(p, "lean-low"));
    s.command(s.now + 1_000, Command::Extend { seconds: 60 });
    s.until(in_step(p, "adjust"));
    s.command(s.now + 1_000, Command::Extend { seconds: 30 });
    s.command(s.now + 1_000, Command::Pause);
    s.command(s.now + 1_000, Command::Extend { seconds: 30 }); // the cap, while paused
    s.command(s.now + 1_000, Command::Resume);
    s.run_out(30_000);
    cases.push(s.case("gun-capped: more time up to the cap, paused or not", "gun-capped"));

    cases
}

/// The corpus as text: one line per plan and per step, so that a change
/// shows in a diff as the steps it touched.
fn corpus() -> String {
    let plans = plans();
    let mut out = String::from("{\n");
    let about = "Made by knead-core's session engine (crates/knead-core/tests/core/parity.rs): do not edit. \
                 Write it again with KNEAD_BLESS=1 cargo test -p knead-core parity.";
    writeln!(out, "\"about\": {},", json!(about)).unwrap();
    out.push_str("\"plans\": {\n");
    for (i, (name, plan)) in plans.iter().enumerate() {
        let entry = json!({"plan": plan, "timeline": session::timeline(plan)});
        let comma = if i + 1 < plans.len() { "," } else { "" };
        writeln!(out, "{}: {entry}{comma}", json!(name)).unwrap();
    }
    out.push_str("},\n\"cases\": [\n");
    let cases = cases(&plans);
    for (i, case) in cases.iter().enumerate() {
        writeln!(out, "{{\"name\": {}, \"plan\": {},", case["name"], case["plan"]).unwrap();
        out.push_str("\"steps\": [\n");
        let steps = case["steps"].as_array().unwrap();
        for (j, step) in steps.iter().enumerate() {
            let comma = if j + 1 < steps.len() { "," } else { "" };
            writeln!(out, "{step}{comma}").unwrap();
        }
        let comma = if i + 1 < cases.len() { "," } else { "" };
        writeln!(out, "],\n\"records\": {},\n\"ended\": {}}}{comma}", case["records"], case["ended"])
            .unwrap();
    }
    out.push_str("]\n}\n");
    out
}

#[test]
fn the_committed_corpus_is_what_the_engine_does() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../knead-web/tests/parity/corpus.json");
    let made = corpus();
    assert!(made.len() < 1_000_000, "keep the corpus moderate: {} bytes", made.len());
    if std::env::var_os("KNEAD_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &made).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != made {
        let line = committed.lines().zip(made.lines()).position(|(a, b)| a != b);
        let line = line.unwrap_or_else(|| committed.lines().count().min(made.lines().count()));
        panic!(
            "{} is not what the engine does now (first difference on line {}).\n\
             If the engine changed on purpose: KNEAD_BLESS=1 cargo test -p knead-core parity,\n\
             then make crates/knead-web/static/engine.js agree (cargo test -p knead-web parity).",
            path.display(),
            line + 1
        );
    }
}

#[test]
fn the_corpus_covers_every_rule() {
    let text = corpus();
    let corpus: Value = serde_json::from_str(&text).unwrap();
    let cases = corpus["cases"].as_array().unwrap();
    let events: Vec<&Value> = cases
        .iter()
        .flat_map(|c| c["steps"].as_array().unwrap())
        .flat_map(|s| s["events"].as_array().unwrap())
        .collect();
    let has = |f: &dyn Fn(&Value) -> bool| events.iter().any(|e| f(e));
    for kind in ["halfway", "extended", "paused", "resumed", "bout_over", "rest_over", "cue", "get_ready"] {
        assert!(has(&|e| e["event"] == kind), "no {kind} event in the corpus");
    }
    for limit in ["session", "bout", "step"] {
        assert!(has(&|e| e["event"] == "limit_reached" && e["limit"] == limit), "no {limit} limit");
    }
    let outcomes: BTreeSet<&str> = cases
        .iter()
        .flat_map(|c| c["records"].as_array().unwrap())
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["cut_at_limit", "done", "skipped", "stopped"].into());
    let ends: BTreeSet<&str> = cases.iter().map(|c| c["ended"]["reason"].as_str().unwrap()).collect();
    assert_eq!(ends, ["completed", "stopped", "too_short"].into());
    assert!(cases.len() >= 40, "{} cases", cases.len());
}
