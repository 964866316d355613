import { api, el, $, append, clear, table, scrollBox, fmt, int, when, badge, busy, showAlert, showError, fieldError, remember,
  PALETTE, rgba } from './common.js';

const POLL_MS = 300;
let modelTypes = [];
let jobId = null;
let pollTimer = null;
let chart = null;

const urlInput = $('#train-url');
urlInput.value = localStorage.getItem('ksauth.trainUrl') || '';

// ---- the form ----

function renderParams() {
  const type = modelTypes.find((t) => t.type === $('#train-type').value);
  const box = clear($('#train-params'));
  const params = Object.entries(type?.params || {});
  if (!params.length) {
    box.append(el('div', { class: 'col-12 text-muted small' }, 'This model type has no parameters.'));
    return;
  }
  for (const [name, def] of params) {
    const id = `param-${name}`;
    const isInt = Number.isInteger(def);
    box.append(el('div', { class: 'col-sm-6 col-lg-3' },
      el('label', { for: id, class: 'form-label mono' }, name),
      typeof def === 'number'
        ? el('input', { type: 'number', class: 'form-control', id, value: String(def), step: isInt ? '1' : 'any', dataset: { param: name, kind: isInt ? 'int' : 'float', default: String(def) } })
        : el('input', { type: 'text', class: 'form-control', id, value: String(def), dataset: { param: name, kind: 'text', default: String(def) } }),
      el('div', { class: 'form-text' }, `default ${def}`)));
  }
}

function readParams() {
  const params = {};
  let ok = true;
  for (const input of document.querySelectorAll('#train-params [data-param]')) {
    const { param, kind } = input.dataset;
    if (kind === 'text') { params[param] = input.value; continue; }
    const v = Number(input.value);
    const good = input.value.trim() !== '' && Number.isFinite(v) && (kind !== 'int' || Number.isInteger(v));
    ok = fieldError(input, good ? null : kind === 'int' ? 'A whole number.' : 'A number.') && ok;
    if (good) params[param] = v;
  }
  return ok ? params : null;
}

function readForm() {
  const url = urlInput.value.trim();
  const holdoutInput = $('#train-holdout');
  const holdout = Number(holdoutInput.value);
  const seedInput = $('#train-seed');
  const seed = Number(seedInput.value);
  const nameInput = $('#train-name');
  const name = nameInput.value.trim();
  const minInput = $('#train-min-attempts');
  const minAttempts = Number(minInput.value || '1');
  let ok = fieldError(urlInput, url ? null : 'Enter the URL of the first page of a training chain.');
  ok = fieldError(holdoutInput, holdoutInput.value !== '' && holdout > 0 && holdout < 1 ? null : 'The holdout is a fraction strictly between 0 and 1, e.g. 0.2.') && ok;
  ok = fieldError(seedInput, seedInput.value !== '' && Number.isInteger(seed) && seed >= 0 ? null : 'A whole number, 0 or more.') && ok;
  ok = fieldError(nameInput, /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name) ? null : 'A name of 1-64 letters, digits, “.”, “_” or “-”, starting with a letter or digit.') && ok;
  ok = fieldError(minInput, Number.isInteger(minAttempts) && minAttempts >= 1 ? null : 'A whole number, 1 or more.') && ok;
  const params = readParams();
  if (!ok || !params) return null;
  const phrase = $('#train-phrase').value;
  return { url, model: $('#train-type').value, name, holdout, seed, params, replace: $('#train-replace').checked,
    phrase: phrase === '' ? null : phrase, min_attempts: minAttempts, refresh: $('#train-refresh').checked };
}

// ---- the job ----

function stepText(job) {
  switch (job.step) {
    case 'download': return job.total ? `download page ${job.done} of ${job.total}` : `download page ${job.done}`;
    case 'training': return `training round ${job.done} of ${job.total}`;
    case 'reading the store': return 'reading the store';
    default:  // the neural models: "epoch 3: loss 0.52, validation accuracy 0.88"
      return job.step.startsWith('epoch ') ? `${job.step} (at most ${job.total} epochs)` : job.step;
  }
}

const STATUS_KIND = { queued: 'secondary', running: 'primary', done: 'success', failed: 'danger', cancelled: 'warning' };

