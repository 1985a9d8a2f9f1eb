// The service worker of Buurtbrug (docs/offline.md). The server serves it
// at /sw.js with VERSION (the static files' content version) and PRECACHE
// (their versioned URLs) filled in above.
//
// What it keeps:
// - bb-static-<VERSION>: CSS, JS, icons and the manifest (no personal data);
// - bb-user: the offline form (/contacts/new/shell: the organisation's form
//   in the worker's language, no personal data) and the reference lists.
//   The page fills it after each online visit; logging out deletes it.
// Nothing else: pages and API answers hold personal data and are never
// cached (the server sends them with Cache-Control: no-store).

/* global VERSION, PRECACHE */
const STATIC_CACHE = 'bb-static-' + VERSION;
const USER_CACHE = 'bb-user';
const SHELL = '/contacts/new/shell';
const REFERENCE = '/api/v1/reference';
// How long the contact form with ?resident= waits for the network before
// it opens from the cache: one bar of signal should not mean a blank screen.
const NAV_TIMEOUT = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(STATIC_CACHE).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('bb-static-') && key !== STATIC_CACHE) await caches.delete(key);
    }
    await self.clients.claim();
    // A form kept by the last version names that version's files.
    const shell = await cachedShell();
    if (shell && !(await shell.text()).includes('/static/v' + VERSION + '/')) await refreshShell();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    event.respondWith(navigate(event, url));
  } else if (url.pathname.startsWith('/static/v')) {
    event.respondWith(staticFile(req, url));
  } else if (url.pathname === REFERENCE) {
    event.respondWith(reference(req));
  }
  // Everything else goes to the network untouched.
});

async function cachedShell() {
  const cache = await caches.open(USER_CACHE);
  return cache.match(SHELL);
}

// navigate: the contact form opens from the cache when it is there (the
// app shell: at once, whatever the network; its script fetches the session's
// token and sends the outbox). With ?resident= it needs the server. Other
// pages come from the network; offline, they lead to the form, the one page
// that works offline, which says which page could not open.
async function navigate(event, url) {
  const shell = await cachedShell();
  if (url.pathname === '/contacts/new') {
    if (shell && !url.search) return shell;
    try {
      return await withTimeout(fetch(event.request), shell ? NAV_TIMEOUT : 0);
    } catch (err) {
      if (shell) return shell;
      throw err;
    }
  }
  let res;
  try {
    res = await fetch(event.request);
  } catch (err) {
    // The form says which page needs the network (contact.js, offlinePage).
    if (shell) return Response.redirect('/contacts/new#offline=' + encodeURIComponent(url.pathname), 303);
    throw err;
  }
  if (url.pathname.startsWith('/lang/')) {
    // A new language (the cookie is set now): the form follows it first.
    await refreshShell();
  } else if (url.pathname === '/login' && res.ok) {
    // The login form, online: whoever logs in next gets a fresh copy of
    // their own organisation's form.
    await caches.delete(USER_CACHE);
  }
  return res;
}

function withTimeout(promise, ms) {
  if (!ms) return promise;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

// refreshShell fetches the form for the logged-in worker (with the session
// cookie). Without a session the answer is a redirect to /login, not
// followed: loading the login page would renew its anti-forgery cookie under
// a login form that is open in a tab.
async function refreshShell() {
  try {
    const res = await fetch(SHELL, { credentials: 'same-origin', redirect: 'manual' });
    if (res.ok) await (await caches.open(USER_CACHE)).put(SHELL, res);
  } catch { /* offline: keep what we have */ }
}

// staticFile: versioned files never change, so the cache answers first. A
// page from an older version asks for files of that version: the current
// ones stand in for them offline.
async function staticFile(req, url) {
  const hit = await caches.match(req);
  if (hit) return hit;
  try {
    return await fetch(req);
  } catch (err) {
    const name = url.pathname.split('/').slice(3).join('/');
    const current = await caches.match('/static/v' + VERSION + '/' + name);
    if (current) return current;
    throw err;
  }
}

// reference: the network first (lists change), the cache offline.
async function reference(req) {
  const cache = await caches.open(USER_CACHE);
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put(REFERENCE, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(REFERENCE);
    if (hit) return hit;
    throw err;
  }
}
