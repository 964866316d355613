import { api, el, $, clear, table, scrollBox, statCard, fmt, int, when, badge, busy, showAlert, showError, readFirstN, fieldError,
  remember, PALETTE, rgba } from './common.js';

let current = null; // {analysis, phrase, minAttempts}
let chart = null;

const urlInput = $('#analyze-url');
urlInput.value = localStorage.getItem('ksauth.trainUrl') || '';

function options() {
  const firstN = readFirstN($('#analyze-first-n'));
  const minInput = $('#analyze-min-attempts');
  const minAttempts = Number(minInput.value || '1');
  const minOk = fieldError(minInput, Number.isInteger(minAttempts) && minAttempts >= 1 ? null : 'A whole number, 1 or more.');
  if (firstN === null || !minOk) return null;
  const phrase = $('#analyze-phrase').value;
  return { firstN, minAttempts, phrase: phrase === '' ? null : phrase };
}

const stat = (key, label, value, extra) => statCard(label, value, { key, extra });

// How this analysis got its data: read from the store, or just now downloaded or uploaded (source "upload:NAME").
function originBadge(a) {
  if (a.from_store) return badge('read from the store', 'info', { id: 'from-store' });
  return badge(a.dataset.source.startsWith('upload:') ? 'uploaded' : 'downloaded', 'primary', { id: 'from-store' });
}

function renderSummary(a) {
  const d = a.dataset;
  const enrolled = a.users.filter((u) => u.enrolled).length;
  const phraseSource = { given: 'given', default: 'default phrase', inferred: 'inferred' }[a.phrase.source] || a.phrase.source;
  const box = clear($('#summary'));
  if (a.failure) {
    box.append(el('div', { class: 'alert alert-warning', id: 'chain-failure' },
      el('strong', {}, `The chain stopped at page ${a.failure.page}: `), a.failure.reason,
      ' The pages before it are kept.'));
  }
  box.append(el('p', { class: 'mb-2' },
    'Data set ', el('strong', {}, `#${d.id}`), ' from ', el('span', { class: 'mono text-break', id: 'summary-source' }, d.source), ' ',
    originBadge(a),
    ' ', el('span', { class: 'text-muted small' }, `fetched ${when(d.fetched_at)}, fingerprint ${d.fingerprint}`)));
  box.append(el('p', { class: 'mb-3' }, 'Phrase ', el('code', { class: 'fs-6', id: 'summary-phrase' }, a.phrase.text), ' ',
    badge(phraseSource, a.phrase.source === 'inferred' ? 'warning' : 'secondary', { id: 'phrase-source' }),
    el('span', { class: 'text-muted small' }, ` · a user is enrolled with at least ${a.min_attempts} valid attempt${a.min_attempts === 1 ? '' : 's'}`)));
  box.append(el('div', { class: 'row row-cols-2 row-cols-sm-4 row-cols-lg-8 g-2' },
    stat('users', 'users', int(a.users.length)),
    stat('enrolled', 'enrolled', int(enrolled)),
    stat('attempts', 'attempts', int(a.n_attempts)),
    stat('valid', 'valid', int(a.n_valid)),
    stat('invalid', 'invalid', int(a.n_invalid)),
    stat('pages', 'pages', int(d.n_pages)),
    stat('keystrokes', 'keystrokes', int(a.n_keystrokes)),
    stat('feature-rows', 'feature rows', int(a.n_feature_rows))));
}

function renderUsers(a) {
  $('#users-count').textContent = String(a.users.length);
  clear($('#users')).append(scrollBox(table([
    { label: 'user', value: (u) => u.user },
    { label: 'valid', value: (u) => int(u.valid), class: 'num' },
    { label: 'invalid', value: (u) => int(u.invalid), class: 'num' },
    { label: 'enrolled', value: (u) => (u.enrolled ? badge('enrolled', 'success') : badge('not enrolled', 'secondary')) },
  ], a.users, { id: 'users-table' }), '20rem'));
}

function renderKeystrokes(a) {
  $('#keystrokes-caption').textContent = `first ${int(a.keystrokes.length)} of ${int(a.n_keystrokes)}`;
  const cols = ['typed_at', 'character', 'user', 'year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond', 'character_code'];
  clear($('#keystrokes')).append(a.keystrokes.length ? scrollBox(table(cols.map((c) => ({
    label: c.replace('_', ' '),
    value: (k) => (c === 'character' ? el('code', {}, k.character) : String(k[c] ?? '')),
    class: ['typed_at', 'character', 'user'].includes(c) ? (c === 'typed_at' ? 'mono small' : '') : 'num',
  })), a.keystrokes, { id: 'keystrokes-table', cls: 'table table-sm table-striped align-middle mb-0 table-features' }))
    : el('p', { class: 'text-muted' }, 'No rows to display (N = 0).'));
}

function renderFeatures(a) {
  $('#features-caption').textContent = `first ${int(a.features.length)} of ${int(a.n_feature_rows)} valid attempts, seconds`;
  const cols = [
    { label: 'attempt', value: (r) => String(r.attempt), class: 'num' },
    { label: 'user', value: (r) => r.user },
    ...a.feature_names.map((name, i) => ({ label: name, value: (r) => fmt(r.values[i], 4), class: 'num' })),
  ];
  clear($('#features')).append(a.features.length ? scrollBox(table(cols, a.features,
    { id: 'features-table', cls: 'table table-sm table-striped align-middle mb-0 table-features' }))
    : el('p', { class: 'text-muted' }, 'No rows to display.'));
}

