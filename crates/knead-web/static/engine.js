// Knead: the guided session's engine, for the browser.
//
// The session's rules live in knead-core (crates/knead-core/src/session.rs):
// the steps and bouts in order, deadlines that do not drift, pause, skip,
// stop, +30 s up to the step's or bout's limit, a technique's cap that cuts
// its massage and goes on to its closing step, the halfway cue, and what each
// step records. The browser cannot run that engine (no WebAssembly target on
// the machines that build Knead), so this file is a line-by-line port of it,
// held to it by a conformance corpus: knead-core plays scripted sessions
// through its engine and writes the events, views and records down
// (crates/knead-web/tests/parity/corpus.json), and knead-web's `parity` test
// runs every case through this file under Node and expects the same, to the
// millisecond. Change a rule in knead-core first, then here, until the test
// agrees; never here alone.
//
// Pure: no screen, no clock, no storage. Every call carries the moment it
// happens, in whole milliseconds on any monotonic clock. Events, views and
// records have the shape knead-core gives them in JSON. The player
// (session.js) plays what this emits; one thing is the web's own, restore(),
// which brings back a session kept on the phone across a reload (the
// terminal has no reloads).
//
// In the browser it is `window.KneadEngine`; under Node, `require` it.
'use strict';

(function expose(root, make) {
  const engine = make();
  if (typeof module === 'object' && module.exports) module.exports = engine;
  else root.KneadEngine = engine;
})(typeof self !== 'undefined' ? self : this, () => {
  const MS = 1000;
  /** Steps and bouts shorter than this get no halfway event. */
  const HALFWAY_FROM_MS = 20 * MS;

  /** `a - b`, zero if `b` is later (knead-core's Tick arithmetic). */
  const sub = (a, b) => Math.max(0, a - b);
  /** Whole seconds, rounded up. */
  const secs = (ms) => Math.ceil(ms / MS);
  const permille = (part, whole) => (whole === 0 ? 1000 : Math.floor((Math.min(part, whole) * 1000) / whole));
  /** Whether two `[item, step]` places (or nulls) are the same. */
  const same = (a, b) => (a === null || b === null ? a === b : a[0] === b[0] && a[1] === b[1]);

  /**
   * The timeline the server sent (knead-core's `session::timeline`) as
   * segments: a place, a phase, a length that skip, stop, the cap and more
   * time change as the session runs, and the most more time may make it.
   */
  function segmentsOf(plan, timeline) {
    return timeline.map((slot) => {
      const at = slot.item === null || slot.item === undefined ? null : [slot.item, slot.step];
      const phase = { phase: slot.phase };
      if (slot.phase === 'bout') Object.assign(phase, { bout: slot.bout, of: slot.of });
      if (slot.phase === 'rest') Object.assign(phase, { after: slot.after, of: slot.of });
      return {
        at,
        phase,
        work: Boolean(slot.work),
        // The technique's closing step (switch the device off, sit up slowly).
        closing: at !== null && Boolean(plan.items[at[0]].steps[at[1]].closing),
        len: slot.seconds * MS,
        max: slot.max_seconds === undefined || slot.max_seconds === null ? null : slot.max_seconds * MS,
      };
    });
  }

  class Session {
    constructor(plan, timeline, origin) {
      this.plan = plan;
      this.segments = segmentsOf(plan, timeline);
      this.current = 0;
      // {kind: 'running', deadline} | {kind: 'paused', remaining} | {kind: 'over', reason, at}
      this.state = { kind: 'over', reason: 'completed', at: origin };
      this.origin = origin;
      this.used = plan.items.map(() => 0); // active ms per item in finished segments
      this.stepStarted = 0;
      this.stepActive = 0;
      this.halfwaySent = false;
      this.done = [];
    }

    /** What happened in each finished step: {technique, step_id, started_ms, ended_ms, active_ms, outcome}. */
    records() {
      return this.done;
    }

    /** 'completed', 'too_short' or 'stopped' once the session has ended, else null. */
    ended() {
      return this.state.kind === 'over' ? this.state.reason : null;
    }

    /** Milliseconds of massage in finished segments. */
    massageMs() {
      return this.used.reduce((a, b) => a + b, 0);
    }

    /**
     * How the journal keeps the session once it has ended (knead-core's
     * `EndReason::status`, `stop_reason` and `SessionStatus::counts`): its
     * status, why it stopped early, and whether its pain change counts as
     * the massage's effect. Null before the end.
     */
    outcome() {
      const reason = this.ended();
      if (reason === null) return null;
      const massage_ms = this.massageMs();
      const status = reason === 'completed' ? 'completed' : 'stopped';
      const stop_reason = {
        completed: null,
        too_short: 'too little massage to count as a session',
        stopped: 'stopped by the person',
      }[reason];
      const counts = status === 'completed' || Math.floor(massage_ms / MS) >= (this.plan.counted_min_seconds || 0);
      return { reason, status, stop_reason, massage_ms, counts };
    }

    /** When it ended, in ms from its start (the web keeps it with the session); null before. */
    endedMs() {
      return this.state.kind === 'over' ? sub(this.state.at, this.origin) : null;
    }

    /** The next moment something is due if the timer runs, else null. */
    nextDeadline() {
      return this.state.kind === 'running' ? this.state.deadline : null;
    }

    /** Advance to `now`, returning everything that came due on the way. */
    poll(now) {
      const events = [];
      while (this.state.kind === 'running') {
        const { deadline } = this.state;
        if (now < deadline) {
          this.maybeHalfway(now, events);
          break;
        }
        this.maybeHalfway(deadline, events);
        this.finishSegment(deadline, events);
      }
      return events;
    }

    /**
     * Act on `command` at `now`: {command: 'pause' | 'resume' | 'toggle_pause'
     * | 'skip' | 'stop'} or {command: 'extend', seconds}.
     */
    command(command, now) {
      const events = this.poll(now);
      const { kind } = this.state;
      const name = command.command;
      if (kind === 'over') return events;
      if ((name === 'pause' || name === 'toggle_pause') && kind === 'running') {
        this.state = { kind: 'paused', remaining: sub(this.state.deadline, now) };
        events.push({ event: 'paused' });
      } else if ((name === 'resume' || name === 'toggle_pause') && kind === 'paused') {
        this.state = { kind: 'running', deadline: now + this.state.remaining };
        events.push({ event: 'resumed' });
      } else if (name === 'skip') {
        this.skip(now, events);
      } else if (name === 'stop') {
        this.stop(now, events);
      } else if (name === 'extend') {
        this.extend(command.seconds, events);
      }
      return events;
    }

    /** The screen at `now` (poll first), as knead-core's `View`. */
    view(now) {
      const total = this.segments.reduce((sum, s) => sum + s.len, 0);
      const seg = this.state.kind === 'over' ? undefined : this.segments[this.current];
      if (!seg) {
        return {
          phase: { phase: 'over' },
          paused: false,
          at: null,
          next: null,
          remaining_ms: 0,
          segment_ms: 0,
          step_permille: 1000,
          session_permille: 1000,
          session_done_ms: total,
          session_ms: total,
        };
      }
      const paused = this.state.kind === 'paused';
      const remaining = paused ? this.state.remaining : sub(this.state.deadline, now);
      const before = this.segments.slice(0, this.current);
      const doneBefore = before.reduce((sum, s) => sum + s.len, 0);
      const inSegment = sub(seg.len, remaining);
      let stepTotal = seg.len;
      let stepDone = inSegment;
      if (seg.at !== null) {
        stepTotal = this.segments.filter((s) => s.at !== null && same(s.at, seg.at)).reduce((sum, s) => sum + s.len, 0);
        stepDone += before.filter((s) => same(s.at, seg.at)).reduce((sum, s) => sum + s.len, 0);
      }
      const next = this.segments.slice(this.current + 1).find((s) => s.at !== null && !same(s.at, seg.at));
      return {
        phase: { ...seg.phase },
        paused,
        at: seg.at === null ? null : [...seg.at],
        next: next ? [...next.at] : null,
        remaining_ms: remaining,
        segment_ms: seg.len,
        step_permille: permille(stepDone, stepTotal),
        session_permille: permille(doneBefore + inSegment, total),
        session_done_ms: doneBefore + inSegment,
        session_ms: total,
      };
    }

    /** Where it stands, for the web to keep across a reload (see restore). */
    snapshot(now) {
      const seg = this.segments[this.current];
      const { kind } = this.state;
      const remaining = kind === 'paused' ? this.state.remaining : kind === 'running' ? sub(this.state.deadline, now) : 0;
      return {
        cur: this.current,
        into_ms: seg && kind !== 'over' ? sub(seg.len, remaining) : 0,
        lens_ms: this.segments.map((s) => s.len),
        used_ms: this.used.slice(),
        step_started_ms: this.stepStarted,
        step_active_ms: this.stepActive,
        paused: kind === 'paused',
        over: this.ended(),
        ended_ms: this.endedMs(),
      };
    }

    maybeHalfway(now, events) {
      const seg = this.segments[this.current];
      if (this.state.kind !== 'running' || !seg) return;
      if (!this.halfwaySent && seg.work && seg.len >= HALFWAY_FROM_MS) {
        const elapsed = sub(seg.len, sub(this.state.deadline, now));
        if (elapsed * 2 >= seg.len) {
          this.halfwaySent = true;
          events.push({ event: 'halfway' });
        }
      }
    }

    /**
     * Enter segment `index` at `now`, applying the technique's cap.
     * `carried`: a kept session carries on in the step it was in, which keeps
     * its start and work and does not begin again.
     */
    enter(index, now, events, carried) {
      this.current = index;
      this.halfwaySent = false;
      const seg = this.segments[index];
      if (!seg) {
        // Too little massage (every step skipped, say) is not a session done.
        const reason = this.massageMs() >= (this.plan.counted_min_seconds || 0) * MS ? 'completed' : 'too_short';
        this.state = { kind: 'over', reason, at: now };
        events.push({ event: 'session_over', reason });
        return;
      }
      const previous = index > 0 ? this.segments[index - 1].at : null;
      if (seg.at !== null) {
        const [item, step] = seg.at;
        if (!same(previous, seg.at) && !carried) {
          this.stepStarted = sub(now, this.origin);
          this.stepActive = 0;
          const planned = this.plan.items[item];
          const def = planned.steps[step];
          events.push({ event: 'step_started', item, step, technique: planned.technique, instruction: def.instruction });
          for (const text of def.cues || []) events.push({ event: 'cue', text });
        }
        if (seg.work) {
          const left = this.capLeft(item);
          if (left === 0) {
            this.cutAtLimit(item, now, events);
            return;
          }
          seg.len = Math.min(seg.len, left);
        }
      }
      const seconds = secs(seg.len);
      if (seg.phase.phase === 'get_ready') events.push({ event: 'get_ready', seconds });
      if (seg.phase.phase === 'bout') events.push({ event: 'bout_started', bout: seg.phase.bout, of: seg.phase.of, seconds });
      if (seg.phase.phase === 'rest') events.push({ event: 'rest_started', seconds });
      this.state = { kind: 'running', deadline: now + seg.len };
    }

    capLeft(item) {
      return sub(this.plan.items[item].cap_seconds * MS, this.used[item]);
    }

    /** The current segment ran to its deadline at `end`. */
    finishSegment(end, events) {
      const seg = this.segments[this.current];
      if (seg.at !== null && seg.work) {
        this.used[seg.at[0]] += seg.len;
        this.stepActive += seg.len;
      }
      if (seg.phase.phase === 'bout') events.push({ event: 'bout_over', bout: seg.phase.bout, of: seg.phase.of });
      if (seg.phase.phase === 'rest') events.push({ event: 'rest_over' });
      const next = this.segments[this.current + 1];
      if (seg.at !== null && seg.work && this.capLeft(seg.at[0]) === 0 && next && next.at !== null && next.at[0] === seg.at[0]) {
        this.cutAtLimit(seg.at[0], end, events);
        return;
      }
      this.closeStepIfLast('done', end, events);
      this.enter(this.current + 1, end, events);
    }

    /** The technique of `item` used up its cap: on to its closing step, or past it if it has none. */
    cutAtLimit(item, now, events) {
      const planned = this.plan.items[item];
      events.push({ event: 'limit_reached', technique: planned.technique, limit: 'session', seconds: planned.cap_seconds });
      const last = this.lastSegmentWhere((at) => at[0] === item);
      // The closing step is the variant's last step and never bouts: the item's last segment.
      const resume = this.segments[last].closing ? last : last + 1;
      this.endStep('cut_at_limit', now, events);
      for (let j = this.current + 1; j < resume; j += 1) this.segments[j].len = 0;
      this.enter(resume, now, events);
    }

    lastSegmentWhere(pred) {
      let last = this.current;
      for (let next = this.segments[last + 1]; next && next.at !== null && pred(next.at); next = this.segments[last + 1]) {
        last += 1;
      }
      return last;
    }

    closeStepIfLast(outcome, end, events) {
      const { at } = this.segments[this.current];
      const next = this.segments[this.current + 1];
      if (at !== null && (!next || !same(next.at, at))) this.endStep(outcome, end, events);
    }

    endStep(outcome, end, events) {
      const { at } = this.segments[this.current];
      if (at === null) return;
      const [item, step] = at;
      const planned = this.plan.items[item];
      this.done.push({
        technique: planned.technique,
        step_id: planned.steps[step].id,
        started_ms: this.stepStarted,
        ended_ms: sub(end, this.origin),
        active_ms: this.stepActive,
        outcome,
      });
      events.push({ event: 'step_over', item, step, outcome });
    }

    /** Count the current segment's active time up to `now` and shorten it to that. */
    cutCurrent(now) {
      const { kind } = this.state;
      const remaining = kind === 'running' ? sub(this.state.deadline, now) : kind === 'paused' ? this.state.remaining : 0;
      const seg = this.segments[this.current];
      seg.len = sub(seg.len, remaining);
      if (seg.at !== null && seg.work) {
        this.used[seg.at[0]] += seg.len;
        this.stepActive += seg.len;
      }
    }

    skip(now, events) {
      this.cutCurrent(now);
      const { at } = this.segments[this.current];
      let last = this.current;
      if (at !== null) {
        last = this.lastSegmentWhere((a) => same(a, at));
        this.endStep('skipped', now, events);
      }
      for (let j = this.current + 1; j <= last; j += 1) this.segments[j].len = 0;
      this.enter(last + 1, now, events);
    }

    stop(now, events) {
      this.cutCurrent(now);
      this.endStep('stopped', now, events);
      for (let j = this.current + 1; j < this.segments.length; j += 1) this.segments[j].len = 0;
      this.state = { kind: 'over', reason: 'stopped', at: now };
      events.push({ event: 'session_over', reason: 'stopped' });
    }

    extend(seconds, events) {
      const seg = this.segments[this.current];
      if (seg.at === null || seg.max === null) return;
      const item = seg.at[0];
      const planned = this.plan.items[item];
      const capLeft = seg.work ? this.capLeft(item) : Infinity;
      const wanted = seg.len + seconds * MS;
      const grantedLen = Math.min(wanted, seg.max, capLeft);
      let limit;
      if (grantedLen === capLeft && capLeft < Math.min(wanted, seg.max)) limit = ['session', planned.cap_seconds];
      else limit = [seg.phase.phase === 'bout' ? 'bout' : 'step', secs(seg.max)];
      const granted = sub(grantedLen, seg.len);
      if (granted > 0) {
        seg.len = grantedLen;
        if (this.state.kind === 'running') this.state = { kind: 'running', deadline: this.state.deadline + granted };
        else if (this.state.kind === 'paused') this.state = { kind: 'paused', remaining: this.state.remaining + granted };
        events.push({ event: 'extended', seconds: secs(granted) });
      }
      if (grantedLen < wanted) {
        events.push({ event: 'limit_reached', technique: planned.technique, limit: limit[0], seconds: limit[1] });
      }
    }
  }

  /**
   * Start a session of `plan` (as the server sent it, with its `timeline`)
   * at `now`. Returns {session, events}.
   */
  function start(plan, timeline, now) {
    const session = new Session(plan, timeline, now);
    const events = [];
    session.enter(0, now, events);
    return { session, events };
  }

  /**
   * A session kept by snapshot() before a reload, brought back at `now`
   * (`origin` is its start on the same clock). It comes back paused at the
   * start of the segment that was running, never from a deadline that went
   * by while the page was gone: the work already done in that segment counts
   * as used and the segment runs again whole, so what its cap leaves limits
   * the repeat and carrying on can never pass a cap. No segment comes back
   * longer than more time may make it, whatever the kept copy says. Returns
   * {session, events}: the events of a cap that acts at once.
   */
  function restore(plan, timeline, kept, origin, now) {
    const session = new Session(plan, timeline, origin);
    const num = (value) => Math.max(0, Number(value) || 0);
    session.segments.forEach((seg, j) => {
      seg.len = Math.min(seg.max === null ? seg.len : seg.max, num(kept.lens_ms[j]));
    });
    kept.used_ms.forEach((ms, i) => {
      session.used[i] = num(ms);
    });
    session.stepStarted = num(kept.step_started_ms);
    session.stepActive = num(kept.step_active_ms);
    session.current = kept.cur;
    const events = [];
    if (kept.over) {
      session.state = { kind: 'over', reason: kept.over, at: origin + num(kept.ended_ms) };
      return { session, events };
    }
    const seg = session.segments[kept.cur];
    if (seg.at !== null && seg.work) {
      const into = Math.min(seg.len, num(kept.into_ms));
      session.used[seg.at[0]] += into;
      session.stepActive += into;
    }
    session.enter(kept.cur, now, events, true);
    if (session.state.kind === 'running') session.state = { kind: 'paused', remaining: sub(session.state.deadline, now) };
    return { session, events };
  }

  return { start, restore };
});
