// Knead: the guided session player.
//
// Builds the whole session inside #session (a server-rendered, empty element):
//   1. before: pain now (0-10, required) and where it hurts (optional)
//   2. the plan, from POST /api/v1/plans (kept on this phone for an offline reload)
//   3. the timeline, run by engine.js (window.KneadEngine): knead-core's
//      session rules, ported and held to them by a conformance corpus (see
//      engine.js). This file only plays what the engine emits: the words,
//      the chime, the voice, the timer, the bars; pause, +30 s, skip and stop
//      go to the engine as commands. Where the session stands is kept on this
//      phone, so that a reload offers to carry on (paused, the work already
//      done still counted against the caps) or to end it there, and never
//      starts it again
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
  /**
   * A session control: a symbol from the app's icon set (static/icons/ui,
   * drawn as a mask in the text's colour) over a short label, which is also
   * its name for a screen reader.
   */
  function control(id, icon, label, kind) {
    return h(
      'button',
      { type: 'button', id, class: `control${kind ? ` ${kind}` : ''}` },
      h('span', { class: `icon icon-${icon}`, 'aria-hidden': 'true' }),
      h('span', { class: 'control-label' }, label),
    );
  }

  /** Change a control's symbol and label (Pause ↔ Resume). */
  function setControl(button, icon, label) {
    const [symbol, text] = button.children;
    symbol.className = `icon icon-${icon}`;
    if (text.textContent !== label) text.textContent = label;
  }

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
    if (problem.type === '/problems/read-messages-first') {
      extra = h('p', {}, h('a', { class: 'button primary', href: '/#unread', id: 'go-read' }, 'Read the message'));
    } else if (status === 409) {
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
  /** Why a session the page ended (see closeKept) stopped; the engine says why for the rest. */
  const INTERRUPTED = 'the page was left before the session ended';

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
   * One session: knead-core's rules as engine.js runs them (see its header),
   * on this page's clock, with what the journal needs around them: wall-clock
   * times for the record, the answers before, and a copy kept on this phone.
   * The player plays it; a session kept on this phone is rebuilt with it, to
   * carry on or to end.
   *
   * `before` is {pain_before, region}. `kept`, when given, is a session kept
   * by snapshot(): it comes back paused at the start of the segment that was
   * running, with the work already done counted (engine.js's restore()).
   */
  function timeline(response, before, kept) {
    const plan = response.plan;
    const Engine = window.KneadEngine;
    // The engine's clock: whole virtual milliseconds.
    const now = () => Math.floor(vnow());
    // Virtual time for the engine, wall-clock time in the record: w0 and v0 are the same moment.
    const w0 = Date.now();
    const v0 = now();
    const wallAt = (v) => new Date(w0 + (v - v0) / scale);
    const vAt = (wall) => Math.floor(v0 + (wall - w0) * scale);
    const sessionId = kept ? kept.id : newId();
    const screeningId = kept ? kept.screening_id : screening;
    const startedWall = kept ? new Date(kept.started_at) : new Date(w0);
    const offsetAtStart = kept ? kept.offset : tzOffset(startedWall);
    // The steps recorded before a reload, already in wall-clock time.
    const keptSteps = kept ? kept.steps : [];
    const origin = kept ? vAt(startedWall.getTime()) : v0;
    const { session, events } = kept
      ? Engine.restore(
          plan,
          response.timeline,
          {
            ...kept,
            step_started_ms: vAt(Date.parse(kept.step_started_at)) - origin,
            ended_ms: kept.over ? vAt(Date.parse(kept.ended_at)) - origin : 0,
          },
          origin,
          v0,
        )
      : Engine.start(plan, response.timeline, v0);
    // 'interrupted' when the page ended it (see closeKept); else the engine says how it ended.
    let endedAs = null;
    const stepOrder = [];
    for (const slot of response.timeline) {
      const key = slot.item === null || slot.item === undefined ? null : `${slot.item}:${slot.step}`;
      if (key !== null && !stepOrder.includes(key)) stepOrder.push(key);
    }
    /** Which step `at` ([item, step]) is, from 1. */
    const stepNumber = (at) => stepOrder.indexOf(`${at[0]}:${at[1]}`) + 1;

    /** Every step recorded so far, as the journal takes it. */
    function steps() {
      const at = (ms) => wallAt(origin + ms).toISOString();
      return keptSteps.concat(
        session.records().map((r) => ({
          technique: r.technique,
          step_id: r.step_id,
          started_at: at(r.started_ms),
          ended_at: at(r.ended_ms),
          active_seconds: Math.floor(r.active_ms / 1000),
          outcome: r.outcome,
        })),
      );
    }

    /** End the session at `atV` for `reason` (the step under way ends as stopped); returns the events. */
    function halt(reason, atV) {
      if (session.ended()) return [];
      const ended = session.command({ command: 'stop' }, atV);
      if (session.ended() === 'stopped') endedAs = reason;
      return ended;
    }

    /** Where the session stands, as it is kept on this phone (RUN_VERSION). */
    function snapshot() {
      const at = now();
      const s = session.snapshot(at);
      return {
        version: RUN_VERSION,
        id: sessionId,
        screening_id: screeningId,
        offset: offsetAtStart,
        started_at: startedWall.toISOString(),
        saved_at: wallAt(at).toISOString(),
        response,
        pain_before: before.pain_before,
        region: before.region,
        cur: s.cur,
        into_ms: s.into_ms,
        lens_ms: s.lens_ms,
        used_ms: s.used_ms,
        steps: steps(),
        step_started_at: wallAt(origin + s.step_started_ms).toISOString(),
        step_active_ms: s.step_active_ms,
        paused: s.paused,
        over: s.over,
        ended_at: s.over ? wallAt(origin + s.ended_ms).toISOString() : null,
      };
    }

    /** The session as the questions after it and the journal take it. */
    function result() {
      const records = steps();
      const usage = {};
      for (const r of records) usage[r.technique] = (usage[r.technique] || 0) + r.active_seconds;
      const outcome = session.outcome();
      return {
        id: sessionId,
        screening_id: screeningId,
        started_at: startedWall.toISOString(),
        ended_at: wallAt(origin + session.endedMs()).toISOString(),
        status: endedAs || outcome.status,
        stop_reason: endedAs === 'interrupted' ? INTERRUPTED : outcome.stop_reason,
        // Whether its pain change is the massage's effect (not with every step skipped).
        counts: outcome.counts,
        too_short: outcome.reason === 'too_short',
        plan,
        steps: records,
        usage,
        pain_before: before.pain_before,
        region: before.region,
        pack_version: plan.pack_version,
        offset: offsetAtStart,
      };
    }

    return { plan, session, events, now, stepOrder, stepNumber, resumed: Boolean(kept), vAt, halt, snapshot, result };
  }

  function runSession(t) {
    const { plan, session, now, stepOrder, stepNumber } = t;
    const stepAt = (at) => plan.items[at[0]].steps[at[1]];
    const itemOf = (technique) => plan.items.find((i) => i.technique === technique);

    // Commands ---------------------------------------------------------

    /**
     * Poll up to now, then act on `command` at the same moment: what came
     * due first is played apart from what the command did (a cap that cut
     * the step, or the +30 s asked for).
     */
    function act(command) {
      if (session.ended()) return;
      const at = now();
      play(session.poll(at));
      if (!session.ended()) play(session.command(command, at), command);
      keepRun(t);
      paint();
      schedule();
    }

    const togglePause = () => act({ command: 'toggle_pause' });
    const skip = () => act({ command: 'skip' });
    const moreTime = () => act({ command: 'extend', seconds: 30 });

    function stop() {
      play(t.halt('stopped', now()));
      paint();
    }

    // The screen -------------------------------------------------------

    const ui = {
      phase: h('p', { class: 'phase-label', id: 'phase-label' }),
      technique: h('h2', { class: 'technique-name', id: 'technique-name' }),
      stepCount: h('p', { class: 'step-count', id: 'step-count' }),
      // The step's figure from the content pack; its alt text says what it shows.
      figure: h('img', { class: 'figure step-figure', id: 'step-figure', alt: '', width: '240', height: '200', hidden: true }),
      // Focusable: a long instruction scrolls within itself on a small screen.
      instruction: h('p', { class: 'instruction', id: 'instruction', tabindex: '0' }),
      position: h('p', { class: 'position', id: 'position' }),
      ramp: h('p', { class: 'ramp-cue', id: 'ramp-cue', hidden: true }),
      limit: h('p', { class: 'notice', id: 'limit-note', hidden: true }),
      // This segment's news: halfway, time added, a limit that refused more.
      note: h('p', { class: 'notice', id: 'time-note', hidden: true }),
      cues: h('ul', { class: 'cues', id: 'cues' }),
      timer: h('p', { class: 'timer', id: 'timer', role: 'timer', 'aria-live': 'off', 'aria-atomic': 'true' }),
      pausedNote: h('p', { class: 'paused-note', id: 'paused-note', hidden: true }, 'Paused. Press Resume when you are ready.'),
      stepBar: h('progress', { id: 'step-progress', max: '1000', value: '0' }),
      stepText: h('span', { class: 'bar-text', id: 'step-progress-text' }),
      sessionBar: h('progress', { id: 'session-progress', max: '1000', value: '0' }),
      sessionText: h('span', { class: 'bar-text', id: 'session-progress-text' }),
      next: h('p', { class: 'next', id: 'next' }),
      pause: control('pause', 'pause', 'Pause'),
      more: control('more-time', 'plus', '30 s more'),
      skip: control('skip', 'skip-forward', 'Next step'),
      stop: control('stop', 'square', 'Stop', 'danger'),
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
    const paused = () => session.view(now()).paused;

    function openConfirm() {
      if (session.ended()) return;
      pausedForConfirm = !paused();
      if (pausedForConfirm) togglePause();
      ui.confirmPanel.hidden = false;
      confirmYes.focus();
    }

    function closeConfirm(resume) {
      ui.confirmPanel.hidden = true;
      if (resume && pausedForConfirm && paused()) togglePause();
      pausedForConfirm = false;
      ui.stop.focus();
    }

    ui.pause.addEventListener('click', togglePause);
    ui.more.addEventListener('click', moreTime);
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
      if (session.ended() || e.altKey || e.ctrlKey || e.metaKey) return;
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
      } else if (e.key === '+' || e.key === '=') {
        e.preventDefault();
        moreTime();
      }
    }
    document.addEventListener('keydown', onKey);

    // On a phone the player is the whole screen (see `.in-session` in
    // style.css): the figure, the step, the timer and the controls stay in
    // view, and what else there is to read scrolls in the middle.
    const playerEl = h(
      'section',
      { class: 'player', id: 'player', 'aria-labelledby': 'technique-name' },
      h('div', { class: 'player-head' }, ui.phase, ui.technique, ui.stepCount),
      ui.figure,
      ui.instruction,
      h(
        'div',
        { class: 'player-more', id: 'player-more' },
        ui.ramp,
        ui.limit,
        ui.note,
        ui.position,
        ui.cues,
        ui.next,
        h('p', { class: 'hint keys' }, 'Keyboard: space to pause or resume, N to skip a step, + for 30 seconds more.'),
        toggles,
      ),
      h('div', { class: 'player-time' }, ui.timer, ui.pausedNote),
      h(
        'div',
        { class: 'bars' },
        h('div', { class: 'bar' }, h('label', { for: 'step-progress' }, 'This step'), ui.stepBar, ui.stepText),
        h('div', { class: 'bar' }, h('label', { for: 'session-progress' }, 'Whole session'), ui.sessionBar, ui.sessionText),
      ),
      h('div', { class: 'controls', role: 'group', 'aria-label': 'Session controls' }, ui.pause, ui.more, ui.skip, ui.stop),
      ui.confirmPanel,
      announcer,
    );
    root.replaceChildren(playerEl);
    document.body.classList.add('in-session');

    let lastPainted = { key: null, second: '', tenSecondsSaid: false };

    /** Show `step`'s figure (a pack file, served under the site's root), or none. */
    function showFigure(step) {
      const figure = step && step.figure;
      ui.figure.hidden = !figure;
      if (!figure) return;
      const src = `/${figure.file}`;
      if (ui.figure.getAttribute('src') !== src) ui.figure.setAttribute('src', src);
      ui.figure.setAttribute('alt', figure.alt);
    }

    function setText(el, text) {
      if (el.textContent !== text) el.textContent = text;
    }

    function nextStepText(view) {
      if (!view.next) return 'Next: that is the last step. Well done for getting this far.';
      const item = plan.items[view.next[0]];
      const sameTechnique = view.at !== null && view.at[0] === view.next[0];
      return `Next: ${sameTechnique ? '' : `${item.name}. `}${stepAt(view.next).instruction}`;
    }

    function describeSegment(view) {
      // What the live region says when a segment begins.
      const len = spoken(view.segment_ms);
      if (view.at === null) return `Get ready. The first step starts in ${len}.`;
      const item = plan.items[view.at[0]];
      const step = stepAt(view.at);
      const { phase, bout, of } = view.phase;
      if (phase === 'rest') return `Rest for ${len}.`;
      const lead = phase === 'bout' ? `Bout ${bout} of ${of}, ${len}. ` : `${len}. `;
      return `${item.name}. ${lead}${step.instruction}${step.ramp ? ' Start on the lowest setting.' : ''}`;
    }

    /** Why more time was refused, in words. */
    function refused(limit) {
      if (limit.limit === 'bout') return `A bout lasts at most ${spoken(limit.seconds * 1000)}.`;
      if (limit.limit === 'step') return `This step lasts at most ${spoken(limit.seconds * 1000)}.`;
      const item = itemOf(limit.technique);
      return `${item.name} can have no more time in this session (${minutesText(limit.seconds)} at most).`;
    }

    function showNote(text) {
      ui.note.textContent = text;
      ui.note.hidden = false;
    }

    /**
     * Sound, voice, notes and the live region for the engine's events.
     * `command` is what the person asked for, if they asked.
     */
    function play(events, command) {
      const asked = command && command.command;
      if (!events.length) {
        if (asked === 'extend') {
          showNote('More time only works during a step or a bout.');
          announce(ui.note.textContent);
        }
        return;
      }
      const said = [];
      let began = false;
      let halfway = false;
      let cut = null;
      for (const e of events) {
        if (['get_ready', 'step_started', 'bout_started', 'rest_started'].includes(e.event)) began = true;
        else if (e.event === 'halfway') halfway = true;
        else if (e.event === 'paused') said.push('Paused. Press Resume when you are ready.');
        else if (e.event === 'resumed') said.push('Carrying on.');
        else if (e.event === 'extended') said.push(`${spoken(e.seconds * 1000)} added.`);
        else if (e.event === 'limit_reached' && asked === 'extend') said.push(refused(e));
        else if (e.event === 'limit_reached') cut = e;
      }
      if (session.ended()) return; // the end speaks for itself
      if (cut) {
        const item = itemOf(cut.technique);
        ui.limit.textContent = item.steps.some((s) => s.closing)
          ? `${item.name} has reached its time limit for today, so the massage ends here. Finish with the last step.`
          : `${item.name} has reached its time limit for today, so it ends here.`;
        ui.limit.hidden = false;
      }
      if (asked === 'extend') showNote(said.join(' '));
      const view = session.view(now());
      if (began) {
        chime();
        const stepBegan = events.some((e) => e.event === 'step_started' && view.at && e.item === view.at[0] && e.step === view.at[1]);
        const { phase, bout, of } = view.phase;
        if (stepBegan) {
          const step = stepAt(view.at);
          say(`${step.instruction}${step.ramp ? ' Start on the lowest setting.' : ''}`);
          if (!cut) ui.limit.hidden = true;
        } else if (phase === 'rest') {
          say('Rest.');
        } else if (phase === 'bout') {
          say(`Bout ${bout} of ${of}.`);
        } else if (view.at === null) {
          say('Get ready.');
        }
        announce(`${cut ? `${ui.limit.textContent} ` : ''}${describeSegment(view)}`);
      } else if (halfway) {
        chime();
        say('Halfway.');
        showNote('Halfway.');
        announce('Halfway.');
      } else if (cut || said.length) {
        if (cut) chime();
        announce([cut ? ui.limit.textContent : null, ...said].filter(Boolean).join(' '));
      }
    }

    function paint() {
      if (session.ended()) {
        end();
        return;
      }
      const view = session.view(now());
      const key = JSON.stringify([view.at, view.phase]);
      if (lastPainted.key !== key) {
        lastPainted = { key, second: '', tenSecondsSaid: false };
        keepRun(t);
        // A new segment: the words.
        ui.note.hidden = true;
        if (view.at === null) {
          const first = view.next ? plan.items[view.next[0]] : null;
          const firstStep = view.next ? stepAt(view.next) : null;
          setText(ui.phase, 'Get ready');
          setText(ui.technique, first ? `First: ${first.name}` : 'Get ready');
          setText(ui.stepCount, '');
          setText(ui.instruction, 'Put your phone where you can see or hear it, and get into position.');
          setText(ui.position, firstStep ? `Position: ${POSITIONS[firstStep.position] || firstStep.position}` : '');
          showFigure(firstStep);
          ui.ramp.hidden = true;
          ui.cues.replaceChildren();
          setControl(ui.skip, 'skip-forward', 'Start now');
        } else {
          const item = plan.items[view.at[0]];
          const step = stepAt(view.at);
          const { phase: kind, bout, of, after } = view.phase;
          let phase = 'Step';
          if (kind === 'bout') phase = `Bout ${bout} of ${of}`;
          if (kind === 'rest') phase = `Rest (after bout ${after} of ${of})`;
          setText(ui.phase, phase);
          ui.phase.classList.toggle('is-rest', kind === 'rest');
          setText(ui.technique, item.name);
          setText(ui.stepCount, `Step ${stepNumber(view.at)} of ${stepOrder.length}`);
          setText(ui.instruction, kind === 'rest' ? `Rest now: ease off and breathe. Then: ${step.instruction}` : step.instruction);
          setText(ui.position, `Position: ${POSITIONS[step.position] || step.position}`);
          showFigure(step);
          ui.ramp.hidden = !step.ramp;
          if (step.ramp) setText(ui.ramp, 'Start on the lowest setting. Only turn it up later, if it feels good.');
          ui.cues.replaceChildren(...(step.cues || []).map((c) => h('li', {}, c)));
          setControl(ui.skip, 'skip-forward', 'Next step');
        }
        setText(ui.next, nextStepText(view));
      }
      setControl(ui.pause, view.paused ? 'play' : 'pause', view.paused ? 'Resume' : 'Pause');
      ui.pause.setAttribute('aria-pressed', String(view.paused));
      playerEl.classList.toggle('is-paused', view.paused);
      ui.pausedNote.hidden = !view.paused;

      const remaining = view.remaining_ms;
      const second = Math.ceil(remaining / 1000 - 1e-6);
      // Time added changes the whole session's length: repaint then too.
      const shown = `${second}:${view.paused}:${view.session_ms}`;
      if (shown !== lastPainted.second) {
        lastPainted.second = shown;
        setText(ui.timer, mmss(remaining));
        ui.timer.setAttribute('aria-label', `${spoken(second * 1000)} left${view.paused ? ', paused' : ''}`);
        ui.stepBar.value = view.step_permille;
        ui.stepBar.textContent = `${Math.round(view.step_permille / 10)}%`;
        setText(ui.stepText, `${Math.round(view.step_permille / 10)}%`);
        ui.sessionBar.value = view.session_permille;
        ui.sessionBar.textContent = `${Math.round(view.session_permille / 10)}%`;
        setText(ui.sessionText, `${mmss(view.session_done_ms)} of ${mmss(view.session_ms)}`);
      }

      if (!view.paused && !lastPainted.tenSecondsSaid && view.segment_ms >= 20000 && remaining <= 10000 && remaining > 0) {
        lastPainted.tenSecondsSaid = true;
        announce(view.phase.phase === 'rest' ? '10 seconds of rest left.' : '10 seconds left.');
      }
    }

    let timer = 0;

    function schedule() {
      clearTimeout(timer);
      const view = session.view(now());
      if (session.ended() || view.paused) return;
      const untilDeadline = view.remaining_ms / scale;
      // Wake at the deadline, or to show the next second: never more than 250 ms apart.
      const untilSecond = ((view.remaining_ms % 1000) + 1) / scale;
      const wait = Math.max(10, Math.min(250, untilDeadline + 2, untilSecond + 2));
      timer = setTimeout(tick, wait);
    }

    function tick() {
      if (session.ended()) return;
      play(session.poll(now()));
      paint();
      schedule();
    }

    function end() {
      clearTimeout(timer);
      document.removeEventListener('keydown', onKey);
      document.body.classList.remove('in-session');
      releaseScreen();
      player = null;
      keepRun(t); // kept until saved: a reload during the questions comes back to them
      const reason = session.ended();
      if (reason === 'completed') say('That is the end of the session. Well done.');
      else if (reason === 'too_short') say('That is the end, with too little massage to count as a session.');
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
    // Carrying on: the welcome below says where it stands; no chime or cue for a segment not running yet.
    play(t.resumed ? t.events.filter((e) => e.event === 'limit_reached') : t.events);
    paint();
    if (session.ended()) return; // carried on with nothing left that the caps allow: on to the questions
    focusHeading(ui.technique); // the step's name in view; Resume is the next stop for the keyboard
    if (t.resumed) {
      const view = session.view(now());
      const where = view.at === null ? 'the countdown' : `step ${stepNumber(view.at)} of ${stepOrder.length}`;
      const limit = ui.limit.hidden ? '' : `${ui.limit.textContent} `;
      announce(`Welcome back. You are at ${where}, paused. ${limit}${describeSegment(view)} Press Resume when you are ready.`);
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

  /** The heading of the screens after a session: how it ended. */
  function endedTitle(result) {
    if (result.status === 'completed') return 'Session finished';
    return result.too_short ? 'Session over, not counted' : 'Session stopped';
  }

  /** A word on how the session ended, before the questions. */
  function endedWords(result) {
    if (result.status === 'completed') return 'Nicely done. Take a moment, breathe, and then answer two short questions.';
    if (result.too_short) {
      return 'Most of it was skipped, so it is kept as stopped early and its pain change is not counted as the massage working. Two short questions all the same: how you feel still matters.';
    }
    return 'That is fine: stopping when something does not feel right is the right thing to do. Two short questions, then you are done.';
  }

  function showAfter(result) {
    const closing = closingLeftUndone(result);
    const heading = h('h2', { class: 'screen-title', id: 'session-title' }, endedTitle(result));
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
    replace(
      heading,
      h('p', { id: 'ended-words' }, endedWords(result)),
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
      showSummary(record, sent, advice, result);
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

  /** `result`: the session as it ended (whether it counts, why it stopped). */
  function showSummary(record, sent, advice, result) {
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
    // With too little massage, a change is not the massage's doing: say so rather than credit it.
    if (!result.counts) changeText = change > 0 ? 'Too little massage to judge an effect, but your pain is higher: if it stays so, give your back a rest and consider talking to a clinician.' : 'Too little massage to count, so no change is shown.';
    const parts = [
      advice ? adviceBlock(advice) : null,
      heading,
      h('p', { class: savedClass, id: 'saved', role: 'status' }, savedText),
      h(
        'dl',
        { class: 'summary', id: 'summary' },
        h('dt', {}, 'How it ended'),
        h('dd', { id: 'how-it-ended' }, record.status === 'completed' ? 'Finished' : 'Stopped early'),
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
    const standing = t.session.snapshot(t.now());
    const at = t.session.view(t.now()).at;
    const item = at ? t.plan.items[at[0]] : null;
    const done = standing.used_ms.reduce((sum, ms) => sum + ms, 0);
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
            ? `You were at step ${t.stepNumber(at)} of ${t.stepOrder.length}: ${item.name}.`
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
