// On every page: the service worker (offline use), and logging out, which
// warns about unsent contacts and clears the device (docs/offline.md).
import { outbox, meta, clearDevice } from './store.js';

if ('serviceWorker' in navigator) {
  // After the page has loaded: on a slow network the first paint comes first.
  const register = () => navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
  if (document.readyState === 'complete') register();
  else addEventListener('load', register);
}

// Paged lists and forms that keep their state across a language switch.
if (document.querySelector('a[data-more], form[data-carry]')) import('./pages.js');

const logout = document.getElementById('logout-form');
if (logout) {
  const m = logout.dataset;
  logout.addEventListener('submit', async (ev) => {
    if (logout.dataset.confirmed) return;
    ev.preventDefault();
    if (!navigator.onLine) {
      await ask(m.msgTitle, m.msgOffline, [['ok', m.msgOk]]);
      return;
    }
    let owner = '';
    let waiting = [];
    try {
      owner = ((await meta.get('me')) || {}).username || '';
      if (owner) waiting = await outbox.all(owner);
    } catch { /* no IndexedDB: nothing stored either */ }
    let keep = true;
    if (waiting.length) {
      const count = (waiting.length === 1 ? m.msgPendingOne : m.msgPendingMany).replace('{0}', waiting.length);
      const choice = await ask(m.msgTitle, `${count} ${m.msgPendingHelp}`,
        [['stay', m.msgStay, 'primary'], ['keep', m.msgKeep], ['discard', m.msgDiscard, 'danger']]);
      if (choice !== 'keep' && choice !== 'discard') return;
      keep = choice === 'keep';
    }
    try { await clearDevice(owner, keep); } catch { /* best effort: the server session ends anyway */ }
    const field = logout.elements.csrf_token;
    if (!field.value) {
      // The offline form carries no token: ask for it.
      try {
        const res = await fetch('/api/v1/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
        if (res.ok) field.value = (await res.json()).csrf_token;
      } catch { /* the server answers 403; the user can try again */ }
    }
    logout.dataset.confirmed = '1';
    logout.submit();
  });
}

// ask shows a modal dialog and resolves to the chosen button's value
// (undefined for Escape). buttons: [value, label, class?], the first has focus.
function ask(title, text, buttons) {
  return new Promise((resolve) => {
    const d = document.createElement('dialog');
    d.className = 'confirm';
    d.setAttribute('aria-labelledby', 'confirm-title');
    d.setAttribute('aria-describedby', 'confirm-text');
    const h = d.appendChild(document.createElement('h2'));
    h.id = 'confirm-title';
    h.textContent = title;
    const p = d.appendChild(document.createElement('p'));
    p.id = 'confirm-text';
    p.textContent = text;
    const row = d.appendChild(document.createElement('div'));
    row.className = 'confirm-buttons';
    for (const [value, label, cls] of buttons) {
      const b = row.appendChild(document.createElement('button'));
      b.type = 'button';
      b.value = value;
      b.textContent = label;
      if (cls) b.className = cls;
      b.addEventListener('click', () => d.close(value));
    }
    d.addEventListener('close', () => { d.remove(); resolve(d.returnValue || undefined); });
    document.body.appendChild(d);
    d.showModal();
    row.querySelector('button').focus();
  });
}

// A printable document (an access request's export) offers a print button.
for (const b of document.querySelectorAll('[data-print]')) b.addEventListener('click', () => print());
