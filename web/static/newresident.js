// "Bestaat deze bewoner al?" on the contact form: while a worker registers
// a new resident, the organisation's records that may be the same person
// (the same family name and birth year, or the same person link; the
// server decides, GET /api/v1/residents/matches) are shown first, each
// with a button to take that record instead. Saving a new resident while
// such records are on screen asks to look at them once; "Nee, iemand
// anders" goes on. Online only: offline the registration goes ahead, and
// a coordinator can merge two records later.

const $ = (id) => document.getElementById(id);
const box = $('new-matches');
const list = $('new-matches-list');
let shownFor = null; // the values the box answers for
let found = [];
let dismissed = null;
let timer = 0;
let choose = () => {};

function values() {
  const v = (f) => $('new-' + f).value.trim();
  return { family: v('family_name'), date: v('birth_date'), year: v('birth_year') };
}

const keyOf = (v) => `${v.family}\u0000${v.date}\u0000${v.year}`;

async function lookup() {
  const v = values();
  const key = keyOf(v);
  if (!navigator.onLine || !v.family || !(v.date || v.year)) { show([], key); return; }
  const q = new URLSearchParams({ family_name: v.family });
  if (v.date) q.set('birth_date', v.date);
  else q.set('birth_year', v.year);
  try {
    const res = await fetch('/api/v1/residents/matches?' + q, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    show(res.ok ? (await res.json()).residents : [], key);
  } catch {
    show([], key); // the network went: nothing to show
  }
}

function show(residents, key) {
  found = residents;
  shownFor = key;
  list.replaceChildren();
  for (const r of residents) {
    const name = `${r.given_name} ${r.family_name}`.trim();
    const b = document.createElement('button');
    b.type = 'button';
    b.appendChild(document.createElement('strong')).textContent = name;
    const born = r.birth_date || r.birth_year || '';
    if (born) b.append(' ', Object.assign(document.createElement('span'), { className: 'muted', textContent: String(born) }));
    b.append(' · ', list.dataset.msgChoose);
    b.addEventListener('click', () => { reset(); choose({ id: r.id, name }); });
    list.appendChild(document.createElement('li')).appendChild(b);
  }
  box.hidden = residents.length === 0 || dismissed === key;
}

// setup watches the new resident's fields; onChoose takes a record found.
export function setup(onChoose) {
  choose = onChoose;
  for (const f of ['family_name', 'birth_date', 'birth_year']) {
    $('new-' + f).addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(lookup, 400); });
  }
  $('new-matches-none').addEventListener('click', () => {
    dismissed = shownFor;
    box.hidden = true;
    $('contact-save').focus();
  });
}

// mustLookFirst: before saving a new resident, whether records that may be
// the same person are on screen and not yet answered (then the box has the
// focus).
export async function mustLookFirst() {
  clearTimeout(timer);
  if (keyOf(values()) !== shownFor) await lookup();
  if (found.length === 0 || dismissed === shownFor) return false;
  box.hidden = false;
  $('new-matches-title').focus();
  return true;
}

// reset forgets what was found (a new contact, or a record chosen).
export function reset() {
  clearTimeout(timer);
  found = [];
  shownFor = dismissed = null;
  list.replaceChildren();
  box.hidden = true;
}
