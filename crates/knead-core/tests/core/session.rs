//! The session engine on a manual clock: no sleeping, exact times.

use crate::support::{intake, pack};
use knead_core::clock::{Clock, ManualClock, Tick};
use knead_core::planner::{self, DayUsage, Kit, Plan};
use knead_core::records::SessionStatus;
use knead_core::screening;
use knead_core::session::{self, Command, EndReason, Event, Limit, Outcome, Phase, Session};
use knead_core::vocab::{Equipment, TechniqueId};
use serde_json::json;
use std::collections::BTreeSet;

pub fn plan_with(equipment: &[Equipment], helper: bool, today: &DayUsage) -> Plan {
    let pack = pack();
    let result = screening::screen(&pack, &intake(json!({})));
    let kit = Kit { equipment: equipment.iter().copied().collect::<BTreeSet<_>>(), helper_available: helper };
    planner::plan(&pack, &result.permit().unwrap(), &kit, today).unwrap()
}

pub fn full_plan() -> Plan {
    plan_with(&[Equipment::FoamRoller, Equipment::MassageGun], false, &DayUsage::default())
}

fn ms(seconds: u32) -> u64 {
    u64::from(seconds) * 1000
}

/// Poll every `step` ms until the session ends; returns all events.
fn run(session: &mut Session, clock: &ManualClock, step: u64) -> Vec<Event> {
    let mut events = Vec::new();
    for _ in 0..1_000_000 {
        if session.ended().is_some() {
            return events;
        }
        clock.advance(step);
        events.extend(session.poll(clock.now()));
    }
    panic!("the session did not end");
}

fn started_steps(events: &[Event]) -> Vec<(usize, usize)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::StepStarted { item, step, .. } => Some((*item, *step)),
            _ => None,
        })
        .collect()
}

#[test]
fn get_ready_then_the_first_step_with_its_cues() {
    let plan = full_plan();
    let (mut session, events) = Session::start(plan, Tick(5_000));
    assert_eq!(events, [Event::GetReady { seconds: 10 }]);
    assert_eq!(session.view(Tick(5_000)).phase, Phase::GetReady);
    assert!(session.poll(Tick(14_999)).is_empty());
    let events = session.poll(Tick(15_000));
    assert!(matches!(events[0], Event::StepStarted { item: 0, step: 0, technique: TechniqueId::Hands, .. }));
    assert!(matches!(&events[1], Event::Cue { text } if !text.is_empty()));
}

#[test]
fn deadlines_are_absolute_so_nothing_drifts() {
    let plan = full_plan();
    let total = ms(plan.total_seconds);
    // Polled often and irregularly, or once at the very end: the same timeline.
    let clock = ManualClock::at(0);
    let (mut often, _) = Session::start(plan.clone(), clock.now());
    let events = run(&mut often, &clock, 337);
    assert_eq!(events.last(), Some(&Event::SessionOver { reason: EndReason::Completed }));

    let (mut once, _) = Session::start(plan.clone(), Tick(0));
    let late = once.poll(Tick(total + 3_600_000));
    assert_eq!(started_steps(&events), started_steps(&late));
    assert_eq!(often.records(), once.records());

    // Each step starts exactly where the planned ones before it end.
    let mut expected = ms(plan.get_ready_seconds);
    for (record, step) in once.records().iter().zip(plan.items.iter().flat_map(|i| &i.steps)) {
        assert_eq!(record.started_ms, expected, "{}", record.step_id);
        expected += ms(step.timing.planned_seconds());
        assert_eq!(record.ended_ms, expected, "{}", record.step_id);
        assert_eq!(record.outcome, Outcome::Done);
    }
    assert_eq!(expected, total);
    assert!(total >= 600_000, "a session of ten minutes or more is checked: {total}");
}

#[test]
fn session_ends_exactly_on_time() {
    let plan = full_plan();
    let total = ms(plan.total_seconds);
    let (mut session, _) = Session::start(plan, Tick(0));
    let before = session.poll(Tick(total - 1));
    assert!(!before.contains(&Event::SessionOver { reason: EndReason::Completed }));
    assert_eq!(session.poll(Tick(total)).last(), Some(&Event::SessionOver { reason: EndReason::Completed }));
}

