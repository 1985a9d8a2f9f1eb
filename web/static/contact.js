// The "Nieuw contact" form and its outbox (docs/offline.md).
//
// collect() turns the form into a job (plain JSON data). Saving puts the job
// in the outbox in IndexedDB first, then sync() sends the outbox in order;
// send(job) is the only step that talks to the server: a new resident first,
// then the contact. A job carries the contact's UUID and a new resident's
// UUID, both made here, so sending it again — after a lost answer, an
// interrupted connection, a reload — never creates anything twice.
// What the server refuses (4xx) stays in the outbox with its message until
// the worker fixes it; a lost network or an expired session keeps it too.

import { outbox, meta, USER_CACHE, SHELL_URL, REFERENCE_URL } from './store.js';
import * as matches from './newresident.js';

const $ = (id) => document.getElementById(id);
const form = $('contact-form');
const msg = form.dataset; // messages in the page language, rendered by the server
const box = $('outbox');
const om = box.dataset;
const TZ = 'Europe/Amsterdam';
const SEND_TIMEOUT = 20000; // one request; then the connection counts as lost
const FIRST_RETRY = 2000; // backoff: 2 s, 4 s, 8 s … at most 5 minutes
const MAX_RETRY = 5 * 60000;
const state = {
  id: uuid(), residentId: uuid(), seq: 0, busy: false, timeTouched: false,
  editing: null, // the outbox item loaded into the form
  owner: msg.user || '', // whose outbox: from the page, or (offline form) the device
  net: 'checking', retryAt: 0, lastSync: 0, auth: false, ready: false,
};

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // randomUUID needs a secure context
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const wallFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const pad = (n) => String(n).padStart(2, '0');

// wall: the Amsterdam clock at an instant; offset: its UTC offset in minutes.
function wall(date) {
  const p = {};
  for (const { type, value } of wallFmt.formatToParts(date)) p[type] = value;
  return p;
}

function offset(ms) {
  const p = wall(new Date(ms));
  return (Date.UTC(+p.year, p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000) / 60000;
}

// localValue: a datetime-local value in Amsterdam ("2025-03-12T11:00").
export function localValue(date) {
  const p = wall(date);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// rfc3339: "2025-03-12T11:00" in Amsterdam → "2025-03-12T11:00:00+01:00".
export function rfc3339(value) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(value);
  if (!m) return value;
  const guess = Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5]);
  const off = offset(guess - offset(guess) * 60000);
  const a = Math.abs(off);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

// collect: { contact, resident, label } — resident { input, id, done } only
// for a new one; label names the resident for the outbox list.
export function collect() {
  const fd = new FormData(form);
  const when = state.timeTouched ? $('occurred_at').value : localValue(new Date());
  const contact = {
    id: state.id,
    programme: fd.get('programme') || '',
    occurred_at: when ? rfc3339(when) : '',
    neighbourhood: fd.get('neighbourhood') || '',
    kind: fd.get('kind') || '',
    topics: fd.getAll('topics'),
    outcomes: fd.getAll('outcomes'),
    note: fd.get('note') || '',
  };
  const job = { contact, resident: null, label: '' };
  const mode = fd.get('resident_mode');
  if (mode === 'anonymous') {
    contact.anonymous = true;
  } else if (mode === 'new') {
    const input = { neighbourhood: contact.neighbourhood };
    for (const f of ['given_name', 'family_name', 'birth_date', 'phone']) input[f] = (fd.get(f) || '').trim();
    const year = (fd.get('birth_year') || '').trim();
    if (year) input.birth_year = /^\d{1,4}$/.test(year) ? Number(year) : year; // the server names a wrong one
    job.resident = { input, id: state.residentId, done: false };
    job.label = `${input.given_name} ${input.family_name}`.trim();
  } else if (fd.get('resident_id')) {
    contact.resident_id = fd.get('resident_id');
    job.label = $('resident-chosen-name').textContent;
  }
  return job;
}

// check: what is plainly missing (the server checks everything again).
function check(job) {
  const errors = {};
  for (const group of form.querySelectorAll('[data-required]')) {
    if (!group.querySelector('input:checked')) errors[group.dataset.field] = group.dataset.required;
  }
  if (!job.contact.anonymous && !job.resident && !job.contact.resident_id) errors.resident_id = msg.msgChooseResident;
  // The server refuses a contact older than its window; offline that would
  // come out later, away from the resident: say it now.
  const at = Date.parse(job.contact.occurred_at);
  if (at < Date.now() - msg.windowDays * 864e5) errors.occurred_at = msg.msgTooOld;
  else if (at > Date.now() + 10 * 60000) errors.occurred_at = msg.msgFuture;
  return errors;
}

