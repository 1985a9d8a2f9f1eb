// The list and form pages (not the contact form): loaded by app.js only
// where there is something to do. Everything works without it.
//
// - "Meer laden" (a[data-more]) fetches the next page and appends its rows
//   to the list in place, so a worker scrolls on instead of losing the
//   rows seen; the count under the list follows ("1–100 van 250").
// - A language switch keeps what was typed in forms marked data-carry:
//   their fields go into sessionStorage (this tab only) just before the
//   switch and are put back, and removed, when the same page comes back.

const CARRY = 'bb-carry';

async function more(link) {
  const id = link.dataset.more;
  const rows = document.getElementById(id);
  if (!rows || link.getAttribute('aria-busy') === 'true') return;
  link.setAttribute('aria-busy', 'true');
  try {
    const res = await fetch(link.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (!res.ok) { location.href = link.href; return; }
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const page = doc.getElementById(id);
    if (!page) { location.href = link.href; return; }
    const added = [...page.children];
    rows.append(...added);
    const pager = document.querySelector(`[data-pager="${CSS.escape(id)}"]`);
    const fresh = doc.querySelector(`[data-pager="${CSS.escape(id)}"]`);
    // The next page counts from its own start: keep ours, take its end.
    const count = pager.querySelector('[data-count]');
    const next = fresh.querySelector('[data-count]').dataset;
    count.textContent = count.dataset.msg.replace('{0}', count.dataset.from).replace('{1}', next.to).replace('{2}', next.total);
    const nextLink = fresh.querySelector('a[data-more]');
    if (nextLink) link.href = nextLink.href;
    else link.remove();
    // Keyboard and screen reader users go on at the first new row.
    const first = added[0] && added[0].querySelector('a[href]');
    if (first) first.focus();
  } catch {
    location.href = link.href;
  } finally {
    link.removeAttribute('aria-busy');
  }
}

document.addEventListener('click', (ev) => {
  const link = ev.target.closest('a[data-more]');
  if (!link || ev.button !== 0 || ev.metaKey || ev.ctrlKey) return;
  ev.preventDefault();
  more(link);
});

// ---- a language switch keeps the forms' state ----

function fieldsOf(form) {
  const out = [];
  for (const el of form.elements) {
    if (!el.name || el.type === 'hidden' || el.type === 'password' || el.type === 'submit') continue;
    if ((el.type === 'checkbox' || el.type === 'radio')) out.push([el.name, el.value, el.checked]);
    else out.push([el.name, el.value]);
  }
  return out;
}

const lang = document.getElementById('lang-switch');
if (lang) {
  lang.addEventListener('click', () => {
    const forms = {};
    for (const f of document.querySelectorAll('form[data-carry][id]')) forms[f.id] = fieldsOf(f);
    try { sessionStorage.setItem(CARRY, JSON.stringify({ path: location.pathname, forms })); } catch { /* private mode */ }
  });
}

(() => {
  let carried = null;
  try {
    carried = JSON.parse(sessionStorage.getItem(CARRY) || 'null');
    sessionStorage.removeItem(CARRY);
  } catch { return; }
  if (!carried || carried.path !== location.pathname) return;
  for (const [id, fields] of Object.entries(carried.forms || {})) {
    const form = document.getElementById(id);
    if (!form) continue;
    for (const [name, value, checked] of fields) {
      for (const el of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
        if (el.type === 'checkbox' || el.type === 'radio') {
          if (el.value === value) el.checked = checked;
        } else if (el.type !== 'hidden') {
          el.value = value;
          el.dispatchEvent(new Event('input', { bubbles: true }));
        }
      }
    }
  }
})();