#[test]
fn pause_moves_the_deadline_by_the_pause() {
    let plan = plan_with(&[], false, &DayUsage::default());
    let total = ms(plan.total_seconds);
    let (mut session, _) = Session::start(plan, Tick(0));
    assert_eq!(session.command(Command::Pause, Tick(30_000)).last(), Some(&Event::Paused));
    assert!(session.view(Tick(90_000)).paused);
    assert!(session.poll(Tick(90_000)).is_empty(), "nothing happens while paused");
    assert_eq!(session.command(Command::TogglePause, Tick(90_000)), [Event::Resumed]);
    let end = session.poll(Tick(total + 60_000 - 1));
    assert!(!end.contains(&Event::SessionOver { reason: EndReason::Completed }));
    assert!(
        session.poll(Tick(total + 60_000)).contains(&Event::SessionOver { reason: EndReason::Completed })
    );
    // Active time is what was planned; the pause is not counted.
    let knead = session.records().iter().find(|r| r.step_id == "make-fists").unwrap();
    assert_eq!(knead.active_ms, 15_000);
    assert_eq!(knead.ended_ms - knead.started_ms, 75_000);
}

#[test]
fn skip_ends_the_whole_step_and_starts_the_next_now() {
    let plan = plan_with(&[Equipment::FoamRoller], false, &DayUsage::default());
    let roll_item = plan.items.iter().position(|i| i.technique == TechniqueId::FoamRoller).unwrap();
    let (mut session, _) = Session::start(plan, Tick(0));
    // Run until the first bout of rolling begins.
    let mut t = 0;
    loop {
        t += 500;
        let events = session.poll(Tick(t));
        if events.iter().any(|e| matches!(e, Event::BoutStarted { bout: 1, .. })) {
            break;
        }
    }
    let events = session.command(Command::Skip, Tick(t + 10_000));
    assert!(events.contains(&Event::StepOver { item: roll_item, step: 2, outcome: Outcome::Skipped }));
    assert!(matches!(events.iter().find(|e| matches!(e, Event::StepStarted { .. })),
        Some(Event::StepStarted { item, step: 3, .. }) if *item == roll_item));
    let roll = session.records().iter().find(|r| r.step_id == "roll").unwrap();
    assert_eq!(roll.active_ms, 10_000);
}

#[test]
fn a_bout_never_passes_thirty_seconds() {
    let plan = plan_with(&[Equipment::FoamRoller], false, &DayUsage::default());
    let (mut session, _) = Session::start(plan, Tick(0));
    let mut t = 0;
    while !session.poll(Tick(t)).iter().any(|e| matches!(e, Event::BoutStarted { .. })) {
        t += 250;
    }
    let events = session.command(Command::Extend { seconds: 60 }, Tick(t + 1_000));
    assert_eq!(
        events,
        [Event::LimitReached { technique: TechniqueId::FoamRoller, limit: Limit::Bout, seconds: 30 }]
    );
    let after = session.poll(Tick(t + 30_000));
    assert!(after.contains(&Event::BoutOver { bout: 1, of: 3 }), "{after:?}");
    assert!(after.contains(&Event::RestStarted { seconds: 20 }));
}

#[test]
fn a_range_step_can_be_lengthened_up_to_its_most() {
    let plan = plan_with(&[], false, &DayUsage::default());
    let (mut session, _) = Session::start(plan, Tick(0));
    // 10 s countdown + 15 + 15: kneading starts at 40 s and is planned for 120 s.
    session.poll(Tick(41_000));
    let events = session.command(Command::Extend { seconds: 60 }, Tick(41_000));
    assert_eq!(events, [Event::Extended { seconds: 60 }]);
    let events = session.command(Command::Extend { seconds: 600 }, Tick(42_000));
    assert_eq!(
        events,
        [
            Event::Extended { seconds: 120 },
            Event::LimitReached { technique: TechniqueId::Hands, limit: Limit::Step, seconds: 300 }
        ]
    );
    session.poll(Tick(40_000 + 300_000));
    let knead = session.records().iter().find(|r| r.step_id == "knead").unwrap();
    assert_eq!(knead.active_ms, 300_000);
}