// send: a new resident first (once: the server knows its id), then the
// contact. Never throws; resolves to { ok, status, body, error, stage }.
export async function send(job) {
  if (job.resident && !job.resident.done) {
    const r = await post('/api/v1/residents', { id: job.resident.id, ...job.resident.input });
    if (!r.ok) return { ...r, stage: 'resident' };
    job.resident.done = true;
  }
  if (job.resident) job.contact.resident_id = job.resident.id;
  return { ...(await post('/api/v1/contacts', job.contact)), stage: 'contact' };
}

// The CSRF token: in the page, or — for the offline form, which has none —
// from /api/v1/me, which also tells whether the session is still ours.
let csrf = document.querySelector('meta[name="csrf-token"]').content || '';

async function token() {
  if (csrf) return csrf;
  const res = await fetch('/api/v1/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (res.status === 401) return null;
  if (!res.ok) throw new Error(`me: ${res.status}`);
  const me = await res.json();
  if (!state.owner) await setOwner(me.user.username);
  if (me.user.username !== state.owner) return null; // someone else is logged in: not their outbox
  csrf = me.csrf_token;
  return csrf;
}

async function post(url, body, again = false) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), SEND_TIMEOUT);
  try {
    const tok = await token();
    if (tok === null) return { ok: false, status: 401, body: null, error: null };
    const res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      signal: ctl.signal,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': tok },
      body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => null);
    if (res.status === 403 && !again) {
      csrf = ''; // a token from an earlier session: fetch the current one once
      return post(url, body, true);
    }
    return { ok: res.ok, status: res.status, body: data, error: data && data.error };
  } catch {
    return { ok: false, status: 0, body: null, error: null }; // no network, or no answer in time
  } finally {
    clearTimeout(timer);
  }
}

// outcome: what a send means for the outbox.
function outcome(res) {
  if (res.ok) return 'sent';
  if (res.status === 401) return 'auth';
  if (res.status === 0 || res.status === 408 || res.status === 429 || res.status >= 500) return 'retry';
  return 'rejected'; // the server refused this contact: the worker decides
}

// ---- the outbox ----

let syncing = null;
let attempt = 0;
let retryTimer = 0;
const outcomes = new Map(); // item id → { kind, res } of its last send
const sendingNow = new Set();

// sync sends the waiting items in order, one sync at a time (across tabs
// too, where the browser has Web Locks).
function sync() {
  if (!syncing) {
    const run = () => syncOnce();
    syncing = (navigator.locks ? navigator.locks.request('buurtbrug-outbox', run) : run())
      .catch(() => {}).finally(() => { syncing = null; });
  }
  return syncing;
}

async function syncOnce() {
  clearTimeout(retryTimer);
  if (!state.owner) return;
  const todo = (await outbox.all(state.owner)).filter((i) => i.state !== 'rejected' && i.id !== state.editing);
  if (!todo.length) return;
  setNet('syncing');
  let stop = '';
  for (const item of todo) {
    sendingNow.add(item.id);
    await render();
    const res = await send(item.job);
    sendingNow.delete(item.id);
    const kind = outcome(res);
    outcomes.set(item.id, { kind, res });
    item.attempts = (item.attempts || 0) + 1;
    if (kind === 'sent') {
      await outbox.del(item.id);
      state.lastSync = Date.now();
      await meta.set('lastSync', state.lastSync);
      continue;
    }
    if (kind === 'rejected') {
      const e = res.error || {};
      item.state = 'rejected';
      item.error = { status: res.status, stage: res.stage, message: e.message || msg.msgError, fields: e.fields || {} };
      await outbox.put(item);
      continue; // the next one may well pass
    }
    item.state = kind === 'auth' ? 'auth' : 'waiting';
    await outbox.put(item); // keeps the progress: a registered resident is not posted again
    stop = kind;
    break;
  }
  state.auth = stop === 'auth';
  attempt = stop === 'retry' ? attempt + 1 : 0;
  if (stop === 'retry') schedule();
  else state.retryAt = 0;
  setNet(stop === 'retry' ? 'unreachable' : stop === 'auth' ? 'auth' : 'online');
  await render();
}

