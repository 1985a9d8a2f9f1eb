// Handover screens: character counters on the "Warm overdragen" form and
// filters of the coordinator's review that apply as soon as they change.
// Everything works without this script; it only saves taps.

for (const area of document.querySelectorAll('textarea[data-counter]')) {
  const out = document.getElementById(area.dataset.counter);
  if (!out) continue;
  const max = Number(out.dataset.max);
  const show = () => {
    out.textContent = `${area.value.length} / ${max}`;
    out.classList.toggle('near', area.value.length > max * 0.9);
  };
  area.addEventListener('input', show);
  show();
}

const filters = document.getElementById('review-filters');
if (filters) {
  for (const select of filters.querySelectorAll('select')) {
    select.addEventListener('change', () => filters.requestSubmit());
  }
}