function showJob(job) {
  $('#job-card').hidden = false;
  $('#job-id').textContent = `#${job.id}`;
  $('#job-name').textContent = `${job.request?.model ?? ''} “${job.request?.name ?? ''}”`;
  clear($('#job-status')).append(badge(job.status, STATUS_KIND[job.status] || 'secondary', { id: 'job-status-badge' }));
  const percent = Math.max(0, Math.min(100, Math.round(job.percent ?? 0)));
  const bar = $('#job-bar');
  $('#job-progress').setAttribute('aria-valuenow', String(percent));
  bar.style.width = `${percent}%`;
  bar.textContent = `${percent}%`;
  const active = job.status === 'queued' || job.status === 'running';
  bar.classList.toggle('progress-bar-animated', active);
  bar.classList.toggle('progress-bar-striped', active);
  bar.classList.toggle('bg-success', job.status === 'done');
  bar.classList.toggle('bg-danger', job.status === 'failed');
  bar.classList.toggle('bg-warning', job.status === 'cancelled');
  $('#job-step').textContent = job.status === 'done' && job.result
    ? `done: ${int(job.result.n_train)} attempts trained in ${fmt(job.result.fit_seconds, 2)} s, ${int(job.result.n_holdout)} held out`
    : stepText(job);
  $('#job-cancel').hidden = !active;
}

async function poll() {
  pollTimer = null;
  if (jobId === null) return;
  let job;
  try {
    job = await api('GET', `/jobs/${encodeURIComponent(jobId)}`);
  } catch (e) {
    showError($('#train-alert'), e, 'Following the job');
    return;
  }
  showJob(job);
  if (job.status === 'queued' || job.status === 'running') {
    pollTimer = setTimeout(poll, POLL_MS);
    return;
  }
  $('#train-submit').disabled = false;
  if (job.status === 'done' && job.result) {
    renderResult(job.result);
  } else if (job.status === 'failed') {
    showAlert($('#train-alert'), 'danger', job.error || 'the job failed', 'Training failed:');
  } else if (job.status === 'cancelled') {
    showAlert($('#train-alert'), 'warning', 'The job was cancelled; no model was stored.', 'Cancelled.');
  }
}

function follow(job) {
  jobId = job.id;
  if (pollTimer) clearTimeout(pollTimer);
  showJob(job);
  $('#train-submit').disabled = true;
  pollTimer = setTimeout(poll, POLL_MS);
}

// ---- the result ----

const METRICS = [['accuracy', 'accuracy'], ['precision', 'precision'], ['recall', 'recall'], ['f1', 'F1'], ['roc_auc', 'ROC AUC']];