#[test]
fn halfway_comes_once_at_half() {
    let plan = plan_with(&[], false, &DayUsage::default());
    let (mut session, _) = Session::start(plan, Tick(0));
    assert!(!session.poll(Tick(40_000 + 59_999)).contains(&Event::Halfway));
    assert_eq!(session.poll(Tick(40_000 + 60_000)), [Event::Halfway]);
    assert!(session.poll(Tick(40_000 + 61_000)).is_empty());
}

/// Run `plan` to its end, asking for two more minutes every second.
fn asking_for_more_every_second(plan: Plan) -> (Session, Vec<Event>) {
    let (mut session, _) = Session::start(plan, Tick(0));
    let mut events = Vec::new();
    let mut t = 0;
    while session.ended().is_none() {
        t += 1_000;
        events.extend(session.poll(Tick(t)));
        events.extend(session.command(Command::Extend { seconds: 120 }, Tick(t)));
        assert!(t < 3_600_000);
    }
    (session, events)
}

#[test]
fn the_massager_stops_at_its_limit_whatever_is_asked() {
    // 25 of today's 30 minutes are used: this session may have 5 minutes.
    let today = DayUsage { sessions: 1, seconds: [(TechniqueId::ElectricMassager, 1_500)].into() };
    let plan = plan_with(&[Equipment::MassageGun], false, &today);
    let item = plan.items.iter().position(|i| i.technique == TechniqueId::ElectricMassager).unwrap();
    assert_eq!(plan.items[item].cap_seconds, 300);
    let (session, events) = asking_for_more_every_second(plan);
    let used: u64 = session
        .records()
        .iter()
        .filter(|r| r.technique == TechniqueId::ElectricMassager)
        .map(|r| r.active_ms)
        .sum();
    assert_eq!(used, 300_000, "exactly the cap, never more");
    assert!(events.contains(&Event::LimitReached {
        technique: TechniqueId::ElectricMassager,
        limit: Limit::Session,
        seconds: 300
    }));
    assert!(session.records().iter().any(|r| r.outcome == Outcome::CutAtLimit));
}

#[test]
fn ten_minutes_of_massager_at_most() {
    let plan = plan_with(&[Equipment::VibratingMassager], true, &DayUsage::default());
    let item = plan.items.iter().position(|i| i.technique == TechniqueId::ElectricMassager).unwrap();
    assert_eq!(plan.items[item].variant, "with_helper");
    let (mut session, _) = Session::start(plan, Tick(0));
    let mut t = 0;
    while session.ended().is_none() {
        t += 700;
        session.poll(Tick(t));
        session.command(Command::Extend { seconds: 1_000 }, Tick(t));
    }
    let used: u64 = session
        .records()
        .iter()
        .filter(|r| r.technique == TechniqueId::ElectricMassager)
        .map(|r| r.active_ms)
        .sum();
    assert!(used <= 600_000, "{used}");
}

#[test]
fn stop_ends_everything_and_later_commands_do_nothing() {
    let plan = full_plan();
    let (mut session, _) = Session::start(plan, Tick(0));
    session.poll(Tick(12_000));
    let events = session.command(Command::Stop, Tick(12_000));
    assert_eq!(
        events,
        [
            Event::StepOver { item: 0, step: 0, outcome: Outcome::Stopped },
            Event::SessionOver { reason: EndReason::Stopped }
        ]
    );
    assert_eq!(session.ended(), Some(EndReason::Stopped));
    assert!(session.command(Command::Resume, Tick(13_000)).is_empty());
    assert!(session.command(Command::Skip, Tick(13_000)).is_empty());
    assert!(session.poll(Tick(10_000_000)).is_empty());
    assert_eq!(session.view(Tick(13_000)).phase, Phase::Over);
    assert_eq!(session.records().len(), 1);
    assert_eq!(session.records()[0].active_ms, 2_000);
}

