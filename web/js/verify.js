import { api, el, $, append, clear, table, scrollBox, statCard, fmt, int, when, badge, busy, showAlert, showError, readFirstN,
  fieldError, remember, PALETTE, rgba } from './common.js';
import { jobTracker } from './job.js';
import { renderParams, readParams, paramsText, NAME_RULE, NAME_HINT } from './params.js';

let verifierTypes = [];
let current = null;  // the verifier shown
let detChart = null;
let eerChart = null;

const urlInput = $('#enroll-url');
urlInput.value = localStorage.getItem('ksauth.trainUrl') || '';
const testUrlInput = $('#verify-url');
testUrlInput.value = localStorage.getItem('ksauth.testUrl') || '';
const paramsBox = $('#enroll-params');
const typeSelect = $('#enroll-type');
const verifierSelect = $('#verifier-select');

// ---- enrolment ----

// An option's value is "family:type": manhattan is both a detector and a model type.
const chosenType = () => verifierTypes.find((t) => `${t.family}:${t.type}` === typeSelect.value);
const showParams = () => renderParams(paramsBox, chosenType(),
  { idPrefix: 'enroll-param-', none: 'Detectors have no parameters: each enrols on one user\'s genuine attempts.' });

function readEnrollForm() {
  const url = urlInput.value.trim();
  const holdoutInput = $('#enroll-holdout');
  const holdout = Number(holdoutInput.value);
  const seedInput = $('#enroll-seed');
  const seed = Number(seedInput.value);
  const nameInput = $('#enroll-name');
  const name = nameInput.value.trim();
  const fmrInput = $('#enroll-target-fmr');
  const fmrText = fmrInput.value.trim();
  const targetFmr = fmrText === '' ? null : Number(fmrText);
  let ok = fieldError(urlInput, url ? null : 'Enter the URL of the first page of a training chain.');
  ok = fieldError(holdoutInput, holdoutInput.value !== '' && holdout > 0 && holdout < 1 ? null : 'The holdout is a fraction strictly between 0 and 1, e.g. 0.2.') && ok;
  ok = fieldError(seedInput, seedInput.value !== '' && Number.isInteger(seed) && seed >= 0 ? null : 'A whole number, 0 or more.') && ok;
  ok = fieldError(nameInput, NAME_RULE.test(name) ? null : NAME_HINT) && ok;
  ok = fieldError(fmrInput, targetFmr === null || (targetFmr >= 0 && targetFmr < 1) ? null : 'A rate from 0 up to (not including) 1, e.g. 0.01; or empty for the EER.') && ok;
  const params = readParams(paramsBox);
  if (!ok || !params) return null;
  const type = chosenType();
  return { url, type: type.type, family: type.family, name, holdout, seed, params, target_fmr: targetFmr, replace: $('#enroll-replace').checked };
}

const tracker = jobTracker({
  kind: 'enroll',
  alert: $('#enroll-alert'),
  submit: $('#enroll-submit'),
  onDone: async (r) => {
    if (r.skipped?.length) {
      showAlert($('#enroll-alert'), 'warning', r.skipped.map((s) => `${s.user}: ${s.reason}`).join('; '),
        `${r.skipped.length} user(s) not enrolled:`);
    }
    if (r.failure) showAlert($('#enroll-alert'), 'warning', `${r.failure.page}: ${r.failure.reason}`, 'The chain stopped early:');
    await loadVerifiers(r.verifier.name);
  },
  failTitle: 'Enrolment failed:',
  cancelledText: 'The job was cancelled; no verifier was stored.',
});

$('#enroll-type').addEventListener('change', showParams);

$('#enroll-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear($('#enroll-alert'));
  tracker.forget();
  const body = readEnrollForm();
  if (!body) return;
  remember('ksauth.trainUrl', body.url);
  await busy($('#enroll-submit'), async () => {
    try {
      tracker.follow(await api('POST', '/verifiers', { body }));
    } catch (e) {
      showError($('#enroll-alert'), e, 'Starting the enrolment');
    }
  });
  if (tracker.following()) $('#enroll-submit').disabled = true;
});