function renderResult(r) {
  $('#result').hidden = false;
  $('#result-name').textContent = r.model.name;
  const stat = (label, value) => el('div', { class: 'col' }, el('div', { class: 'card stat h-100' },
    el('div', { class: 'card-body py-2' }, el('div', { class: 'stat-value' }, value), el('div', { class: 'stat-label' }, label))));
  append(clear($('#result-summary')),
    el('div', { class: 'row row-cols-2 row-cols-sm-4 row-cols-lg-8 g-2 mb-2' },
      stat('accuracy', fmt(r.accuracy)), stat('precision', fmt(r.precision)), stat('recall', fmt(r.recall)),
      stat('F1', fmt(r.f1)), stat('ROC AUC', fmt(r.roc_auc)), stat('top-3 accuracy', fmt(r.top3_accuracy)),
      stat('users', int(r.n_users)), stat('fit seconds', fmt(r.fit_seconds, 2))),
    el('p', { class: 'small text-muted mb-0' }, `${r.model.type}, parameters ${paramsText(r.model.params)}; `,
      `${int(r.n_train)} training and ${int(r.n_holdout)} holdout attempts of data set #${r.dataset.id} (phrase `,
      el('code', {}, r.phrase.text), `, ${r.phrase.source}).`, r.fit_summary ? ` Training: ${r.fit_summary}.` : ''),
    r.failure ? el('div', { class: 'alert alert-warning mt-2' }, `The chain stopped at page ${r.failure.page}: ${r.failure.reason}`) : null);
  renderComparison(r);
  renderConfusion(r.labels, r.confusion);
  $('#result').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

export function paramsText(params) {
  const entries = Object.entries(params || {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : 'none';
}

function renderComparison(r) {
  const models = r.comparison;
  const newName = r.model.name;
  const tbl = table([
    { label: 'model', value: (m) => el('span', {}, m.name, m.name === newName ? el('span', { class: 'badge text-bg-success ms-1' }, 'new') : null) },
    { label: 'type', value: (m) => m.type },
    { label: 'parameters', value: (m) => el('span', { class: 'small' }, paramsText(m.params)) },
    ...METRICS.map(([k, label]) => ({ label, value: (m) => fmt(m.metrics?.[k]), class: 'num' })),
    { label: 'holdout', value: (m) => `${m.holdout} (n=${int(m.metrics?.n)})`, class: 'num small' },
    { label: 'created at', value: (m) => when(m.created_at), class: 'small text-nowrap' },
  ], models, { id: 'comparison-table' });
  [...tbl.tBodies[0].rows].forEach((row, i) => { if (models[i].name === newName) row.classList.add('table-success'); });
  clear($('#comparison')).append(scrollBox(tbl, '22rem'));

  if (typeof Chart === 'undefined') return;
  if (chart) chart.destroy();
  chart = new Chart($('#comparison-chart'), {
    type: 'bar',
    data: {
      labels: METRICS.map(([, label]) => label),
      datasets: models.map((m, i) => {
        const c = PALETTE[i % PALETTE.length];
        return { label: m.name, data: METRICS.map(([k]) => m.metrics?.[k] ?? null), backgroundColor: rgba(c, m.name === newName ? 0.9 : 0.55),
          borderColor: c, borderWidth: m.name === newName ? 2 : 1 };
      }),
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { min: 0, max: 1, title: { display: true, text: 'holdout score' } } },
      plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${fmt(c.parsed.y)}` } } },
    },
  });
}

function renderConfusion(labels, confusion) {
  const max = Math.max(1, ...confusion.flat());
  const thead = el('thead', {}, el('tr', {},
    el('th', { class: 'corner', scope: 'col' }, 'true \\ predicted'),
    labels.map((l) => el('th', { scope: 'col', title: `predicted ${l}` }, l))));
  const tbody = el('tbody', {}, confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return el('tr', {}, el('th', { scope: 'row', title: `true ${labels[i]}: ${total} holdout attempts` }, labels[i]),
      row.map((v, j) => {
        const alpha = v / max;
        const cls = [i === j ? 'diag' : '', v === 0 ? 'zero' : ''].join(' ').trim();
        return el('td', {
          class: cls || null, title: `true ${labels[i]}, predicted ${labels[j]}: ${v}`,
          style: { backgroundColor: `rgba(13, 110, 253, ${alpha.toFixed(3)})`, color: alpha > 0.55 ? '#fff' : null },
        }, String(v));
      }));
  }));
  const correct = confusion.reduce((a, row, i) => a + row[i], 0);
  const total = confusion.flat().reduce((a, b) => a + b, 0);
  clear($('#confusion')).append(
    el('p', { class: 'small text-muted mb-1' }, `${labels.length} users; ${int(correct)} of ${int(total)} holdout attempts on the diagonal. `,
      'Colour: count relative to the largest cell; hover a cell for its meaning.'),
    el('div', { class: 'confusion-box border rounded d-inline-block mw-100' }, el('table', { class: 'confusion', id: 'confusion-table' }, thead, tbody)));
}

// ---- wiring ----

$('#train-type').addEventListener('change', renderParams);

$('#train-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear($('#train-alert'));
  const body = readForm();
  if (!body) return;
  remember('ksauth.trainUrl', body.url);
  await busy($('#train-submit'), async () => {
    try {
      const job = await api('POST', '/jobs', { body });
      $('#result').hidden = true;
      follow(job);
    } catch (e) {
      showError($('#train-alert'), e, 'Starting the training');
    }
  });
  if (jobId !== null && pollTimer) $('#train-submit').disabled = true;
});

$('#job-cancel').addEventListener('click', async () => {
  if (jobId === null) return;
  try {
    showJob(await api('POST', `/jobs/${encodeURIComponent(jobId)}/cancel`));
  } catch (e) {
    showError($('#train-alert'), e, 'Cancel');
  }
});

async function init() {
  try {
    modelTypes = await api('GET', '/model-types');
  } catch (e) {
    showError($('#train-alert'), e, 'Listing the model types');
    return;
  }
  const select = $('#train-type');
  for (const t of modelTypes) select.append(el('option', { value: t.type }, t.type));
  renderParams();
  // A job still running (the page was reloaded): follow it again.
  try {
    const jobs = await api('GET', '/jobs');
    const active = jobs.find((j) => j.status === 'running' || j.status === 'queued');
    if (active) follow(active);
  } catch { /* not essential */ }
}

init();