// schedule the next try with exponential backoff (and some jitter, so a
// room full of tablets does not knock at once).
function schedule() {
  clearTimeout(retryTimer);
  if (!navigator.onLine) { state.retryAt = 0; return; } // the online event comes first
  const delay = Math.min(MAX_RETRY, FIRST_RETRY * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
  state.retryAt = Date.now() + delay;
  retryTimer = setTimeout(sync, delay);
}

addEventListener('online', () => { attempt = 0; setNet('online'); sync(); });
addEventListener('offline', () => { clearTimeout(retryTimer); state.retryAt = 0; setNet('offline'); });
document.addEventListener('visibilitychange', () => { if (!document.hidden && navigator.onLine) sync(); });

const timeFmt = () => new Intl.DateTimeFormat(document.documentElement.lang || 'nl', {
  timeZone: TZ, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
});

function setNet(net) {
  if (!navigator.onLine) net = 'offline';
  state.net = net;
  const el = $('net');
  el.dataset.state = net;
  const text = {
    online: om.msgOnline, offline: om.msgOffline, syncing: om.msgSyncing, auth: om.msgAuth,
    unreachable: om.msgUnreachable.replace('{0}', state.retryAt
      ? new Intl.DateTimeFormat(document.documentElement.lang || 'nl', { timeZone: TZ, hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(state.retryAt)
      : '…'),
  }[net];
  if (text && $('net-text').textContent !== text) $('net-text').textContent = text;
  $('last-sync').textContent = state.lastSync ? om.msgLastSync.replace('{0}', timeFmt().format(state.lastSync)) : om.msgNever;
  // The strip above the form keeps its size whatever it says: a tap meant
  // for a chip must not land on another one because a line came or went.
  $('net-login').classList.toggle('invisible', net !== 'auth');
  $('offline-ready').classList.toggle('invisible', !state.ready);
}

// Labels for the list, in the page language: the reference lists (the
// service worker keeps them for offline use), else the form's own chips.
let labels = null;

// loadLabels reads the reference lists (from the network, or offline from
// the service worker's cache) and, given a cache, keeps them there: the
// page may not be under the service worker's control yet on a first visit.
async function loadLabels(cache) {
  try {
    const res = await fetch(REFERENCE_URL, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!res.ok) return;
    if (cache) await cache.put(REFERENCE_URL, res.clone());
    const ref = await res.json();
    const en = document.documentElement.lang === 'en';
    labels = {};
    for (const list of ['topics', 'kinds']) {
      labels[list] = {};
      for (const t of ref[list] || []) labels[list][t.slug] = (en && t.name_en) || t.name_nl;
    }
    await render();
  } catch { /* offline and never cached: the chips will do */ }
}

function label(list, slug) {
  if (labels && labels[list][slug]) return labels[list][slug];
  const name = list === 'kinds' ? 'kind' : list;
  const input = form.querySelector(`input[name=${name}][value="${CSS.escape(slug || '')}"]`);
  return input ? input.nextElementSibling.textContent : slug;
}

function when(item) {
  const at = item.job.contact.occurred_at;
  const d = at ? new Date(at) : new Date(item.seq);
  return timeFmt().format(d);
}

function button(text, cls, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (cls) b.className = cls;
  b.addEventListener('click', onClick);
  return b;
}

async function render() {
  let items = [];
  try { items = state.owner ? await outbox.all(state.owner) : []; } catch { /* no IndexedDB */ }
  const n = items.length;
  const title = $('outbox-title');
  title.textContent = n === 0 ? om.msgEmpty : n === 1 ? om.msgOne : om.msgMany.replace('{0}', n);
  if (n) title.setAttribute('href', '#outbox-items');
  else title.removeAttribute('href');
  box.dataset.count = n;
  // The list is below the form, so that it can grow and shrink while the
  // worker fills in the next contact without moving the form.
  $('outbox-items').hidden = n === 0;
  $('outbox-auth').hidden = !state.auth;
  $('outbox-send').hidden = !items.some((i) => i.state !== 'rejected' && i.id !== state.editing);
  const list = $('outbox-list');
  const next = document.createElement('ul');
  for (const item of items) {
    const st = item.id === state.editing ? 'editing' : sendingNow.has(item.id) ? 'sending'
      : item.state === 'rejected' ? 'rejected' : state.auth ? 'auth' : 'waiting';
    const li = next.appendChild(document.createElement('li'));
    li.className = `ob-item ob-${st}`;
    li.dataset.id = item.id;
    li.dataset.state = st;
    const main = li.appendChild(document.createElement('div'));
    main.className = 'ob-main';
    const who = item.job.contact.anonymous ? om.msgAnonymous : item.job.label || '—';
    main.appendChild(document.createElement('strong')).textContent = `${when(item)} · ${who}`;
    const c = item.job.contact;
    main.appendChild(document.createElement('span')).textContent =
      [label('kinds', c.kind), c.topics.map((t) => label('topics', t)).join(', ')].filter(Boolean).join(' · ');
    const badge = li.appendChild(document.createElement('span'));
    badge.className = `state ob-state-${st}`;
    badge.textContent = om[`msgState${st[0].toUpperCase()}${st.slice(1)}`];
    if (st === 'rejected' && item.error) {
      const p = li.appendChild(document.createElement('div'));
      p.className = 'ob-error field-error';
      p.textContent = item.error.message;
      const fields = Object.values(item.error.fields || {});
      if (fields.length) {
        const ul = p.appendChild(document.createElement('ul'));
        for (const f of fields) ul.appendChild(document.createElement('li')).textContent = f;
      }
    }
    if (st === 'rejected') {
      const actions = li.appendChild(document.createElement('div'));
      actions.className = 'ob-actions';
      actions.append(
        button(om.msgEdit, 'ob-edit', () => edit(item.id)),
        button(om.msgResend, 'ob-resend', () => resend(item.id)),
        button(om.msgDelete, 'ob-delete', (ev) => remove(item.id, ev.currentTarget)),
      );
    }
  }
  // Only what changed is replaced: a finger or the keyboard on a button of
  // the list must not find it gone under them.
  if (next.innerHTML !== shownList) {
    shownList = next.innerHTML;
    const focused = list.contains(document.activeElement) ? document.activeElement : null;
    const refocus = focused && { id: focused.closest('li').dataset.id, cls: focused.className.split(' ')[0] };
    list.replaceChildren(...next.childNodes);
    if (refocus) {
      const again = list.querySelector(`li[data-id="${CSS.escape(refocus.id)}"] .${CSS.escape(refocus.cls)}`);
      (again || $('outbox-items-title')).focus();
    }
  }
  setNet(state.net);
}
let shownList = '';

async function resend(id) {
  const item = await outbox.get(id);
  if (!item) return;
  item.state = 'waiting';
  delete item.error;
  await outbox.put(item);
  await render();
  attempt = 0;
  await sync();
}

// remove asks twice: a contact leaves the outbox only by the worker's hand.
async function remove(id, b) {
  if (!b.dataset.armed) {
    b.dataset.armed = '1';
    b.textContent = om.msgDeleteConfirm;
    b.classList.add('danger');
    return;
  }
  await outbox.del(id);
  if (state.editing === id) reset();
  await render();
}

// edit loads a refused item into the form, with the server's messages at
// their fields. It stays in the outbox until it is sent.
async function edit(id) {
  if (state.busy) return;
  if (dirty()) { clearErrors(); say(alertBox, msg.msgDirty); alertBox.focus(); return; }
  const item = await outbox.get(id);
  if (!item) return;
  const { contact, resident } = item.job;
  reset();
  state.id = contact.id;
  state.seq = item.seq;
  state.editing = id;
  const check1 = (name, value) => {
    const el = form.querySelector(`input[name="${name}"][value="${CSS.escape(value || '')}"]`);
    if (el) el.checked = true;
  };
  check1('programme', contact.programme);
  check1('neighbourhood', contact.neighbourhood);
  check1('kind', contact.kind);
  for (const v of contact.topics) check1('topics', v);
  for (const v of contact.outcomes) check1('outcomes', v);
  if (contact.occurred_at) {
    $('occurred_at').value = localValue(new Date(contact.occurred_at));
    state.timeTouched = true;
  }
  $('note').value = contact.note || '';
  count();
  let mode = 'search';
  if (contact.anonymous) {
    mode = 'anonymous';
  } else if (resident && !resident.done) {
    mode = 'new';
    state.residentId = resident.id;
    for (const f of ['given_name', 'family_name', 'birth_date', 'birth_year', 'phone']) $('new-' + f).value = resident.input[f] || '';
  } else {
    // An existing record, or a new one the server already has.
    choose({ id: resident ? resident.id : contact.resident_id, name: item.job.label }, false);
  }
  form.querySelector(`input[name=resident_mode][value=${mode}]`).checked = true;
  showMode();
  $('contact-editing').hidden = false;
  await render();
  window.scrollTo({ top: form.offsetTop - 16 });
  const e = item.error || {};
  if (e.message) showErrors(e.message, e.fields, e.stage === 'resident' ? 'new.' : '');
  else $('contact-heading').focus();
}

function dirty() {
  if (state.editing) return false;
  return form.querySelector('input[name=topics]:checked,input[name=outcomes]:checked') !== null ||
    $('note').value !== '' || $('resident_id').value !== '' ||
    [...$('mode-new').querySelectorAll('input')].some((el) => el.value !== '');
}

$('outbox-send').addEventListener('click', () => { attempt = 0; sync(); });
$('contact-editing-stop').addEventListener('click', () => { reset(); render(); $('contact-heading').focus(); });

// ---- the form ----

const statusBox = $('contact-status');
const alertBox = $('contact-alert');
const saveButton = $('contact-save');

function say(box, text, extra = []) {
  box.replaceChildren(text);
  if (extra.length) {
    const ul = document.createElement('ul');
    for (const t of extra) ul.appendChild(document.createElement('li')).textContent = t;
    box.appendChild(ul);
  }
  box.hidden = false;
}

function clearErrors() {
  alertBox.hidden = true;
  for (const p of form.querySelectorAll('.field-error')) { p.hidden = true; p.textContent = ''; }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

// showErrors: each message at its field ("topics[0]" at topics, a new
// resident's fields prefixed "new."), the rest in the alert.
function showErrors(message, fields, prefix = '') {
  const rest = [];
  let first = null;
  for (const [name, text] of Object.entries(fields || {})) {
    const key = prefix + name.replace(/\[.*$/, '');
    const p = $('err-' + key);
    if (!p) { rest.push(text); continue; }
    p.textContent = text;
    p.hidden = false;
    const group = form.querySelector(`[data-field="${key}"]`) || p.parentElement;
    for (const el of group.querySelectorAll('input:not([type=hidden]),select,textarea')) el.setAttribute('aria-invalid', 'true');
    first = first || group;
  }
  say(alertBox, message, rest);
  const target = first && first.querySelector('input:not([type=hidden]):not([disabled]),select,textarea');
  (target && !target.closest('[hidden]') ? target : alertBox).focus();
}

function busy(on) {
  state.busy = on;
  form.setAttribute('aria-busy', String(on));
  saveButton.disabled = on;
  saveButton.textContent = on ? msg.msgSending : saveButton.dataset.label;
}

function who(job) {
  return job.contact.anonymous ? msg.msgAnonymous : job.label;
}

function done(job, text) {
  const time = (job.contact.occurred_at || localValue(new Date())).slice(11, 16);
  reset();
  say(statusBox, text.replace('{0}', `${time} · ${who(job)}`));
  $('contact-heading').focus();
  window.scrollTo({ top: 0 });
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (state.busy) return;
  clearErrors();
  statusBox.hidden = true;
  const job = collect();
  const missing = check(job);
  if (Object.keys(missing).length) return showErrors(msg.msgError, missing);
  if (!state.owner) return showErrors(msg.msgSession);
  if (job.resident && !state.editing && await matches.mustLookFirst()) return say(alertBox, msg.msgMatchesLook);
  busy(true);
  const item = { id: job.contact.id, owner: state.owner, seq: state.seq || Date.now(), job, state: 'waiting', attempts: 0 };
  const editing = state.editing;
  state.editing = null;
  outcomes.delete(item.id);
  let o;
  try {
    await outbox.put(item); // on the device before anything goes out
    await render();
    if (navigator.onLine) {
      await sync();
      if (!outcomes.has(item.id)) await sync(); // a sync already under way had not seen it
    }
    o = outcomes.get(item.id) || { kind: 'retry' };
  } catch {
    // No IndexedDB (a private window, a full disk): send directly.
    const res = await send(job);
    o = { kind: outcome(res), res };
    if (o.kind !== 'sent' && o.kind !== 'rejected') o = { kind: 'rejected', res: { ...res, error: { message: msg.msgOffline } } };
  }
  busy(false);
  if (o.kind === 'sent') {
    done(job, o.res.status === 201 ? msg.msgSaved : msg.msgSavedAgain);
  } else if (o.kind === 'rejected') {
    // Still in the form to fix, and in the outbox meanwhile.
    state.editing = editing || item.id;
    state.seq = item.seq;
    $('contact-editing').hidden = false;
    // A resident registered before a refused contact is now chosen: no twin.
    if (job.resident && job.resident.done) choose({ id: job.resident.id, name: job.label }, false);
    const e = o.res.error || {};
    await render();
    showErrors(e.message || msg.msgError, e.fields, o.res.stage === 'resident' ? 'new.' : '');
  } else {
    // Kept on the device: sent when the network (or a new login) allows.
    done(job, o.kind === 'auth' ? msg.msgQueuedAuth : msg.msgQueued);
    await render();
  }
});

// reset for the next contact; programme, neighbourhood and kind stay.
function reset() {
  state.id = uuid();
  state.residentId = uuid();
  state.seq = 0;
  state.editing = null;
  state.timeTouched = false;
  $('contact-editing').hidden = true;
  $('occurred_at').value = localValue(new Date());
  for (const el of form.querySelectorAll('input[name=topics],input[name=outcomes]')) el.checked = false;
  for (const el of $('mode-new').querySelectorAll('input')) el.value = '';
  matches.reset();
  $('note').value = '';
  count();
  unchoose(false);
  $('resident-q').value = '';
  results.replaceChildren();
  form.querySelector('input[name=resident_mode][value=search]').checked = true;
  showMode();
  clearErrors();
}

$('occurred_at').addEventListener('input', () => { state.timeTouched = true; });
setInterval(() => { if (!state.timeTouched) $('occurred_at').value = localValue(new Date()); }, 30000);
$('occurred_at').value = localValue(new Date());
$('new-birth_date').max = localValue(new Date()).slice(0, 10); // the offline form may be days old
$('new-birth_year').max = localValue(new Date()).slice(0, 4);
matches.setup((r) => {
  for (const el of $('mode-new').querySelectorAll('input')) el.value = '';
  choose(r, true);
});

const note = $('note');
const counter = $('note-count');
function count() {
  const n = note.value.length;
  counter.textContent = `${n} / ${counter.dataset.max}`;
  counter.classList.toggle('near', n > counter.dataset.max * 0.9);
}
note.addEventListener('input', count);

function showMode() {
  const mode = form.querySelector('input[name=resident_mode]:checked').value;
  for (const m of ['search', 'new', 'anonymous']) $('mode-' + m).hidden = m !== mode;
  $('err-resident_id').hidden = true;
  if (mode === 'search' && !navigator.onLine && $('resident-chosen').hidden) hint.textContent = msg.msgSearchOffline;
}
for (const r of form.querySelectorAll('input[name=resident_mode]')) r.addEventListener('change', showMode);

const q = $('resident-q');
const results = $('resident-results');
const hint = $('resident-hint');
let timer = 0;
let inflight = null;

function hoodName(slug) {
  const input = form.querySelector(`input[name=neighbourhood][value="${CSS.escape(slug || '')}"]`);
  return input ? input.nextElementSibling.textContent : '';
}

// search needs the network: no other residents are kept on the device.
async function search() {
  const term = q.value.trim();
  if (inflight) inflight.abort();
  results.replaceChildren();
  if (!navigator.onLine) { hint.textContent = msg.msgSearchOffline; return; }
  if (term.length < 2) { hint.textContent = msg.msgMinChars; return; }
  inflight = new AbortController();
  hint.textContent = msg.msgSearching;
  try {
    const res = await fetch('/api/v1/residents?limit=10&q=' + encodeURIComponent(term), {
      signal: inflight.signal, credentials: 'same-origin', headers: { Accept: 'application/json' },
    });
    if (!res.ok) { hint.textContent = res.status === 401 ? msg.msgSession : msg.msgError; return; }
    const { residents } = await res.json();
    hint.textContent = residents.length ? msg.msgResults.replace('{0}', residents.length) : msg.msgNoResults;
    for (const r of residents) {
      const b = document.createElement('button');
      b.type = 'button';
      const name = `${r.given_name} ${r.family_name}`.trim();
      b.appendChild(document.createElement('strong')).textContent = name;
      const extra = [r.birth_year, hoodName(r.neighbourhood)].filter(Boolean).join(' · ');
      if (extra) b.append(' ', Object.assign(document.createElement('span'), { className: 'muted', textContent: extra }));
      b.addEventListener('click', () => choose({ id: r.id, name }, true));
      results.appendChild(document.createElement('li')).appendChild(b);
    }
    if (residents.length) results.scrollIntoView({ block: 'nearest' }); // not under the save bar
  } catch (e) {
    if (e.name !== 'AbortError') hint.textContent = msg.msgSearchOffline;
  }
}

q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 250); });
q.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Enter') return;
  ev.preventDefault(); // Enter searches, it does not save
  clearTimeout(timer);
  const first = results.querySelector('button');
  if (first) first.focus();
  else search();
});