// ---- the stored verifier ----

const thresholdsText = (v) => (v.threshold_at === 'eer' ? "at each user's EER" : `at a target FMR of ${v.target_fmr}`);

function renderSummary(v) {
  const m = v.metrics;
  append(clear($('#verifier-summary')),
    el('div', { class: 'row row-cols-2 row-cols-sm-4 row-cols-lg-7 g-2 mb-2' },
      statCard('EER mean', fmt(m.eer_mean, 4), { key: 'eer' }),
      statCard('EER std', fmt(m.eer_std, 4), { key: 'eer-std' }),
      statCard('ZeroFMR', fmt(m.zero_fmr_mean, 4), { key: 'zero-fmr' }),
      statCard('FNMR at FMR 1%', fmt(m.fmr100_mean, 4), { key: 'fmr100' }),
      statCard('FMR at threshold', fmt(m.fmr_mean, 4), { key: 'fmr' }),
      statCard('FNMR at threshold', fmt(m.fnmr_mean, 4), { key: 'fnmr' }),
      statCard('users', int(m.users.length), { key: 'users' })),
    el('p', { class: 'small text-muted mb-0', id: 'verifier-facts' },
      `${v.type} (${v.family}`, v.family === 'classifier' ? `, parameters ${paramsText(v.params)}` : '', `), thresholds ${thresholdsText(v)}; `,
      `holdout ${v.holdout} of each user's attempts of data set #${v.dataset_id} (`, el('span', { class: 'text-break' }, v.dataset_source),
      `), seed ${v.seed}, created ${when(v.created_at)}.`));
}

// Chart.js draws text itself (no HTML), so labels need no escaping.
function renderCharts(v) {
  if (typeof Chart === 'undefined') return;
  const det = v.metrics.det.filter((p) => p.fmr > 0);  // a log axis has no 0: ZeroFMR is in the summary
  if (detChart) detChart.destroy();
  detChart = new Chart($('#det-chart'), {
    type: 'line',
    data: {
      datasets: [
        { label: v.name, data: det.map((p) => ({ x: p.fmr, y: p.fnmr })), borderColor: PALETTE[0],
          backgroundColor: rgba(PALETTE[0], 0.2), pointRadius: 2, tension: 0 },
        { label: 'FMR = FNMR (EER)', data: det.map((p) => ({ x: p.fmr, y: p.fmr })), borderColor: '#adb5bd',
          borderDash: [5, 4], pointRadius: 0, borderWidth: 1 },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      parsing: false,
      scales: {
        x: { type: 'logarithmic', min: 0.001, max: 1, title: { display: true, text: 'false match rate (FMR)' } },
        y: { min: 0, max: 1, title: { display: true, text: 'false non-match rate (FNMR)' } },
      },
      plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: FMR ${fmt(c.parsed.x, 4)}, FNMR ${fmt(c.parsed.y, 4)}` } } },
    },
  });

  const users = v.metrics.users;
  if (eerChart) eerChart.destroy();
  eerChart = new Chart($('#eer-chart'), {
    data: {
      labels: users.map((u) => u.user),
      datasets: [
        { type: 'bar', label: 'EER', data: users.map((u) => u.eer), backgroundColor: rgba(PALETTE[1], 0.6), borderColor: PALETTE[1], borderWidth: 1 },
        { type: 'line', label: `mean ${fmt(v.metrics.eer_mean, 4)}`, data: users.map(() => v.metrics.eer_mean), borderColor: '#212529',
          borderDash: [6, 4], pointRadius: 0, borderWidth: 1 },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { min: 0, title: { display: true, text: 'equal error rate' } }, x: { ticks: { autoSkip: true, maxRotation: 90 } } },
      plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${fmt(c.parsed.y, 4)}` } } },
    },
  });
}

