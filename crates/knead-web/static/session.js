// Knead: the guided session player.
//
// Builds the whole session inside #session (a server-rendered, empty element):
//   1. before: pain now (0-10, required) and where it hurts (optional)
//   2. the plan, from POST /api/v1/plans (kept on this phone for an offline reload)
//   3. the timeline, run on absolute deadlines: pause moves the deadline, a
//      segment is never lengthened, and a technique's work never passes its
//      cap_seconds (the same rules as knead-core's session engine: a step the
//      plan marks `closing`, such as switching the massager off, is not work
//      and a cap that ends the technique goes on to it, not past it); where it
//      stands is kept on this phone, so that a reload offers to carry on
//      (paused, the work already done still counted against the caps) or to
//      end it there, and never starts it again
//   4. after: pain now, anything new, a note; new symptoms are screened again
//   5. save: PUT /api/v1/sessions/{id}, or the outbox when offline
//
// Tests may speed time up: localStorage 'knead-time-scale' = N (> 1) makes every
// second of the timeline pass in 1/N of a second.
'use strict';

(() => {
  const root = document.getElementById('session');
  if (!root) return;

  // -------------------------------------------------------------------
  // Helpers

  const K = window.Knead || {};
  const csrf = () => (K.csrf ? K.csrf() : (document.querySelector('meta[name="csrf-token"]') || {}).content || '');
  const tzOffset = (at) => (K.offset ? K.offset(at) : -new Date().getTimezoneOffset() || 0);
  const newId = () => (K.uuid ? K.uuid() : crypto.randomUUID());

  /** Build an element: h('p', {class: 'x', id: 'y'}, 'text', child, …). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = value;
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (value === true) el.setAttribute(key, '');
      else el.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function readJsonAttr(name) {
    try {
      const value = JSON.parse(root.getAttribute(name) || '[]');
      return Array.isArray(value) ? value.filter((pair) => Array.isArray(pair) && pair.length >= 2) : [];
    } catch (_) {
      return [];
    }
  }

  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch (_) {
      /* storage blocked: nothing to keep */
    }
  }

  function load(key) {
    try {
      return localStorage.getItem(key);
    } catch (_) {
      return null;
    }
  }

  function mmss(ms) {
    const total = Math.max(0, Math.ceil(ms / 1000 - 1e-6));
    const m = Math.floor(total / 60);
    const s = total % 60;
    return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  }

  function spoken(ms) {
    const total = Math.max(0, Math.round(ms / 1000));
    const m = Math.floor(total / 60);
    const s = total % 60;
    const parts = [];
    if (m) parts.push(`${m} minute${m === 1 ? '' : 's'}`);
    if (s || !m) parts.push(`${s} second${s === 1 ? '' : 's'}`);
    return parts.join(' ');
  }

  function minutesText(seconds) {
    const minutes = Math.max(1, Math.round(seconds / 60));
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }

  function focusHeading(el) {
    if (!el) return;
    el.setAttribute('tabindex', '-1');
    el.focus({ preventScroll: false });
  }

  const POSITIONS = {
    standing: 'Standing',
    sitting: 'Sitting',
    lying_on_back: 'Lying on your back',
    lying_face_down: 'Lying face down',
    any: 'Any position that is comfortable',
  };

  // -------------------------------------------------------------------
  // What the page says

  const screening = root.getAttribute('data-screening') || '';
  const equipment = (root.getAttribute('data-equipment') || '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const helper = root.getAttribute('data-helper') === 'true';
  const symptoms = readJsonAttr('data-symptoms-json');
  const regions = readJsonAttr('data-regions-json');

  // -------------------------------------------------------------------
  // Time: virtual milliseconds that run `scale` times faster than real ones,
  // from a monotonic clock that also counts time the device spent asleep.

  const scale = (() => {
    const n = Number(load('knead-time-scale'));
    return Number.isFinite(n) && n > 1 ? n : 1;
  })();

  let realBase = 0;
  let lastPerf = performance.now();
  let lastWall = Date.now();

  /** Real ms since the page started, never going backwards. */
  function realNow() {
    const p = performance.now();
    const w = Date.now();
    const dp = p - lastPerf;
    const dw = w - lastWall;
    // performance.now() may stand still while the phone sleeps; the wall clock does not.
    const step = dw - dp > 1000 ? dw : dp;
    realBase += Math.max(0, step);
    lastPerf = p;
    lastWall = w;
    return realBase;
  }

  const vnow = () => realNow() * scale;

  // -------------------------------------------------------------------
  // Sound, voice, wake lock: all optional, all feature-detected.

  const prefs = {
    sound: load('knead-sound') !== 'off',
    voice: load('knead-voice') !== 'off',
  };

  let audio = null;

  function audioContext() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!audio) {
      try {
        audio = new Ctx();
      } catch (_) {
        return null;
      }
    }
    if (audio.state === 'suspended') audio.resume().catch(() => {});
    return audio;
  }

  /** A short, soft two-tone chime. */
  function chime() {
    if (!prefs.sound) return;
    const ctx = audioContext();
    if (!ctx) return;
    const t0 = ctx.currentTime + 0.02;
    [
      [659.25, 0],
      [880, 0.2],
    ].forEach(([freq, at]) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t0 + at);
      gain.gain.exponentialRampToValueAtTime(0.18, t0 + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.45);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + at);
      osc.stop(t0 + at + 0.5);
    });
  }

  function say(text) {
    if (!prefs.voice || !('speechSynthesis' in window) || !window.SpeechSynthesisUtterance) return;
    try {
      window.speechSynthesis.cancel();
      const u = new SpeechSynthesisUtterance(text);
      u.lang = document.documentElement.lang || 'en';
      u.rate = 0.95;
      window.speechSynthesis.speak(u);
    } catch (_) {
      /* no voice here */
    }
  }

  let wakeLock = null;
  let wantWakeLock = false;

  async function holdScreen() {
    wantWakeLock = true;
    if (!('wakeLock' in navigator) || wakeLock || document.visibilityState !== 'visible') return;
    try {
      wakeLock = await navigator.wakeLock.request('screen');
      wakeLock.addEventListener('release', () => {
        wakeLock = null;
      });
    } catch (_) {
      wakeLock = null; // refused (battery saver, no permission): the timers still work
    }
  }

  function releaseScreen() {
    wantWakeLock = false;
    if (wakeLock) wakeLock.release().catch(() => {});
    wakeLock = null;
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      if (wantWakeLock) holdScreen();
      if (player) player.tick();
    } else if (player) {
      player.keep(); // a hidden tab may be discarded without another word
    }
  });

  // Reloading or leaving the page: keep where the session stands, to the moment.
  window.addEventListener('pagehide', () => {
    if (player) player.keep();
  });

  // -------------------------------------------------------------------
  // The polite announcer: segment changes and "10 seconds left", nothing more.

  const announcer = h('p', { id: 'announce', class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'true' });
  let announceTimer = 0;

  function announce(text) {
    clearTimeout(announceTimer);
    announcer.textContent = '';
    // A fresh text node after a moment, so that the same words are read again.
    announceTimer = setTimeout(() => {
      announcer.textContent = text;
    }, 60);
  }

  // -------------------------------------------------------------------
  // Shared pieces of the UI

  function toggleButton(id, key, label) {
    const button = h('button', { type: 'button', id, class: 'toggle', 'aria-pressed': String(prefs[key]) });
    const paint = () => {
      button.setAttribute('aria-pressed', String(prefs[key]));
      button.textContent = `${label}: ${prefs[key] ? 'on' : 'off'}`;
    };
    button.addEventListener('click', () => {
      prefs[key] = !prefs[key];
      store(`knead-${key}`, prefs[key] ? 'on' : 'off');
      paint();
      if (key === 'sound' && prefs.sound) chime();
      if (key === 'voice' && !prefs.voice && 'speechSynthesis' in window) window.speechSynthesis.cancel();
    });
    paint();
    return button;
  }

  const toggles = h(
    'div',
    { class: 'toggles', role: 'group', 'aria-label': 'Sound and voice' },
    toggleButton('sound-toggle', 'sound', 'Chime'),
    'speechSynthesis' in window ? toggleButton('voice-toggle', 'voice', 'Spoken steps') : null,
  );

  /**
   * Eleven buttons for a 0-10 score. Returns {el, get(), focus()}.
   * `prefix` makes the ids: prefix-0 … prefix-10.
   */
  function painScale(prefix, question) {
    let chosen = null;
    const legendId = `${prefix}-label`;
    const chosenText = h('p', { class: 'chosen', id: `${prefix}-chosen` }, 'Not answered yet.');
    const error = h('p', { class: 'field-error', id: `${prefix}-error`, hidden: true });
    const buttons = [];
    const group = h('div', {
      class: 'pain-scale',
      role: 'group',
      'aria-labelledby': legendId,
      'aria-describedby': `${prefix}-hint ${prefix}-error`,
    });
    for (let n = 0; n <= 10; n += 1) {
      const b = h('button', {
        type: 'button',
        class: 'pain-btn',
        id: `${prefix}-${n}`,
        'data-value': n,
        'aria-pressed': 'false',
        text: String(n),
      });
      b.addEventListener('click', () => {
        chosen = n;
        for (const other of buttons) other.setAttribute('aria-pressed', String(other === b));
        chosenText.textContent = `Your answer: ${n} out of 10.`;
        error.hidden = true;
      });
      buttons.push(b);
      group.append(b);
    }
    const el = h(
      'div',
      { class: 'question', id: `${prefix}-question` },
      h('p', { class: 'question-label', id: legendId }, question),
      h('p', { class: 'hint', id: `${prefix}-hint` }, '0 means no pain, 10 the worst pain you can imagine.'),
      group,
      h('div', { class: 'scale-ends', 'aria-hidden': 'true' }, h('span', {}, 'No pain'), h('span', {}, 'Worst')),
      chosenText,
      error,
    );
    return {
      el,
      get: () => chosen,
      complain(text) {
        error.textContent = text;
        error.hidden = false;
        buttons[0].focus();
      },
    };
  }

  /** Replace what #session shows (null entries are left out). */
  function replace(...children) {
    root.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  }

  function problemBox(title, detail, extra) {
    return h(
      'div',
      { class: 'problem', role: 'alert' },
      h('h2', { class: 'problem-title' }, title),
      detail ? h('p', {}, detail) : null,
      extra || null,
    );
  }

  // -------------------------------------------------------------------
  // The plan

  const PLAN_PREFIX = K.PLAN_PREFIX || 'knead-plan:';
  const planKey = `${PLAN_PREFIX}${screening}`;

  function localDay(d) {
    return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
  }

  function cachedPlan() {
    try {
      const kept = JSON.parse(load(planKey) || 'null');
      if (kept && kept.day === localDay(new Date()) && kept.response && kept.response.plan) return kept.response;
    } catch (_) {
      /* unreadable: ignore */
    }
    return null;
  }

  /** Resolves to {plan response} or {problem, status}. */
  async function fetchPlan() {
    const url = `/api/v1/plans?utc_offset_minutes=${tzOffset()}`;
    const body = JSON.stringify({ screening, equipment, helper_available: helper });
    let response;
    try {
      response = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, application/problem+json',
          'X-CSRF-Token': csrf(),
        },
        body,
      });
    } catch (_) {
      const kept = cachedPlan();
      if (kept) return { response: kept, offline: true };
      return {
        problem: {
          title: 'You seem to be offline',
          detail: 'Knead could not fetch your plan, and there is no copy of it on this phone. Try again when you are back online.',
        },
        status: 0,
      };
    }
    let json = null;
    try {
      json = await response.json();
    } catch (_) {
      json = null;
    }
    if (response.ok && json && json.plan && Array.isArray(json.timeline)) {
      store(planKey, JSON.stringify({ day: localDay(new Date()), response: json }));
      return { response: json };
    }
    if (response.status >= 500) {
      const kept = cachedPlan();
      if (kept) return { response: kept, offline: true };
    }
    return { problem: json || { title: 'Something went wrong', detail: `The server answered with status ${response.status}.` }, status: response.status };
  }

  // -------------------------------------------------------------------
  // Screen 1: before

  let planResponse = null;

  function showLoading() {
    root.replaceChildren(
      h('h2', { class: 'screen-title', id: 'session-title' }, 'Your guided session'),
      h('p', { id: 'plan-loading', role: 'status' }, 'Getting your plan ready…'),
      announcer,
    );
  }

  function showPlanProblem(problem, status, notice) {
    const title = problem.title || 'No session right now';
    const detail = problem.detail || '';
    let extra = null;
    if (status === 409) {
      extra = h(
        'div',
        {},
        h(
          'p',
          {},
          'This happens when your answers today do not allow a massage, when there are newer answers, or when today’s sessions are already used up. Answering the safety questions again will tell you where you stand.',
        ),
        h('p', {}, h('a', { class: 'button primary', href: '/check', id: 'go-check' }, 'Go to the safety questions')),
      );
    } else if (status === 401) {
      extra = h('p', {}, h('a', { class: 'button primary', href: '/signin' }, 'Sign in'));
    } else if (status === 404 || status === 422 || status === 400) {
      extra = h('p', {}, h('a', { class: 'button primary', href: '/check' }, 'Answer the safety questions'));
    } else {
      extra = h('p', {}, h('a', { class: 'button', href: '/' }, 'Back to the start'));
    }
    const heading = h('h2', { class: 'screen-title', id: 'session-title' }, 'No session this time');
    replace(heading, notice, problemBox(title, detail, extra), announcer);
    focusHeading(heading);
  }

  function showBefore(offline, notice) {
    const plan = planResponse.plan;
    const names = plan.items.map((item) => item.name);
    const pain = painScale('pain-before', 'How much does your back hurt right now?');
    const regionName = 'region';
    const regionChoices = regions.map(([value, label]) =>
      h(
        'label',
        { class: 'choice' },
        h('input', { type: 'radio', name: regionName, value, id: `region-${value}` }),
        ` ${label}`,
      ),
    );
    const regionSet = regions.length
      ? h(
          'fieldset',
          { class: 'question', id: 'region-question' },
          h('legend', {}, 'Where does it hurt most? (you can skip this)'),
          regionChoices,
          h('label', { class: 'choice' }, h('input', { type: 'radio', name: regionName, value: '', id: 'region-none', checked: true }), ' I’d rather not say'),
        )
      : null;
    const start = h('button', { type: 'button', class: 'primary big', id: 'start-session' }, 'Start the session');
    const heading = h('h2', { class: 'screen-title', id: 'session-title' }, 'Before you start');
    const form = h(
      'form',
      { class: 'stack', id: 'before-form', novalidate: true },
      pain.el,
      regionSet,
      h(
        'p',
        { class: 'hint' },
        'When you press Start, there is a short countdown so you can get into position. Stop at any time if something hurts sharply or feels wrong.',
      ),
      start,
    );
    form.addEventListener('submit', (e) => e.preventDefault());
    start.addEventListener('click', () => {
      if (pain.get() === null) {
        pain.complain('Please choose a number from 0 to 10 first.');
        return;
      }
      const picked = form.querySelector(`input[name="${regionName}"]:checked`);
      audioContext(); // unlock sound inside the click
      runSession(timeline(planResponse, { pain_before: pain.get(), region: picked && picked.value ? picked.value : null }));
    });
    replace(
      heading,
      notice,
      offline
        ? h('p', { class: 'notice', role: 'status' }, 'You are offline, so this is the plan saved on this phone earlier today.')
        : null,
      h(
        'p',
        { class: 'plan-summary', id: 'plan-summary' },
        `About ${minutesText(plan.total_seconds)}: ${names.join(', then ')}.`,
      ),
      form,
      toggles,
      announcer,
    );
    focusHeading(heading);
    if (notice) announce(notice.textContent);
  }

  // -------------------------------------------------------------------
  // Screen 2: the player

  let player = null;

  function stepKey(seg) {
    return seg.item === null || seg.item === undefined ? null : `${seg.item}:${seg.step}`;
  }

  // -------------------------------------------------------------------
  // The session in progress, kept on this phone
  //
  // A reload (the browser discarded the tab, the person tapped reload) must
  // neither start the session again nor forget the work already done: that
  // work counts against each technique's cap_seconds, and forgetting it
  // would let a reload pass the dose limits. So while a session runs, where
  // it stands is written under one key: at each segment change, on pause,
  // resume and skip, and when the page is hidden or left (not on every
  // tick, which would wear the storage for nothing). It stays through the
  // questions after the session and goes once the session is saved, to the
  // journal or to the outbox.

  const RUN_KEY = K.RUN_KEY || 'knead-current-session';
  const RUN_VERSION = 1;
  // Started longer ago than this, a session is not offered to carry on: the
  // person has left it, and it is saved as interrupted (see closeKept).
  const RESUMABLE_MS = 2 * 60 * 60 * 1000;
  const STOP_REASONS = {
    stopped: 'stopped by the person',
    interrupted: 'the page was left before the session ended',
  };

  /** The session kept on this phone, or null when there is none that this version can read. */
  function keptRun() {
    let run = null;
    try {
      run = JSON.parse(load(RUN_KEY) || 'null');
    } catch (_) {
      return null;
    }
    const response = run && run.version === RUN_VERSION ? run.response : null;
    const items = response && response.plan ? response.plan.items : null;
    const slots = response ? response.timeline : null;
    const fine =
      Array.isArray(items) &&
      Array.isArray(slots) &&
      Array.isArray(run.lens_ms) &&
      run.lens_ms.length === slots.length &&
      Array.isArray(run.used_ms) &&
      run.used_ms.length === items.length &&
      Array.isArray(run.steps) &&
      Number.isInteger(run.cur) &&
      run.cur >= 0 &&
      run.cur < slots.length + (run.over ? 1 : 0) &&
      Number.isInteger(run.pain_before) &&
      Number.isInteger(run.offset) &&
      [run.started_at, run.saved_at, run.step_started_at].every((at) => Number.isFinite(Date.parse(at))) &&
      (!run.over || (['completed', 'stopped'].includes(run.over) && Number.isFinite(Date.parse(run.ended_at))));
    return fine ? run : null;
  }

  function keepRun(t) {
    store(RUN_KEY, JSON.stringify(t.snapshot()));
  }

  /**
   * One session's timeline and the rules that move it on, without a screen:
   * segments run on absolute deadlines, pause moves the deadline, a segment
   * is never lengthened, and a technique's work never passes its cap_seconds
   * (the same rules as knead-core's session engine). The player paints it;
   * a session kept on this phone is rebuilt with it, to carry on or to end.
   *
   * `before` is {pain_before, region}. `kept`, when given, is a session kept
   * by snapshot(): it comes back paused at the start of the segment that was
   * running (never from a deadline that went by while the page was gone),
   * with the work already done in that segment counted as used, so that
   * carrying on can never pass a cap.
   */
  function timeline(response, before, kept) {
    const plan = response.plan;
    // Virtual time here, wall-clock time in the record: w0 and v0 are the same moment.
    const w0 = Date.now();
    const v0 = vnow();
    const wallAt = (v) => new Date(w0 + (v - v0) / scale);
    const vAt = (wall) => v0 + (wall - w0) * scale;
    const sessionId = kept ? kept.id : newId();
    const screeningId = kept ? kept.screening_id : screening;
    const startedWall = kept ? new Date(kept.started_at) : new Date(w0);
    const offsetAtStart = kept ? kept.offset : tzOffset(startedWall);
    const segs = response.timeline.map((slot) => ({
      item: slot.item === undefined ? null : slot.item,
      step: slot.step === undefined ? null : slot.step,
      phase: slot.phase,
      bout: slot.bout,
      of: slot.of,
      after: slot.after,
      work: Boolean(slot.work),
      // The technique's closing step (switch the device off, sit up slowly):
      // never work, and where a cap cut ends the technique's massage.
      closing:
        slot.item !== undefined && slot.item !== null
          ? Boolean(plan.items[slot.item].steps[slot.step].closing)
          : false,
      len: Math.max(0, Number(slot.seconds) || 0) * 1000,
    }));
    const used = plan.items.map(() => 0); // work ms per item
    const records = [];
    const stepOrder = [];
    for (const seg of segs) {
      const key = stepKey(seg);
      if (key !== null && !stepOrder.includes(key)) stepOrder.push(key);
    }

    const st = {
      cur: 0,
      running: false,
      paused: false,
      deadline: 0,
      remaining: 0,
      over: null, // 'completed' | 'stopped' | 'interrupted'
      endV: 0,
      stepStartV: 0,
      stepActive: 0,
      tenSecondsSaid: false,
      changed: [], // what happened since the last paint: for sound, voice, announcements
    };

    const capLeft = (item) => Math.max(0, plan.items[item].cap_seconds * 1000 - used[item]);
    const stepNumber = (seg) => stepOrder.indexOf(stepKey(seg)) + 1;

    function lastWhere(pred) {
      let last = st.cur;
      while (last + 1 < segs.length && segs[last + 1].item !== null && pred(segs[last + 1])) last += 1;
      return last;
    }

    function endStep(outcome, endV) {
      const seg = segs[st.cur];
      if (!seg || seg.item === null) return;
      const planned = plan.items[seg.item];
      records.push({
        technique: planned.technique,
        step_id: planned.steps[seg.step].id,
        started_at: wallAt(st.stepStartV).toISOString(),
        ended_at: wallAt(endV).toISOString(),
        active_seconds: Math.floor(st.stepActive / 1000),
        outcome,
      });
      st.changed.push({ kind: 'step-over', outcome, item: seg.item });
    }

    function finish(reason, atV) {
      st.over = reason;
      st.running = false;
      st.endV = atV;
      st.changed.push({ kind: 'over', reason });
    }

    /** Begin segment `index`; `carried` when a kept session carries on in the step it was in. */
    function enter(index, nowV, carried) {
      st.cur = index;
      st.tenSecondsSaid = false;
      if (index >= segs.length) {
        finish('completed', nowV);
        return;
      }
      const seg = segs[index];
      const prev = index > 0 ? stepKey(segs[index - 1]) : null;
      if (seg.item !== null) {
        // A step carried on keeps its start and the work already done in it.
        if (prev !== stepKey(seg) && !carried) {
          st.stepStartV = nowV;
          st.stepActive = 0;
          st.changed.push({ kind: 'step', seg });
        }
        if (seg.work) {
          const left = capLeft(seg.item);
          if (left <= 0) {
            cutAtLimit(seg.item, nowV);
            return;
          }
          seg.len = Math.min(seg.len, left);
        }
      }
      st.changed.push({ kind: 'segment', seg });
      if (st.paused) {
        st.remaining = seg.len;
      } else {
        st.running = true;
        st.deadline = nowV + seg.len;
      }
    }

    /** The cap ends the technique's massage: on to its closing step, or past it if it has none. */
    function cutAtLimit(item, nowV) {
      const last = lastWhere((s) => s.item === item);
      const resume = segs[last].closing ? last : last + 1;
      st.changed.push({ kind: 'limit', item, closing: segs[last].closing });
      endStep('cut_at_limit', nowV);
      for (let j = st.cur + 1; j < resume; j += 1) segs[j].len = 0;
      enter(resume, nowV);
    }

    function finishSegment(endV) {
      const seg = segs[st.cur];
      if (seg.item !== null && seg.work) {
        used[seg.item] += seg.len;
        st.stepActive += seg.len;
      }
      const next = segs[st.cur + 1];
      if (seg.item !== null && seg.work && capLeft(seg.item) <= 0 && next && next.item === seg.item) {
        cutAtLimit(seg.item, endV);
        return;
      }
      if (seg.item !== null && (!next || stepKey(next) !== stepKey(seg))) endStep('done', endV);
      enter(st.cur + 1, endV);
    }

    /** Shorten the current segment to what has run, and count its work. */
    function cutCurrent(nowV) {
      const seg = segs[st.cur];
      if (!seg) return;
      const remaining = st.paused ? st.remaining : Math.max(0, st.deadline - nowV);
      seg.len = Math.max(0, seg.len - remaining);
      if (seg.item !== null && seg.work) {
        used[seg.item] += seg.len;
        st.stepActive += seg.len;
      }
    }

    function poll(nowV) {
      while (!st.over && st.running && !st.paused && nowV >= st.deadline) finishSegment(st.deadline);
    }

    /** End the session at `nowV` for `reason`: the step under way ends as stopped. */
    function halt(reason, nowV) {
      poll(nowV);
      if (st.over) return;
      cutCurrent(nowV);
      endStep('stopped', nowV);
      for (let j = st.cur + 1; j < segs.length; j += 1) segs[j].len = 0;
      st.paused = false;
      finish(reason, nowV);
    }

    /** Where the session stands, as it is kept on this phone (RUN_VERSION). */
    function snapshot() {
      const now = vnow();
      const seg = segs[st.cur];
      const remaining = st.paused ? st.remaining : Math.max(0, st.deadline - now);
      return {
        version: RUN_VERSION,
        id: sessionId,
        screening_id: screeningId,
        offset: offsetAtStart,
        started_at: startedWall.toISOString(),
        saved_at: wallAt(now).toISOString(),
        response,
        pain_before: before.pain_before,
        region: before.region,
        cur: st.cur,
        into_ms: seg && !st.over ? Math.max(0, seg.len - remaining) : 0,
        lens_ms: segs.map((s) => s.len),
        used_ms: used.slice(),
        steps: records,
        step_started_at: wallAt(st.stepStartV).toISOString(),
        step_active_ms: st.stepActive,
        paused: st.paused,
        over: st.over,
        ended_at: st.over ? wallAt(st.endV).toISOString() : null,
      };
    }

    /** The session as the questions after it and the journal take it. */
    function result() {
      const usage = {};
      for (const r of records) usage[r.technique] = (usage[r.technique] || 0) + r.active_seconds;
      return {
        id: sessionId,
        screening_id: screeningId,
        started_at: startedWall.toISOString(),
        ended_at: wallAt(st.endV).toISOString(),
        status: st.over,
        stop_reason: STOP_REASONS[st.over] || null,
        plan,
        steps: records,
        usage,
        pain_before: before.pain_before,
        region: before.region,
        pack_version: plan.pack_version,
        offset: offsetAtStart,
      };
    }

    if (!kept) {
      enter(0, v0);
    } else {
      // Never lengthen a segment, whatever the kept copy says.
      kept.lens_ms.forEach((len, j) => {
        segs[j].len = Math.min(segs[j].len, Math.max(0, Number(len) || 0));
      });
      kept.used_ms.forEach((ms, i) => {
        used[i] = Math.max(0, Number(ms) || 0);
      });
      records.push(...kept.steps);
      st.stepStartV = vAt(Date.parse(kept.step_started_at));
      st.stepActive = Math.max(0, Number(kept.step_active_ms) || 0);
      if (kept.over) {
        st.cur = kept.cur;
        st.over = kept.over;
        st.endV = vAt(Date.parse(kept.ended_at));
      } else {
        const seg = segs[kept.cur];
        // The part of this segment done before the page went counts, and the segment runs again whole:
        // repeated work is limited by what its cap leaves.
        const into = seg.item !== null && seg.work ? Math.min(seg.len, Math.max(0, Number(kept.into_ms) || 0)) : 0;
        if (into > 0) used[seg.item] += into;
        st.stepActive += into;
        st.paused = true;
        enter(kept.cur, v0, true);
      }
    }

    return {
      plan,
      segs,
      st,
      used,
      stepOrder,
      stepNumber,
      resumed: Boolean(kept),
      vAt,
      enter,
      poll,
      cutCurrent,
      endStep,
      lastWhere,
      halt,
      snapshot,
      result,
    };
  }

  function runSession(t) {
    const { plan, segs, st, stepOrder, stepNumber, poll, enter, cutCurrent, endStep, lastWhere, halt } = t;

    // Commands ---------------------------------------------------------

    function togglePause() {
      if (st.over) return;
      const now = vnow();
      poll(now);
      if (st.over) return paint();
      if (st.paused) {
        st.paused = false;
        st.running = true;
        st.deadline = now + st.remaining;
        announce('Carrying on.');
      } else {
        st.remaining = Math.max(0, st.deadline - now);
        st.paused = true;
        st.running = false;
        announce('Paused. Press Resume when you are ready.');
      }
      keepRun(t);
      paint();
      schedule();
    }

    function skip() {
      if (st.over) return;
      const now = vnow();
      poll(now);
      if (st.over) return paint();
      cutCurrent(now);
      const seg = segs[st.cur];
      let last = st.cur;
      if (seg.item !== null) {
        const key = stepKey(seg);
        last = lastWhere((s) => stepKey(s) === key);
        endStep('skipped', now);
      }
      for (let j = st.cur + 1; j <= last; j += 1) segs[j].len = 0;
      if (st.paused) st.remaining = 0;
      st.running = false;
      enter(last + 1, now);
      paint();
      schedule();
    }

    function stop() {
      if (st.over) return;
      halt('stopped', vnow());
      paint();
    }

    // The screen -------------------------------------------------------

    const ui = {
      phase: h('p', { class: 'phase-label', id: 'phase-label' }),
      technique: h('h2', { class: 'technique-name', id: 'technique-name' }),
      stepCount: h('p', { class: 'step-count', id: 'step-count' }),
      instruction: h('p', { class: 'instruction', id: 'instruction' }),
      position: h('p', { class: 'position', id: 'position' }),
      ramp: h('p', { class: 'ramp-cue', id: 'ramp-cue', hidden: true }),
      limit: h('p', { class: 'notice', id: 'limit-note', hidden: true }),
      cues: h('ul', { class: 'cues', id: 'cues' }),
      timer: h('p', { class: 'timer', id: 'timer', role: 'timer', 'aria-live': 'off', 'aria-atomic': 'true' }),
      pausedNote: h('p', { class: 'paused-note', id: 'paused-note', hidden: true }, 'Paused. Press Resume when you are ready.'),
      stepBar: h('progress', { id: 'step-progress', max: '1000', value: '0' }),
      stepText: h('span', { class: 'bar-text', id: 'step-progress-text' }),
      sessionBar: h('progress', { id: 'session-progress', max: '1000', value: '0' }),
      sessionText: h('span', { class: 'bar-text', id: 'session-progress-text' }),
      next: h('p', { class: 'next', id: 'next' }),
      pause: h('button', { type: 'button', id: 'pause', class: 'control' }, 'Pause'),
      skip: h('button', { type: 'button', id: 'skip', class: 'control' }, 'Skip step'),
      stop: h('button', { type: 'button', id: 'stop', class: 'control danger' }, 'Stop'),
      confirmPanel: null,
    };

    const confirmYes = h('button', { type: 'button', id: 'stop-confirm', class: 'danger' }, 'Yes, stop now');
    const confirmNo = h('button', { type: 'button', id: 'stop-cancel' }, 'Keep going');
    const confirmText = h('p', { id: 'stop-question', class: 'confirm-question' }, 'Stop the session here? What you have done so far is kept.');
    ui.confirmPanel = h(
      'div',
      { class: 'confirm', id: 'stop-panel', role: 'group', 'aria-labelledby': 'stop-question', hidden: true },
      confirmText,
      h('div', { class: 'controls' }, confirmYes, confirmNo),
    );
    let pausedForConfirm = false;

    function openConfirm() {
      if (st.over) return;
      pausedForConfirm = !st.paused;
      if (pausedForConfirm) togglePause();
      ui.confirmPanel.hidden = false;
      confirmYes.focus();
    }

    function closeConfirm(resume) {
      ui.confirmPanel.hidden = true;
      if (resume && pausedForConfirm && st.paused) togglePause();
      pausedForConfirm = false;
      ui.stop.focus();
    }

    ui.pause.addEventListener('click', togglePause);
    ui.skip.addEventListener('click', skip);
    ui.stop.addEventListener('click', openConfirm);
    confirmYes.addEventListener('click', () => {
      ui.confirmPanel.hidden = true;
      stop();
    });
    confirmNo.addEventListener('click', () => closeConfirm(true));
    ui.confirmPanel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        closeConfirm(true);
      }
    });

    function onKey(e) {
      if (st.over || e.altKey || e.ctrlKey || e.metaKey) return;
      if (!ui.confirmPanel.hidden) return;
      const target = e.target;
      const typing = target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (typing) return;
      const onControl = target instanceof HTMLElement && /^(BUTTON|A|SUMMARY)$/.test(target.tagName);
      if ((e.key === ' ' || e.code === 'Space') && !onControl) {
        e.preventDefault();
        togglePause();
      } else if (e.key === 'n' || e.key === 'N') {
        e.preventDefault();
        skip();
      }
    }
    document.addEventListener('keydown', onKey);

    const playerEl = h(
      'section',
      { class: 'player', id: 'player', 'aria-labelledby': 'technique-name' },
      ui.phase,
      ui.technique,
      ui.stepCount,
      ui.instruction,
      ui.position,
      ui.ramp,
      ui.limit,
      ui.cues,
      ui.timer,
      ui.pausedNote,
      h(
        'div',
        { class: 'bars' },
        h('div', { class: 'bar' }, h('label', { for: 'step-progress' }, 'This step'), ui.stepBar, ui.stepText),
        h('div', { class: 'bar' }, h('label', { for: 'session-progress' }, 'Whole session'), ui.sessionBar, ui.sessionText),
      ),
      ui.next,
      h('div', { class: 'controls', role: 'group', 'aria-label': 'Session controls' }, ui.pause, ui.skip, ui.stop),
      ui.confirmPanel,
      h('p', { class: 'hint keys' }, 'Keyboard: space to pause or resume, N to skip a step.'),
      toggles,
      announcer,
    );
    root.replaceChildren(playerEl);

    let lastPainted = { key: null, second: '' };

    function setText(el, text) {
      if (el.textContent !== text) el.textContent = text;
    }

    function nextStepText() {
      const key = stepKey(segs[st.cur] || {});
      for (let j = st.cur + 1; j < segs.length; j += 1) {
        const s = segs[j];
        if (s.item === null || stepKey(s) === key) continue;
        if (s.len === 0 && s.work) continue;
        const item = plan.items[s.item];
        const current = segs[st.cur];
        const sameTechnique = current && current.item === s.item;
        return `Next: ${sameTechnique ? '' : `${item.name}. `}${item.steps[s.step].instruction}`;
      }
      return 'Next: that is the last step. Well done for getting this far.';
    }

    function describeSegment(seg) {
      // What the live region says when a segment begins.
      if (seg.item === null) return `Get ready. The first step starts in ${spoken(seg.len)}.`;
      const item = plan.items[seg.item];
      const step = item.steps[seg.step];
      if (seg.phase === 'rest') return `Rest for ${spoken(seg.len)}.`;
      const lead = seg.phase === 'bout' ? `Bout ${seg.bout} of ${seg.of}, ${spoken(seg.len)}. ` : `${spoken(seg.len)}. `;
      return `${item.name}. ${lead}${step.instruction}${step.ramp ? ' Start on the lowest setting.' : ''}`;
    }

    /** Sound, voice and the live region for what just happened. */
    function react() {
      const changes = st.changed;
      st.changed = [];
      if (!changes.length) return;
      chime();
      const limit = changes.filter((c) => c.kind === 'limit').pop();
      if (limit) {
        const name = plan.items[limit.item].name;
        ui.limit.textContent = limit.closing
          ? `${name} has reached its time limit for today, so the massage ends here. Finish with the last step.`
          : `${name} has reached its time limit for today, so it ends here.`;
        ui.limit.hidden = false;
      }
      const over = changes.find((c) => c.kind === 'over');
      if (over) return;
      const seg = segs[st.cur];
      if (!seg) return;
      const stepStarted = changes.some((c) => c.kind === 'step' && c.seg === seg);
      const stepNow = seg.item !== null ? plan.items[seg.item].steps[seg.step] : null;
      if (stepStarted && stepNow) {
        say(`${stepNow.instruction}${stepNow.ramp ? ' Start on the lowest setting.' : ''}`);
        if (!limit) ui.limit.hidden = true;
      } else if (seg.phase === 'rest') {
        say('Rest.');
      } else if (seg.phase === 'bout') {
        say(`Bout ${seg.bout} of ${seg.of}.`);
      } else if (seg.item === null) {
        say('Get ready.');
      }
      announce(`${limit ? ui.limit.textContent + ' ' : ''}${describeSegment(seg)}`);
    }

    function paint() {
      if (st.over) {
        react();
        end();
        return;
      }
      const now = vnow();
      const seg = segs[st.cur];
      const remaining = st.paused ? st.remaining : Math.max(0, st.deadline - now);
      const key = `${st.cur}`;
      if (lastPainted.key !== key) {
        lastPainted = { key, second: '' };
        keepRun(t);
        // A new segment: the words.
        if (seg.item === null) {
          const first = segs.find((s) => s.item !== null);
          const firstItem = first ? plan.items[first.item] : null;
          const firstStep = firstItem ? firstItem.steps[first.step] : null;
          setText(ui.phase, 'Get ready');
          setText(ui.technique, firstItem ? `First: ${firstItem.name}` : 'Get ready');
          setText(ui.stepCount, '');
          setText(ui.instruction, 'Put your phone where you can see or hear it, and get into position.');
          setText(ui.position, firstStep ? `Position: ${POSITIONS[firstStep.position] || firstStep.position}` : '');
          ui.ramp.hidden = true;
          ui.cues.replaceChildren();
          setText(ui.skip, 'Skip countdown');
        } else {
          const item = plan.items[seg.item];
          const step = item.steps[seg.step];
          const idx = stepNumber(seg);
          let phase = 'Step';
          if (seg.phase === 'bout') phase = `Bout ${seg.bout} of ${seg.of}`;
          if (seg.phase === 'rest') phase = `Rest (after bout ${seg.after} of ${seg.of})`;
          setText(ui.phase, phase);
          ui.phase.classList.toggle('is-rest', seg.phase === 'rest');
          setText(ui.technique, item.name);
          setText(ui.stepCount, `Step ${idx} of ${stepOrder.length}`);
          setText(
            ui.instruction,
            seg.phase === 'rest' ? `Rest now: ease off and breathe. Then: ${step.instruction}` : step.instruction,
          );
          setText(ui.position, `Position: ${POSITIONS[step.position] || step.position}`);
          ui.ramp.hidden = !step.ramp;
          if (step.ramp) setText(ui.ramp, 'Start on the lowest setting. Only turn it up later, if it feels good.');
          ui.cues.replaceChildren(...(step.cues || []).map((c) => h('li', {}, c)));
          setText(ui.skip, 'Skip step');
        }
        setText(ui.next, nextStepText());
      }
      setText(ui.pause, st.paused ? 'Resume' : 'Pause');
      ui.pause.setAttribute('aria-pressed', String(st.paused));
      playerEl.classList.toggle('is-paused', st.paused);
      ui.pausedNote.hidden = !st.paused;

      const second = Math.ceil(remaining / 1000 - 1e-6);
      const shown = `${second}:${st.paused}`;
      if (shown !== lastPainted.second) {
        lastPainted.second = shown;
        setText(ui.timer, mmss(remaining));
        ui.timer.setAttribute('aria-label', `${spoken(second * 1000)} left${st.paused ? ', paused' : ''}`);

        // Step progress: every segment of this step.
        const k = stepKey(seg);
        let stepTotal = 0;
        let stepDone = 0;
        segs.forEach((s, j) => {
          if (k === null ? j !== st.cur : stepKey(s) !== k) return;
          stepTotal += s.len;
          if (j < st.cur) stepDone += s.len;
        });
        stepDone += seg.len - remaining;
        const stepPermille = stepTotal > 0 ? Math.min(1000, Math.round((stepDone / stepTotal) * 1000)) : 1000;
        ui.stepBar.value = stepPermille;
        ui.stepBar.textContent = `${Math.round(stepPermille / 10)}%`;
        setText(ui.stepText, `${Math.round(stepPermille / 10)}%`);

        let total = 0;
        let done = 0;
        segs.forEach((s, j) => {
          total += s.len;
          if (j < st.cur) done += s.len;
        });
        done += seg.len - remaining;
        const permille = total > 0 ? Math.min(1000, Math.round((done / total) * 1000)) : 1000;
        ui.sessionBar.value = permille;
        ui.sessionBar.textContent = `${Math.round(permille / 10)}%`;
        setText(ui.sessionText, `${mmss(done)} of ${mmss(total)}`);
      }

      react();
      if (!st.paused && !st.tenSecondsSaid && seg.len >= 20000 && remaining <= 10000 && remaining > 0) {
        st.tenSecondsSaid = true;
        announce(seg.phase === 'rest' ? '10 seconds of rest left.' : '10 seconds left.');
      }
    }

    let timer = 0;

    function schedule() {
      clearTimeout(timer);
      if (st.over || st.paused) return;
      const untilDeadline = (st.deadline - vnow()) / scale;
      // Wake at the deadline, or to show the next second: never more than 250 ms apart.
      const untilSecond = (((st.deadline - vnow()) % 1000) + 1) / scale;
      const wait = Math.max(10, Math.min(250, untilDeadline + 2, untilSecond + 2));
      timer = setTimeout(tick, wait);
    }

    function tick() {
      if (st.over) return;
      poll(vnow());
      paint();
      schedule();
    }

    function end() {
      clearTimeout(timer);
      document.removeEventListener('keydown', onKey);
      releaseScreen();
      player = null;
      keepRun(t); // kept until saved: a reload during the questions comes back to them
      if (st.over === 'completed') say('That is the end of the session. Well done.');
      else say('Session stopped.');
      showAfter(t.result());
    }

    player = {
      tick,
      keep() {
        tick(); // up to this moment first (and on to the questions if the session is over)
        keepRun(t);
      },
    };
    holdScreen();
    if (t.resumed) {
      // Carrying on: the welcome below says where it stands; no chime or cue for a segment not running yet.
      st.changed = st.changed.filter((c) => c.kind === 'limit');
    }
    paint();
    if (st.over) return; // carried on with nothing left that the caps allow: on to the questions
    focusHeading(ui.technique); // the step's name in view; Resume is the next stop for the keyboard
    if (t.resumed) {
      const seg = segs[st.cur];
      const where = seg.item === null ? 'the countdown' : `step ${stepNumber(seg)} of ${stepOrder.length}`;
      const limit = ui.limit.hidden ? '' : `${ui.limit.textContent} `;
      announce(`Welcome back. You are at ${where}, paused. ${limit}${describeSegment(seg)} Press Resume when you are ready.`);
    }
    schedule();
  }

  // -------------------------------------------------------------------
  // Screen 3: after

  /**
   * The instruction that ends the technique a session was stopped in safely
   * (switch the massager off, sit up slowly), when that closing step did not
   * run: stop ends a session at once, so the device may still be running.
   */
  function closingLeftUndone(result) {
    const last = result.steps[result.steps.length - 1];
    if (result.status === 'completed' || !last) return null;
    const item = (result.plan.items || []).find((i) => i.technique === last.technique);
    const closing = item && (item.steps || []).find((s) => s.closing);
    if (!closing) return null;
    const ran = result.steps.some((s) => s.technique === last.technique && s.step_id === closing.id && s.outcome === 'done');
    return ran ? null : closing.instruction;
  }

  function showAfter(result) {
    const closing = closingLeftUndone(result);
    const heading = h(
      'h2',
      { class: 'screen-title', id: 'session-title' },
      result.status === 'completed' ? 'Session finished' : 'Session stopped',
    );
    const pain = painScale('pain-after', 'How much does your back hurt now?');
    const symptomBoxes = symptoms.map(([value, label]) =>
      h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'symptom', value, id: `symptom-${value}` }), ` ${label}`),
    );
    const noteCount = h('p', { class: 'hint', id: 'note-count', 'aria-live': 'off' }, '500 characters left.');
    const note = h('textarea', { id: 'note', name: 'note', maxlength: '500', rows: '3', 'aria-describedby': 'note-count' });
    note.addEventListener('input', () => {
      noteCount.textContent = `${500 - note.value.length} characters left.`;
    });
    const save = h('button', { type: 'button', class: 'primary big', id: 'save' }, 'Save the session');
    const saving = h('p', { id: 'save-status', role: 'status' });
    const form = h(
      'form',
      { class: 'stack', id: 'after-form', novalidate: true },
      pain.el,
      symptoms.length
        ? h(
            'fieldset',
            { class: 'question', id: 'symptoms-question' },
            h('legend', {}, 'Anything new since you started? Tick anything you notice now.'),
            symptomBoxes,
          )
        : null,
      h('label', { for: 'note', class: 'question-label' }, 'A note for yourself (optional)'),
      note,
      noteCount,
      save,
      saving,
    );
    form.addEventListener('submit', (e) => e.preventDefault());
    root.replaceChildren(
      heading,
      h(
        'p',
        {},
        result.status === 'completed'
          ? 'Nicely done. Take a moment, breathe, and then answer two short questions.'
          : 'That is fine: stopping when something does not feel right is the right thing to do. Two short questions, then you are done.',
      ),
      closing ? h('p', { class: 'notice', id: 'closing-first' }, h('strong', {}, 'First: '), closing) : null,
      form,
      announcer,
    );
    focusHeading(heading);
    announce(closing ? `${heading.textContent}. First: ${closing}` : heading.textContent);

    let busy = false;
    save.addEventListener('click', async () => {
      if (busy) return;
      if (pain.get() === null) {
        pain.complain('Please choose a number from 0 to 10 for how it feels now.');
        return;
      }
      busy = true;
      save.disabled = true;
      saving.textContent = 'Saving…';
      const ticked = Array.from(form.querySelectorAll('input[name="symptom"]:checked'), (b) => b.value);
      const text = note.value.trim().slice(0, 500);
      let advice = null;
      if (ticked.length) advice = await rescreen(ticked);
      const record = recordOf(result, pain.get(), text === '' ? null : text);
      const sent = await sendRecord(record, result.offset);
      showSummary(record, sent, advice);
    });
  }

  /** A timeline's result with the answers after it, as PUT /api/v1/sessions/{id} takes it. */
  function recordOf(result, painAfter, note) {
    return {
      id: result.id,
      screening_id: result.screening_id,
      started_at: result.started_at,
      ended_at: result.ended_at,
      status: result.status,
      stop_reason: result.stop_reason,
      plan: result.plan,
      steps: result.steps,
      usage: result.usage,
      pain_before: result.pain_before,
      pain_after: painAfter,
      region: result.region,
      note,
      pack_version: result.pack_version,
    };
  }

  async function sendRecord(record, minutes) {
    if (K.sendSession) return K.sendSession(record, minutes);
    try {
      const r = await fetch(`/api/v1/sessions/${record.id}?utc_offset_minutes=${minutes}`, {
        method: 'PUT',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf() },
        body: JSON.stringify(record),
      });
      if (r.ok) return { state: 'sent' };
      const p = await r.json().catch(() => null);
      return { state: 'rejected', problem: p, text: p ? `${p.title}: ${p.detail || ''}` : `Status ${r.status}` };
    } catch (_) {
      return { state: 'rejected', text: 'You seem to be offline, and this browser cannot keep the session for later.' };
    }
  }

  /**
   * New symptoms: screen again with them added to today's answers.
   * Resolves to {disposition, headline, reasons} worth showing, or null.
   */
  async function rescreen(ticked) {
    const offlineAdvice = {
      disposition: 'unknown',
      headline:
        'You noticed something new, and Knead could not check it with the server just now. Please do not massage again until you have talked to a doctor or nurse.',
      reasons: [
        'If you have chest pain or pressure, trouble breathing, sudden weakness or numbness in your legs, or new trouble controlling your bladder or bowels, call your local emergency number now.',
      ],
    };
    try {
      const list = await K.api('GET', '/api/v1/screenings');
      const original = list.ok && Array.isArray(list.body) ? list.body.find((s) => s.id === screening) : null;
      if (!original || !original.intake) return offlineAdvice;
      const intake = JSON.parse(JSON.stringify(original.intake));
      const all = new Set(Array.isArray(intake.symptoms) ? intake.symptoms : []);
      for (const s of ticked) all.add(s);
      intake.symptoms = Array.from(all).sort();
      // A clearance the person recorded goes with its answers (the API
      // takes `clinician_cleared` only with the clearance behind it).
      const again = { id: newId(), intake };
      if (original.clearance) again.clearance = original.clearance;
      const answer = await K.api('POST', '/api/v1/screenings', again);
      if (!answer.ok || !answer.body) return offlineAdvice;
      const d = answer.body.disposition;
      const res = answer.body.result || {};
      if (d === 'emergency' || d === 'urgent' || d === 'see_doctor_first') {
        return {
          disposition: d,
          headline: res.headline || '',
          reasons: Array.isArray(res.reasons) ? res.reasons.map((r) => r.message).filter(Boolean) : [],
        };
      }
      return null;
    } catch (_) {
      return offlineAdvice;
    }
  }

  // -------------------------------------------------------------------
  // Screen 4: summary

  function adviceBlock(advice) {
    const titles = {
      emergency: 'Call emergency services now',
      urgent: 'Get medical advice today',
      see_doctor_first: 'See a doctor before your next session',
      unknown: 'Please check this with a doctor',
    };
    const emergency = advice.disposition === 'emergency';
    return h(
      'section',
      {
        class: `advice advice-${advice.disposition}`,
        id: 'advice',
        role: emergency ? 'alert' : null,
        'aria-labelledby': 'advice-title',
      },
      h('h2', { id: 'advice-title' }, titles[advice.disposition] || titles.unknown),
      emergency
        ? h(
            'p',
            { class: 'advice-call' },
            'Call your local emergency number now (for example 911, 999 or 112). Do not drive yourself. Do not massage.',
          )
        : null,
      advice.headline ? h('p', { class: 'headline' }, advice.headline) : null,
      advice.reasons.length ? h('ul', {}, advice.reasons.map((r) => h('li', {}, r))) : null,
    );
  }

  function showSummary(record, sent, advice) {
    const heading = h('h2', { class: 'screen-title', id: 'session-title' }, 'Your session');
    let savedText;
    let savedClass = 'notice';
    if (sent.state === 'sent') {
      savedText = 'Saved to your journal.';
    } else if (sent.state === 'queued') {
      savedText =
        sent.reason === 'signed-out'
          ? 'Saved on this phone. Sign in again and it will be sent.'
          : 'Saved on this phone; it will be sent when you are back online.';
    } else {
      savedClass = 'problem';
      savedText = `The server did not accept this session: ${sent.text || 'no reason given'}. A copy stays on this phone.`;
    }
    const counts = { done: 0, skipped: 0, cut_at_limit: 0, stopped: 0 };
    for (const s of record.steps) counts[s.outcome] = (counts[s.outcome] || 0) + 1;
    const minutes = Object.entries(record.usage).map(([technique, seconds]) => {
      const item = record.plan.items.find((i) => i.technique === technique);
      return h('li', {}, `${item ? item.name : technique}: ${spoken(seconds * 1000)}`);
    });
    const change = record.pain_after - record.pain_before;
    let changeText = 'Your pain is the same as before.';
    if (change < 0) changeText = `Your pain went down by ${-change} point${change === -1 ? '' : 's'}.`;
    if (change > 0) changeText = `Your pain went up by ${change} point${change === 1 ? '' : 's'}. If it stays higher, give your back a rest and consider talking to a clinician.`;
    const parts = [
      advice ? adviceBlock(advice) : null,
      heading,
      h('p', { class: savedClass, id: 'saved', role: 'status' }, savedText),
      h(
        'dl',
        { class: 'summary', id: 'summary' },
        h('dt', {}, 'How it ended'),
        h('dd', {}, record.status === 'completed' ? 'Finished' : 'Stopped early'),
        h('dt', {}, 'Pain'),
        h('dd', {}, `${record.pain_before} before, ${record.pain_after} after. ${changeText}`),
        h('dt', {}, 'Steps'),
        h(
          'dd',
          {},
          [
            `${counts.done} done`,
            counts.skipped ? `${counts.skipped} skipped` : null,
            counts.cut_at_limit ? `${counts.cut_at_limit} ended at the time limit` : null,
            counts.stopped ? `${counts.stopped} stopped` : null,
          ]
            .filter(Boolean)
            .join(', '),
        ),
      ),
      minutes.length ? h('h3', {}, 'Time with each technique') : null,
      minutes.length ? h('ul', { id: 'usage' }, minutes) : null,
      h(
        'ul',
        { class: 'links' },
        h('li', {}, h('a', { href: '/history', id: 'go-history' }, 'See your sessions')),
        h('li', {}, h('a', { href: '/progress', id: 'go-progress' }, 'See how your pain is changing')),
      ),
      announcer,
    ];
    replace(...parts);
    store(planKey, null); // this plan is used; a new session asks for a new one
    store(RUN_KEY, null); // the session is kept (journal, outbox or refused list): nothing is left to carry on
    const first = advice ? document.getElementById('advice-title') : heading;
    focusHeading(first);
  }

  // -------------------------------------------------------------------
  // Coming back to a session kept on this phone

  /**
   * Screen 1, after a reload mid-session: carry on, or end it here. There is
   * no fresh start from here: a new plan would not know the work already
   * done. Carrying on comes back paused, at the start of the segment that
   * was running, with that work counted against the caps; ending it here
   * keeps what was done, as a stopped session, then asks the questions.
   */
  function showResumeOffer(kept) {
    const t = timeline(kept.response, kept, kept);
    const seg = t.segs[t.st.cur];
    const item = seg && seg.item !== null ? t.plan.items[seg.item] : null;
    const done = t.used.reduce((sum, ms) => sum + ms, 0);
    const since = new Date(kept.started_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const heading = h('h2', { class: 'screen-title', id: 'session-title' }, 'Welcome back');
    const carryOn = h('button', { type: 'button', class: 'primary big', id: 'resume-session' }, 'Carry on where you left off');
    const endIt = h('button', { type: 'button', class: 'big', id: 'end-session' }, 'End it here');
    carryOn.addEventListener('click', () => {
      audioContext(); // unlock sound inside the click
      runSession(t);
    });
    endIt.addEventListener('click', () => {
      // Ended when the page went, not now: the time away was not a session.
      t.halt('stopped', t.vAt(Date.parse(kept.saved_at)));
      keepRun(t);
      showAfter(t.result());
    });
    replace(
      heading,
      h(
        'section',
        { class: 'resume-offer', id: 'resume-offer', 'aria-labelledby': 'session-title' },
        h('p', {}, `The session you started at ${since} is not finished yet.`),
        h(
          'p',
          { id: 'resume-where' },
          item
            ? `You were at step ${t.stepNumber(seg)} of ${t.stepOrder.length}: ${item.name}.`
            : 'You were getting ready for the first step.',
        ),
        done > 0
          ? h('p', { id: 'resume-done' }, `Massage so far: ${spoken(done)}. This counts toward today’s limits whatever you choose.`)
          : null,
        h('div', { class: 'resume-choices' }, carryOn, endIt),
        h(
          'p',
          { class: 'hint' },
          'Carrying on starts paused, at the beginning of the part you were in. Ending it here keeps what you did, and then asks two short questions.',
        ),
      ),
      announcer,
    );
    focusHeading(heading);
    announce('Welcome back. Your session is not finished. You can carry on where you left off, or end it here.');
  }

  /** Whether a screening is this person's; null when the server cannot be asked. */
  async function ownsScreening(id) {
    try {
      const list = await K.api('GET', '/api/v1/screenings');
      return list.ok && Array.isArray(list.body) ? list.body.some((s) => s.id === id) : null;
    } catch (_) {
      return null;
    }
  }

  /**
   * A kept session that is not offered to carry on: this person's, started
   * too long ago or on an earlier screening. It is saved as it stands, as
   * interrupted with what was done (the way the terminal keeps a session
   * whose program died), through the same path as any session, the outbox
   * when offline; and before a new plan is asked for, so that its work
   * counts toward today's limits. Resolves to what sending said, or null
   * when it is left alone: another person's on a shared phone, or one whose
   * owner cannot be checked offline, stays for its owner.
   */
  async function closeKept(kept) {
    if (kept.screening_id !== screening && (await ownsScreening(kept.screening_id)) !== true) return null;
    const t = timeline(kept.response, kept, kept);
    t.halt('interrupted', t.vAt(Date.parse(kept.saved_at))); // nothing to do when only the questions were left
    const sent = await sendRecord(recordOf(t.result(), null, null), kept.offset);
    store(RUN_KEY, null);
    store(`${PLAN_PREFIX}${kept.screening_id}`, null); // its plan is used, as after any session
    return sent;
  }

  /** What became of a session closeKept saved, in plain words. */
  function closedNotice(sent) {
    const how =
      {
        sent: 'It is saved in your journal now, with what you did.',
        queued: 'It is kept on this phone with what you did, and will be sent when you are back online.',
      }[sent.state] || `It could not be added to your journal (${sent.text || 'no reason given'}). A copy stays on this phone.`;
    return h('p', { class: 'notice', id: 'earlier-session' }, `Your last session on this phone was not saved at the end. ${how}`);
  }

  // -------------------------------------------------------------------
  // Start

  async function begin() {
    if (!screening) {
      showPlanProblem({ title: 'Something is missing', detail: 'This page was opened without a screening.' }, 404);
      return;
    }
    const kept = keptRun();
    if (kept && kept.screening_id === screening && Date.now() - Date.parse(kept.started_at) < RESUMABLE_MS) {
      if (kept.over) showAfter(timeline(kept.response, kept, kept).result());
      else showResumeOffer(kept);
      return;
    }
    showLoading();
    const closed = kept ? await closeKept(kept) : null;
    const notice = closed ? closedNotice(closed) : null;
    const got = await fetchPlan();
    if (got.problem) {
      showPlanProblem(got.problem, got.status, notice);
      return;
    }
    planResponse = got.response;
    if (!planResponse.plan.items || planResponse.plan.items.length === 0) {
      showPlanProblem({ title: 'No session fits today', detail: 'Nothing in the plan can be done today.' }, 409, notice);
      return;
    }
    showBefore(Boolean(got.offline), notice);
  }

  begin();
})();