function choose(r, focus) {
  $('resident_id').value = r.id;
  $('resident-chosen-name').textContent = r.name || '';
  $('resident-picker').hidden = true;
  $('resident-chosen').hidden = false;
  $('err-resident_id').hidden = true;
  form.querySelector('input[name=resident_mode][value=search]').checked = true;
  showMode();
  if (focus) $('resident-change').focus();
}

function unchoose(focus) {
  $('resident_id').value = '';
  $('resident-chosen').hidden = true;
  $('resident-picker').hidden = false;
  if (focus) q.focus();
}
$('resident-change').addEventListener('click', () => unchoose(true));

// ---- start ----

// offlinePage: offline, the service worker brings any other page here
// (#offline=/path); say which page could not open, instead of silently
// showing the form.
function offlinePage() {
  const m = /^#offline=(.+)$/.exec(location.hash);
  if (!m) return;
  const first = '/' + (decodeURIComponent(m[1]).split('/')[1] || '');
  const link = document.querySelector(`nav a[href="${CSS.escape(first)}"]`);
  say(statusBox, msg.msgOfflinePage.replace('{0}', link ? link.textContent.trim() : first));
  history.replaceState(null, '', location.pathname + location.search);
}

async function setOwner(username) {
  state.owner = username;
  try { await meta.set('me', { username }); } catch { /* no IndexedDB */ }
}