function renderUsers(v) {
  clear($('#users-table-box')).append(scrollBox(table([
    { label: 'user', value: (u) => u.user },
    { label: 'EER', value: (u) => fmt(u.eer, 4), class: 'num' },
    { label: 'ZeroFMR', value: (u) => fmt(u.zero_fmr, 4), class: 'num' },
    { label: 'FNMR at FMR 1%', value: (u) => fmt(u.fmr100, 4), class: 'num' },
    { label: 'threshold', value: (u) => String(Number(u.threshold.toPrecision(6))), class: 'num mono' },
    { label: 'FMR', value: (u) => fmt(u.fmr, 4), class: 'num' },
    { label: 'FNMR', value: (u) => fmt(u.fnmr, 4), class: 'num' },
    { label: 'genuine', value: (u) => int(u.n_genuine), class: 'num' },
    { label: 'impostors', value: (u) => int(u.n_impostor), class: 'num' },
  ], v.metrics.users, { id: 'users-table' }), '28rem'));
}

async function showVerifier(name) {
  clear($('#verifier-alert'));
  $('#verifier-delete').disabled = !name;
  if (!name) {
    current = null;
    $('#verifier').hidden = true;
    $('#verify-card').hidden = true;
    return;
  }
  try {
    current = await api('GET', `/verifiers/${encodeURIComponent(name)}`);
  } catch (e) {
    showError($('#verifier-alert'), e, `Loading “${name}”`);
    return;
  }
  $('#verifier').hidden = false;
  $('#verify-card').hidden = false;
  renderSummary(current);
  renderCharts(current);
  renderUsers(current);
  const userSelect = clear($('#verify-user'));
  for (const u of current.metrics.users) userSelect.append(el('option', { value: u.user }, u.user));
  clear($('#verify-result'));
  $('#verify-result').hidden = true;
  const url = new URL(window.location.href);
  url.searchParams.set('verifier', name);
  window.history.replaceState(null, '', url);
}

async function loadVerifiers(select) {
  let verifiers;
  try {
    verifiers = await api('GET', '/verifiers');
  } catch (e) {
    showError($('#verifier-alert'), e, 'Listing the verifiers');
    return;
  }
  clear(verifierSelect);
  if (!verifiers.length) verifierSelect.append(el('option', { value: '' }, 'none yet: enrol users above'));
  for (const v of verifiers) {
    verifierSelect.append(el('option', { value: v.name },
      `${v.name} · ${v.type} · ${v.metrics.users.length} users · EER ${fmt(v.metrics.eer_mean, 4)}`));
  }
  const wanted = verifiers.some((v) => v.name === select) ? select : verifiers.at(-1)?.name ?? '';
  verifierSelect.value = wanted;
  await showVerifier(wanted);
}

verifierSelect.addEventListener('change', () => showVerifier(verifierSelect.value));

$('#verifier-delete').addEventListener('click', async () => {
  const name = verifierSelect.value;
  if (!name || !window.confirm(`Delete the verifier “${name}”? This cannot be undone.`)) return;
  try {
    await api('DELETE', `/verifiers/${encodeURIComponent(name)}`);
    showAlert($('#verifier-alert'), 'success', `Verifier “${name}” deleted.`, 'Deleted.');
  } catch (e) {
    showError($('#verifier-alert'), e, `Deleting “${name}”`);
  }
  const alert = Array.from($('#verifier-alert').childNodes);
  await loadVerifiers();
  $('#verifier-alert').replaceChildren(...alert);
});

// ---- verifying ----

const source = () => document.querySelector('input[name="verify-source"]:checked').value;
for (const radio of document.querySelectorAll('input[name="verify-source"]')) {
  radio.addEventListener('change', () => {
    $('#verify-url-box').hidden = source() !== 'url';
    $('#verify-attempt-box').hidden = source() !== 'attempt';
  });
}

