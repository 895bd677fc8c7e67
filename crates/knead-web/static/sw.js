// Knead's service worker, served from /sw.js so that its scope is the whole app.
//
// - /static/* and the step figures (/figures/*): from the cache first
//   (refreshed in the background, so a new release shows on the next visit);
//   bump VERSION to drop old copies at once. A figure seen once online (on
//   the plan) is there for a session offline.
// - pages (/, /session, /plan, /history, /progress): from the network first,
//   a cached copy when offline, else a short offline page.
// - /api/*: never cached, never touched: the session page keeps its own copy
//   of the plan and an outbox of unsent sessions (see session.js and app.js).
'use strict';

const VERSION = 'v12';
const STATIC_CACHE = `knead-static-${VERSION}`;
const PAGE_CACHE = `knead-pages-${VERSION}`;
const PRECACHE = [
  '/static/style.css',
  '/static/app.js',
  '/static/engine.js',
  '/static/session.js',
  '/static/manifest.webmanifest',
  '/static/icons/icon-192.png',
  '/static/icons/icon-512.png',
  '/static/icons/icon-maskable-512.png',
  '/static/icons/ui/pause.svg',
  '/static/icons/ui/play.svg',
  '/static/icons/ui/skip-forward.svg',
  '/static/icons/ui/plus.svg',
  '/static/icons/ui/square.svg',
  '/static/icons/ui/phone.svg',
];
const PAGES = new Set(['/', '/session', '/plan', '/history', '/progress']);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(STATIC_CACHE)
      // One by one, so that one missing file does not stop the rest.
      .then((cache) => Promise.all(PRECACHE.map((url) => cache.add(url).catch(() => undefined))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith('knead-') && key !== STATIC_CACHE && key !== PAGE_CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

// After sign-out nobody's pages stay readable offline on this device.
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'signed-out') {
    event.waitUntil(caches.delete(PAGE_CACHE));
  }
});

function cacheable(response) {
  return response && response.ok && response.type === 'basic' && !response.redirected;
}

async function fromStatic(event) {
  const cache = await caches.open(STATIC_CACHE);
  const cached = await cache.match(event.request);
  const fresh = fetch(event.request)
    .then((response) => {
      if (cacheable(response)) return cache.put(event.request, response.clone()).then(() => response);
      return response;
    })
    .catch(() => undefined);
  if (cached) {
    event.waitUntil(fresh);
    return cached;
  }
  const response = await fresh;
  return response || new Response('', { status: 504, statusText: 'Offline' });
}

async function fromNetworkFirst(request) {
  const cache = await caches.open(PAGE_CACHE);
  try {
    const response = await fetch(request);
    if (cacheable(response)) await cache.put(request, response.clone());
    return response;
  } catch (_) {
    const cached = await cache.match(request);
    return cached || offlinePage();
  }
}

async function offlineNavigation(request) {
  try {
    return await fetch(request);
  } catch (_) {
    return offlinePage();
  }
}

function offlinePage() {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Offline · Knead</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<main id="content">
<h1>You are offline</h1>
<p>This page is not saved on this phone yet. Check your connection and try again.</p>
<p>Sessions you finished while offline are kept on this phone and sent when you are back online.</p>
<p><a href="/">Back to the start</a></p>
</main>
</body>
</html>`;
  return new Response(html, {
    status: 503,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return;
  if (url.pathname.startsWith('/static/') || url.pathname.startsWith('/figures/')) {
    event.respondWith(fromStatic(event));
  } else if (request.mode === 'navigate' && PAGES.has(url.pathname)) {
    event.respondWith(fromNetworkFirst(request));
  } else if (request.mode === 'navigate') {
    event.respondWith(offlineNavigation(request));
  }
});