// warm keeps the offline form and the reference lists in the service
// worker's cache, fetched now, with this session, in this language.
async function warm() {
  if (!('serviceWorker' in navigator) || !self.caches) return;
  try {
    await navigator.serviceWorker.ready;
    const cache = await caches.open(USER_CACHE);
    if (navigator.onLine) {
      // Not following a redirect to /login (see sw.js, refreshShell).
      const res = await fetch(SHELL_URL, { credentials: 'same-origin', redirect: 'manual' });
      if (res.ok) await cache.put(SHELL_URL, res);
    }
    await loadLabels(navigator.onLine ? cache : null);
    state.ready = !!(await cache.match(SHELL_URL)) && !!(await cache.match(REFERENCE_URL));
    document.documentElement.dataset.offline = state.ready ? 'ready' : 'no';
    setNet(state.net);
  } catch { /* offline use is a bonus, not a requirement */ }
}

// checkSession: the offline form knows nobody; online, it asks the server
// whose session this is. Expired: the worker is asked to log in (the outbox
// waits). Someone else than the device's last worker: their own form.
async function checkSession() {
  try {
    const res = await fetch('/api/v1/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (res.status === 401) {
      state.auth = true;
      setNet('auth');
      return;
    }
    if (!res.ok) return;
    const me = await res.json();
    csrf = me.csrf_token;
    if (me.user.username !== state.owner) {
      await setOwner(me.user.username);
      if (self.caches) await caches.delete(USER_CACHE); // another organisation's form, maybe
      location.reload();
    }
  } catch { /* offline after all */ }
}

saveButton.dataset.label = saveButton.textContent;
count();
showMode();
offlinePage();
performance.mark('contact-ready'); // the form works from here (measured by the budget test)
(async () => {
  try {
    if (state.owner) await setOwner(state.owner);
    else state.owner = ((await meta.get('me')) || {}).username || '';
    state.lastSync = (await meta.get('lastSync')) || 0;
  } catch { /* no IndexedDB */ }
  setNet(navigator.onLine ? 'online' : 'offline');
  await render();
  if (msg.shell && navigator.onLine) await checkSession();
  if (navigator.onLine && !state.auth) sync();
  if (document.readyState === 'complete') warm();
  else addEventListener('load', () => warm());
})();