const decision = (accept) => badge(accept ? 'accept' : 'reject', accept ? 'success' : 'danger');

function renderOne(r) {
  const box = clear($('#verify-result'));
  box.hidden = false;
  box.append(el('div', { class: `alert ${r.accept ? 'alert-success' : 'alert-danger'} mb-0`, id: 'verify-decision' },
    el('strong', {}, r.accept ? 'Accepted: ' : 'Rejected: '),
    `the attempt scores ${Number(r.score.toPrecision(6))} for “`, el('span', {}, r.user_label), '”, whose threshold is ',
    `${Number(r.threshold.toPrecision(6))} (${r.type}).`));
}

function renderMany(r) {
  const box = clear($('#verify-result'));
  box.hidden = false;
  box.append(el('p', { id: 'verify-counts' }, 'Claimed user ', el('strong', {}, r.user_label), `, threshold ${Number(r.threshold.toPrecision(6))}: `,
    `${int(r.n_attempts)} attempts, ${int(r.n_ok)} scored, ${int(r.n_accepted)} accepted, ${int(r.n_ok - r.n_accepted)} rejected, `,
    `${int(r.n_attempts - r.n_ok)} invalid`, el('span', { class: 'text-muted' }, `; showing the first ${int(r.rows.length)}.`)));
  if (!r.rows.length) return;
  box.append(scrollBox(table([
    { label: 'attempt', value: (x) => String(x.attempt), class: 'num' },
    { label: 'decision', value: (x) => (x.status === 'ok' ? decision(x.accept)
      : el('span', {}, badge('invalid', 'warning'), el('span', { class: 'small text-muted ms-1' }, x.reason))) },
    { label: 'score', value: (x) => (x.status === 'ok' ? String(Number(x.score.toPrecision(6))) : '–'), class: 'num mono' },
  ], r.rows, { id: 'verify-table' }), '30rem'));
}

$('#verify-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear($('#verify-alert'));
  clear($('#verify-result')).hidden = true;  // no answer from an earlier question stays beside a new one
  if (!current) return;
  const user = $('#verify-user').value;
  const firstN = readFirstN($('#verify-first-n'));
  if (firstN === null) return;
  let request;
  if (source() === 'url') {
    const url = testUrlInput.value.trim();
    if (!fieldError(testUrlInput, url ? null : 'Enter the URL of a test file.')) return;
    remember('ksauth.testUrl', url);
    request = () => api('POST', `/verifiers/${encodeURIComponent(current.name)}/verify?first_n=${firstN}`, { body: { user_label: user, url } })
      .then(renderMany);
  } else {
    const input = $('#verify-attempt');
    let attempt;
    try {
      attempt = JSON.parse(input.value);
    } catch (e) {
      fieldError(input, `Not JSON: ${e.message}`);
      return;
    }
    if (!fieldError(input, Array.isArray(attempt) ? null : 'An attempt is a JSON array of events.')) return;
    request = () => api('POST', '/verify', { body: { model: current.name, user_label: user, attempt } }).then(renderOne);
  }
  await busy($('#verify-submit'), async () => {
    try {
      await request();
    } catch (e) {
      showError($('#verify-alert'), e, 'Verify');
    }
  });
});

// ---- start ----

async function init() {
  try {
    verifierTypes = await api('GET', '/verifier-types');
  } catch (e) {
    showError($('#enroll-alert'), e, 'Listing the verifier types');
    return;
  }
  const groups = { detector: el('optgroup', { label: 'Detectors (enrol on each user\'s genuine attempts)' }),
    classifier: el('optgroup', { label: 'Models (score: probability of the claimed user)' }) };
  for (const t of verifierTypes) groups[t.family].append(el('option', { value: `${t.family}:${t.type}` }, t.type));
  typeSelect.append(groups.detector, groups.classifier);
  showParams();
  await loadVerifiers(new URL(window.location.href).searchParams.get('verifier'));
  await tracker.resume();
}

init();