function renderUserSelect(a) {
  const select = clear($('#rhythm-user'));
  const users = a.users.filter((u) => u.valid > 0);
  select.append(el('option', { value: '' }, '(population only)'));
  for (const u of users) select.append(el('option', { value: u.user }, `${u.user} (${u.valid} valid)`));
  if (users.length) select.value = users[0].user;
}

const posLabel = (p, i) => `${i + 1}: ${p === ' ' ? '␣' : p}`;
const ms = (x) => (x === null || x === undefined ? null : 1000 * x);

async function drawRhythm() {
  if (!current) return;
  const { analysis: a, phrase, minAttempts } = current;
  const user = $('#rhythm-user').value;
  const q = new URLSearchParams({ min_attempts: String(minAttempts) });
  if (user) q.set('user', user);
  if (phrase !== null) q.set('phrase', phrase);
  clear($('#rhythm-alert'));
  let r;
  try {
    r = await api('GET', `/datasets/${a.dataset.id}/rhythm?${q}`);
  } catch (e) {
    showError($('#rhythm-alert'), e, 'Loading the rhythm');
    return;
  }
  const labels = r.positions.map(posLabel);
  const band = (mean, std, sign) => mean.map((m, i) => Math.max(0, ms(m + sign * std[i])));
  const pop = '#6c757d';
  const usr = PALETTE[0];
  const datasets = [
    { label: '', data: band(r.population_mean, r.population_std, +1), borderWidth: 0, pointRadius: 0, fill: false, band: true },
    { label: '', data: band(r.population_mean, r.population_std, -1), borderWidth: 0, pointRadius: 0, fill: '-1', backgroundColor: rgba(pop, 0.15), band: true },
    { label: `population (${int(r.population_attempts)} attempts)`, data: r.population_mean.map(ms), std: r.population_std.map(ms),
      borderColor: pop, backgroundColor: pop, borderDash: [6, 4], tension: 0.2 },
  ];
  if (r.user !== null && r.user_mean) {
    datasets.push(
      { label: '', data: band(r.user_mean, r.user_std, +1), borderWidth: 0, pointRadius: 0, fill: false, band: true },
      { label: '', data: band(r.user_mean, r.user_std, -1), borderWidth: 0, pointRadius: 0, fill: '-1', backgroundColor: rgba(usr, 0.18), band: true },
      { label: `${r.user} (${int(r.user_attempts)} attempts)`, data: r.user_mean.map(ms), std: r.user_std.map(ms),
        borderColor: usr, backgroundColor: usr, tension: 0.2 });
  }
  $('#rhythm-caption').textContent = 'Mean press-to-press latency into each phrase position (ms); bands: ±1 standard deviation (clipped at 0).';
  if (typeof Chart === 'undefined') {
    showAlert($('#rhythm-alert'), 'warning', 'Chart.js did not load from /vendor/chart.js/.');
    return;
  }
  if (chart) chart.destroy();
  chart = new Chart($('#rhythm-chart'), {
    type: 'line',
    data: { labels, datasets },
    options: {
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      scales: { y: { beginAtZero: true, title: { display: true, text: 'latency (ms)' } },
        x: { title: { display: true, text: 'phrase position: key' } } },
      plugins: {
        legend: { labels: { filter: (item) => item.text !== '' } },
        tooltip: {
          filter: (item) => !item.dataset.band,
          callbacks: { label: (c) => `${c.dataset.label}: ${fmt(c.parsed.y, 1)} ms ± ${fmt(c.dataset.std[c.dataIndex], 1)}` },
        },
      },
    },
  });
  $('#rhythm-chart').dataset.drawn = user || '(population)';
}

function render(analysis, opts) {
  current = { analysis, phrase: opts.phrase, minAttempts: opts.minAttempts };
  $('#analysis').hidden = false;
  renderSummary(analysis);
  renderUsers(analysis);
  renderKeystrokes(analysis);
  renderFeatures(analysis);
  renderUserSelect(analysis);
  drawRhythm();
}

$('#rhythm-user').addEventListener('change', drawRhythm);

$('#analyze-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear($('#analyze-alert'));
  const url = urlInput.value.trim();
  const urlOk = fieldError(urlInput, url ? null : 'Enter the URL of the first page of a training chain.');
  const opts = options();
  if (!urlOk || !opts) return;
  remember('ksauth.trainUrl', url);
  await busy($('#analyze-submit'), async () => {
    try {
      const analysis = await api('POST', '/datasets', { body: { url, refresh: $('#analyze-refresh').checked,
        phrase: opts.phrase, min_attempts: opts.minAttempts, first_n: opts.firstN } });
      render(analysis, opts);
    } catch (e) {
      showError($('#analyze-alert'), e, 'Analyze');
    }
  });
});

$('#upload-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear($('#analyze-alert'));
  const input = $('#upload-file');
  const file = input.files[0];
  const fileOk = fieldError(input, file ? null : 'Choose a JSON file: one training page.');
  const opts = options();
  if (!fileOk || !opts) return;
  await busy($('#upload-submit'), async () => {
    try {
      const q = new URLSearchParams({ name: file.name, first_n: String(opts.firstN), min_attempts: String(opts.minAttempts) });
      if (opts.phrase !== null) q.set('phrase', opts.phrase);
      const analysis = await api('POST', `/datasets/upload?${q}`, { body: await file.text(), raw: true });
      render(analysis, opts);
    } catch (e) {
      showError($('#analyze-alert'), e, 'Upload');
    }
  });
});