#[test]
fn stop_during_get_ready_records_nothing() {
    let (mut session, _) = Session::start(full_plan(), Tick(0));
    assert_eq!(
        session.command(Command::Stop, Tick(1_000)),
        [Event::SessionOver { reason: EndReason::Stopped }]
    );
    assert!(session.records().is_empty());
}

#[test]
fn view_reports_progress_and_whats_next() {
    let plan = plan_with(&[], false, &DayUsage::default());
    let (mut session, _) = Session::start(plan, Tick(0));
    session.poll(Tick(100_000));
    let view = session.view(Tick(100_000));
    assert_eq!(view.phase, Phase::Step);
    assert_eq!(view.at, Some((0, 2)));
    assert_eq!(view.next, Some((0, 3)));
    assert_eq!(view.remaining_ms, 60_000);
    assert_eq!(view.step_permille, 500);
    assert!(view.session_permille > 0 && view.session_permille < 1000);
}

#[test]
fn the_timeline_is_what_the_engine_runs() {
    // A plan cut short by the day's usage, so caps bite too.
    let used =
        DayUsage { sessions: 1, seconds: [(TechniqueId::ElectricMassager, 1500)].into_iter().collect() };
    for plan in [full_plan(), plan_with(&[Equipment::MassageGun], true, &used)] {
        let slots = session::timeline(&plan);
        assert_eq!(slots[0].phase, Phase::GetReady);
        assert_eq!(slots[0].seconds, plan.get_ready_seconds);
        for slot in &slots {
            // More time applies to steps and bouts only, and never shortens them.
            match slot.phase {
                Phase::GetReady | Phase::Rest { .. } => assert_eq!(slot.max_seconds, None),
                _ => assert!(slot.max_seconds.is_some_and(|most| most >= slot.seconds), "{slot:?}"),
            }
        }
        let clock = ManualClock::default();
        let (mut s, _) = Session::start(plan.clone(), clock.now());
        run(&mut s, &clock, 1000);
        for (i, item) in plan.items.iter().enumerate() {
            let planned: u32 = slots.iter().filter(|x| x.work && x.item == Some(i)).map(|x| x.seconds).sum();
            let ran: u64 =
                s.records().iter().filter(|r| r.technique == item.technique).map(|r| r.active_ms).sum();
            assert_eq!(u64::from(planned) * 1000, ran, "{:?}", item.technique);
            assert!(
                planned <= item.cap_seconds,
                "{:?}: {planned} s planned, cap {}",
                item.technique,
                item.cap_seconds
            );
        }
        let total: u32 = slots.iter().map(|x| x.seconds).sum();
        assert_eq!(u64::from(total) * 1000, clock.now().0, "the session lasts the timeline");
    }
}

/// The massager's steps as `(step id, outcome, active ms)`, in order.
fn massager_records(session: &Session) -> Vec<(String, Outcome, u64)> {
    session
        .records()
        .iter()
        .filter(|r| r.technique == TechniqueId::ElectricMassager)
        .map(|r| (r.step_id.clone(), r.outcome, r.active_ms))
        .collect()
}

#[test]
fn a_cap_cut_goes_on_to_the_closing_step_which_is_not_work() {
    // 25 of today's 30 minutes are used: 5 minutes, used up by asking for more.
    let today = DayUsage { sessions: 1, seconds: [(TechniqueId::ElectricMassager, 1_500)].into() };
    for helper in [false, true] {
        let plan = plan_with(&[Equipment::MassageGun], helper, &today);
        let item = plan.items.iter().position(|i| i.technique == TechniqueId::ElectricMassager).unwrap();
        let closing = plan.items[item].steps.len() - 1;
        assert!(plan.items[item].steps[closing].closing);
        let slots = session::timeline(&plan);
        let slot = slots.iter().find(|s| s.item == Some(item) && s.step == Some(closing)).unwrap();
        assert!(!slot.work, "switching off is not massage");
        assert_eq!(slot.seconds, 10);

        let (session, events) = asking_for_more_every_second(plan);
        assert_eq!(session.ended(), Some(EndReason::Completed));
        let limit = events
            .iter()
            .position(|e| matches!(e, Event::LimitReached { limit: Limit::Session, .. }))
            .expect("the cap acted");
        assert!(
            events[limit..].iter().any(
                |e| matches!(e, Event::StepStarted { item: i, step, .. } if *i == item && *step == closing)
            ),
            "after the cut, the switch-off step starts"
        );
        let records = massager_records(&session);
        let (cut, rest) = records.split_at(records.len() - 1);
        assert_eq!(cut.last().unwrap().1, Outcome::CutAtLimit, "{records:?}");
        assert_eq!(rest, [("switch-off".to_owned(), Outcome::Done, 0)], "it runs, and is not massage");
        let used: u64 = records.iter().map(|r| r.2).sum();
        assert_eq!(used, 300_000, "the cap, all of it massage");
    }
}

