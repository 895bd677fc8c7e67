// Knead: small helpers for every page.
//
// - registers the service worker (/sw.js, scope /)
// - sends sessions kept on this phone while offline (the outbox), on load and
//   when the connection comes back, and says in #sync-status what is waiting
// - fills <input type="hidden" name="utc_offset_minutes"> with this device's offset
// - tells the server this device's time zone in the knead_tz cookie
// - asks before submitting a <form data-confirm="question">
// - turns notices on this device on and off (Web Push, on the account page)
//
// It also offers window.Knead, used by session.js: csrf(), offset(), uuid(),
// api(), sendSession(), flushOutbox().
//
// No inline script, no eval, no external resources (the CSP forbids them).
'use strict';

(() => {
  const OUTBOX = 'knead-outbox';
  const REJECTED = 'knead-rejected';
  const PLAN_PREFIX = 'knead-plan:';
  // A guided session under way, kept so a reload can carry on (session.js).
  const RUN_KEY = 'knead-current-session';

  // ---------------------------------------------------------------------
  // Small utilities

  /** The sign-in's anti-forgery token, or '' when signed out. */
  function csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') || '' : '';
  }

  /** Minutes east of UTC, as the API's utc_offset_minutes wants it. */
  function offset(at) {
    const d = at instanceof Date ? at : new Date();
    const minutes = -d.getTimezoneOffset();
    return minutes === 0 ? 0 : minutes; // never -0
  }

  /** A UUID v7 (time-ordered), made here so a retry is never a second record. */
  function uuid() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    let ms = Date.now();
    for (let i = 5; i >= 0; i -= 1) {
      bytes[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x70; // version 7
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function readMap(key) {
    try {
      const value = JSON.parse(localStorage.getItem(key) || '{}');
      return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
    } catch (_) {
      return {};
    }
  }

  function writeMap(key, map) {
    try {
      if (Object.keys(map).length === 0) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(map));
      return true;
    } catch (_) {
      return false; // storage full or blocked
    }
  }

  /**
   * Call the API with JSON. Resolves to {ok, status, body} for any HTTP answer
   * (body: parsed JSON, or null); rejects only when the network failed.
   */
  async function api(method, url, body) {
    const headers = { Accept: 'application/json, application/problem+json' };
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf();
    const response = await fetch(url, init);
    let parsed = null;
    const text = await response.text().catch(() => '');
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch (_) {
        parsed = null;
      }
    }
    return { ok: response.ok, status: response.status, body: parsed };
  }

  /** A problem-details body in one line of plain words. */
  function problemText(problem, status) {
    if (problem && (problem.title || problem.detail)) {
      return [problem.title, problem.detail].filter(Boolean).join(': ');
    }
    return `The server answered with status ${status}.`;
  }

  /** Whether an answer means "try again later" rather than "this will never work". */
  function worthRetrying(status) {
    // 401: signed out (send after signing in); 403: an old anti-forgery token;
    // 408, 425, 429 and 5xx: the server is busy or away for now.
    return status === 401 || status === 403 || status === 408 || status === 425 || status === 429 || status >= 500;
  }

  // ---------------------------------------------------------------------
  // The outbox: whole sessions kept on this phone until the server has them.

  function sessionUrl(id, minutes) {
    return `/api/v1/sessions/${encodeURIComponent(id)}?utc_offset_minutes=${minutes}`;
  }

  function queue(record, minutes) {
    const box = readMap(OUTBOX);
    box[record.id] = { url: sessionUrl(record.id, minutes), body: JSON.stringify(record), queued_at: new Date().toISOString() };
    return writeMap(OUTBOX, box);
  }

  function reject(id, entry, problem, status) {
    const rejected = readMap(REJECTED);
    rejected[id] = { ...entry, status, problem: problem || null, rejected_at: new Date().toISOString() };
    writeMap(REJECTED, rejected);
    const box = readMap(OUTBOX);
    delete box[id];
    writeMap(OUTBOX, box);
  }

  function unqueue(id) {
    const box = readMap(OUTBOX);
    delete box[id];
    writeMap(OUTBOX, box);
  }

  /**
   * Send one finished session. Resolves to
   *   {state: 'sent'}                       the server has it
   *   {state: 'queued', reason}             kept on this phone, sent later
   *   {state: 'rejected', problem, text}    the server refused it (kept under knead-rejected)
   */
  async function sendSession(record, minutes) {
    const url = sessionUrl(record.id, minutes);
    const body = JSON.stringify(record);
    const entry = { url, body, queued_at: new Date().toISOString() };
    if (navigator.onLine === false) {
      queue(record, minutes);
      showStatus();
      return { state: 'queued', reason: 'offline' };
    }
    let answer;
    try {
      answer = await api('PUT', url, body);
    } catch (_) {
      queue(record, minutes);
      showStatus();
      return { state: 'queued', reason: 'offline' };
    }
    if (answer.ok) {
      unqueue(record.id);
      showStatus();
      return { state: 'sent' };
    }
    if (worthRetrying(answer.status)) {
      queue(record, minutes);
      showStatus();
      return { state: 'queued', reason: answer.status === 401 ? 'signed-out' : 'server', problem: answer.body };
    }
    reject(record.id, entry, answer.body, answer.status);
    showStatus();
    return { state: 'rejected', problem: answer.body, text: problemText(answer.body, answer.status) };
  }

  let flushing = null;
  let lastProblem = '';

  /** Send everything in the outbox, one by one (the same PUT, the same id). */
  function flushOutbox() {
    if (flushing) return flushing;
    flushing = (async () => {
      if (!csrf()) return; // signed out: wait for a page of a signed-in person
      const box = readMap(OUTBOX);
      for (const [id, entry] of Object.entries(box)) {
        if (!entry || typeof entry.url !== 'string' || typeof entry.body !== 'string') continue;
        let answer;
        try {
          answer = await api('PUT', entry.url, entry.body);
        } catch (_) {
          break; // still offline: try again later
        }
        if (answer.ok) {
          unqueue(id);
        } else if (!worthRetrying(answer.status)) {
          reject(id, entry, answer.body, answer.status);
          lastProblem = problemText(answer.body, answer.status);
        } else if (answer.status === 401 || answer.status >= 500) {
          break; // nothing else will get through now either
        }
      }
    })().finally(() => {
      flushing = null;
      showStatus();
    });
    return flushing;
  }

  // ---------------------------------------------------------------------
  // The status line

  function statusElement() {
    let el = document.getElementById('sync-status');
    if (!el) {
      el = document.createElement('p');
      el.id = 'sync-status';
      el.className = 'sync-status';
      el.setAttribute('role', 'status');
      el.setAttribute('aria-live', 'polite');
      const main = document.querySelector('main') || document.body;
      main.parentNode.insertBefore(el, main);
    }
    return el;
  }

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
  }

  function showStatus() {
    const waiting = Object.keys(readMap(OUTBOX)).length;
    const rejected = Object.keys(readMap(REJECTED)).length;
    const parts = [];
    if (waiting > 0) {
      parts.push(
        `${plural(waiting, 'session is', 'sessions are')} saved on this phone and waiting to be sent.` +
          (navigator.onLine === false ? ' They will go when you are back online.' : ''),
      );
    }
    if (rejected > 0) {
      parts.push(
        `${plural(rejected, 'session', 'sessions')} could not be added to your journal` +
          (lastProblem ? ` (${lastProblem})` : '') +
          '. A copy stays on this phone.',
      );
    }
    const text = parts.join(' ');
    const el = document.getElementById('sync-status') || (text ? statusElement() : null);
    if (!el) return;
    if (el.textContent !== text) el.textContent = text;
    el.hidden = text === '';
  }

  // ---------------------------------------------------------------------
  // Forms

  function fillOffsets() {
    for (const input of document.querySelectorAll('input[type="hidden"][name="utc_offset_minutes"]')) {
      input.value = String(offset());
    }
  }

  function onSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    fillOffsets();
    const question = form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    const action = new URL(form.action, location.href);
    if (action.origin === location.origin && action.pathname === '/signout') {
      const waiting = Object.keys(readMap(OUTBOX)).length;
      const running = (() => {
        try {
          return localStorage.getItem(RUN_KEY) !== null;
        } catch (_) {
          return false;
        }
      })();
      const warnings = [];
      if (waiting > 0) {
        warnings.push(
          `${plural(waiting, 'session has', 'sessions have')} not reached the server yet. ` +
            'They stay on this phone and are sent the next time you sign in.',
        );
      }
      if (running) warnings.push('A session is still under way here; signing out ends it without saving it.');
      if (warnings.length > 0 && !window.confirm(`${warnings.join(' ')} Sign out anyway?`)) {
        event.preventDefault();
        return;
      }
      forgetSignedInCopies();
    }
  }

  /** After sign-out, nothing of this person's pages or plans stays readable offline. */
  function forgetSignedInCopies() {
    try {
      for (let i = localStorage.length - 1; i >= 0; i -= 1) {
        const key = localStorage.key(i);
        if (key && (key.startsWith(PLAN_PREFIX) || key === RUN_KEY)) localStorage.removeItem(key);
      }
    } catch (_) {
      /* storage blocked */
    }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: 'signed-out' });
    }
    // Notices for whoever signed out stop on this device: the push service
    // then tells the server the device is gone.
    pushSubscription()
      .then((s) => s && s.unsubscribe())
      .catch(() => undefined);
  }

  // ---------------------------------------------------------------------
  // Notices on this device (Web Push)

  function pushSupported() {
    return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  }

  async function pushSubscription() {
    if (!pushSupported()) return null;
    const registration = await navigator.serviceWorker.getRegistration('/');
    return registration ? registration.pushManager.getSubscription() : null;
  }

  /** The base64url key the server gave, as the bytes subscribe() wants. */
  function keyBytes(base64url) {
    const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
    const text = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(text, (c) => c.charCodeAt(0));
  }

  async function setupPush(section) {
    const status = section.querySelector('#push-status');
    const toggle = section.querySelector('#push-toggle');
    const say = (text) => {
      status.textContent = text;
    };
    if (!pushSupported()) {
      say('This browser cannot show notices from Knead. E-mail notices work everywhere.');
      return;
    }
    const show = async () => {
      const on = Boolean(await pushSubscription().catch(() => null));
      if (Notification.permission === 'denied') {
        say('Notifications from this site are blocked in the browser settings.');
        toggle.hidden = true;
        return;
      }
      say(on ? 'Notices are on for this device.' : 'Notices are off for this device.');
      toggle.textContent = on ? 'Turn off notices here' : 'Turn on notices here';
      toggle.hidden = false;
    };
    toggle.addEventListener('click', async () => {
      toggle.disabled = true;
      try {
        const current = await pushSubscription();
        if (current) {
          await api('DELETE', '/api/v1/me/devices', { endpoint: current.endpoint });
          await current.unsubscribe();
        } else if ((await Notification.requestPermission()) === 'granted') {
          const registration = await navigator.serviceWorker.ready;
          const subscription = await registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(section.dataset.key),
          });
          const answer = await api('POST', '/api/v1/me/devices', subscription.toJSON());
          if (!answer.ok) {
            await subscription.unsubscribe();
            say(problemText(answer.body, answer.status));
            return;
          }
        }
        await show();
      } catch (_) {
        say('This device could not be set up for notices. Try again later, or use e-mail notices.');
      } finally {
        toggle.disabled = false;
      }
    });
    await show();
  }

  // ---------------------------------------------------------------------
  // The time zone

  const ZONE_COOKIE = 'knead_tz';

  /**
   * Keep this device's IANA time zone (e.g. Europe/Berlin) in a cookie, so
   * the pages show times and days as they are here. Not a secret, so not
   * HttpOnly. Set only when missing or different; the page already shown
   * stays as it is (no reload): the next one follows the zone.
   */
  function rememberZone() {
    let zone = '';
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
    } catch (_) {
      return; // no Intl: the pages stay in UTC and say so
    }
    if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(zone)) return;
    const pair = `${ZONE_COOKIE}=${zone}`;
    if (document.cookie.split(';').some((c) => c.trim() === pair)) return;
    const secure = location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = `${pair}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
  }

  // ---------------------------------------------------------------------
  // Start

  function registerWorker() {
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      /* no offline support here (e.g. not https): everything else still works */
    });
  }

  window.Knead = Object.freeze({
    csrf,
    offset,
    uuid,
    api,
    problemText,
    sendSession,
    flushOutbox,
    showStatus,
    PLAN_PREFIX,
    RUN_KEY,
  });

  function start() {
    // A page the server drew for someone signed out (the sign-in ended on
    // another device, ran out, or was ended by the operator): whatever this
    // device kept of the last person's pages and plans goes now, as it does
    // when they sign out here.
    if (document.querySelector('[data-signed-out]')) forgetSignedInCopies();
    rememberZone();
    fillOffsets();
    document.addEventListener('submit', onSubmit);
    showStatus();
    registerWorker();
    const pushSection = document.getElementById('push-section');
    if (pushSection) setupPush(pushSection);
    flushOutbox();
    window.addEventListener('online', () => flushOutbox());
    window.addEventListener('offline', showStatus);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