#[test]
fn skipping_the_massage_still_leads_to_switching_off() {
    let plan = plan_with(&[Equipment::MassageGun], false, &DayUsage::default());
    let (mut session, _) = Session::start(plan, Tick(0));
    let mut t = 0;
    // Skip everything but the closing step, which then runs out its time.
    while session.ended().is_none() {
        t += 1_000;
        session.poll(Tick(t));
        let at = session.view(Tick(t)).at;
        if at.is_none_or(|(i, s)| !session.plan().items[i].steps[s].closing) {
            session.command(Command::Skip, Tick(t));
        }
        assert!(t < 3_600_000);
    }
    let records = massager_records(&session);
    let last = records.last().unwrap();
    assert_eq!((last.0.as_str(), last.1, last.2), ("switch-off", Outcome::Done, 0), "{records:?}");
    assert!(records[..records.len() - 1].iter().all(|r| r.1 == Outcome::Skipped), "{records:?}");
}

/// Skip every step a few seconds in, `massage_s` seconds into the first
/// work step and at once in every other: how does the session end?
fn skipping_through(massage_s: u64) -> (Session, EndReason) {
    let plan = full_plan();
    let (mut session, _) = Session::start(plan, Tick(0));
    let mut t = 0;
    let mut first = true;
    while session.ended().is_none() {
        let view = session.view(Tick(t));
        let working = view.at.is_some() && !matches!(view.phase, Phase::GetReady | Phase::Rest { .. });
        if working && first {
            first = false;
            t += massage_s * 1000;
        }
        t += 1;
        session.command(Command::Skip, Tick(t));
    }
    let reason = session.ended().unwrap();
    (session, reason)
}

#[test]
fn every_step_skipped_is_too_short_to_count_and_kept_as_stopped_early() {
    let plan = full_plan();
    let pack = pack();
    assert_eq!(
        plan.counted_min_seconds, pack.session_counted_min.value,
        "the plan holds more than the minimum"
    );
    let (session, reason) = skipping_through(0);
    assert_eq!(reason, EndReason::TooShort);
    assert!(session.massage_ms() < 1_000);
    assert_eq!(reason.status(), SessionStatus::Stopped);
    assert_eq!(reason.stop_reason(), Some("too little massage to count as a session"));
    assert!(!reason.status().counts(0, plan.counted_min_seconds));

    // Just under the minimum of massage, then the rest skipped: still too short.
    let min = u64::from(pack.session_counted_min.value);
    assert_eq!(skipping_through(min - 2).1, EndReason::TooShort);
    // The minimum, then the rest skipped: a session done, if a short one.
    let (session, reason) = skipping_through(min + 1);
    assert_eq!(reason, EndReason::Completed);
    assert!(session.massage_ms() >= min * 1000);
    assert_eq!(reason.status(), SessionStatus::Completed);
    assert_eq!(reason.stop_reason(), None);
}

#[test]
fn a_stopped_session_counts_when_it_had_the_minimum_of_massage() {
    let min = pack().session_counted_min.value;
    assert!(SessionStatus::Stopped.counts(min, min));
    assert!(!SessionStatus::Stopped.counts(min - 1, min));
    assert!(!SessionStatus::Interrupted.counts(min - 1, min));
    assert!(SessionStatus::Logged.counts(0, min), "a logged session says how long it was");
    assert!(!SessionStatus::InProgress.counts(min, min));
}
