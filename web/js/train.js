import { api, el, $, append, clear, table, scrollBox, statCard, fmt, int, when, busy, showError, fieldError, remember,
  PALETTE, rgba } from './common.js';
import { jobTracker } from './job.js';
import { renderParams, readParams, paramsText, NAME_RULE, NAME_HINT } from './params.js';

let modelTypes = [];
let chart = null;

const urlInput = $('#train-url');
urlInput.value = localStorage.getItem('ksauth.trainUrl') || '';

// ---- the form ----

const paramsBox = $('#train-params');
const showParams = () => renderParams(paramsBox, modelTypes.find((t) => t.type === $('#train-type').value));

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
  ok = fieldError(nameInput, NAME_RULE.test(name) ? null : NAME_HINT) && ok;
  ok = fieldError(minInput, Number.isInteger(minAttempts) && minAttempts >= 1 ? null : 'A whole number, 1 or more.') && ok;
  const params = readParams(paramsBox);
  if (!ok || !params) return null;
  const phrase = $('#train-phrase').value;
  return { url, model: $('#train-type').value, name, holdout, seed, params, replace: $('#train-replace').checked,
    phrase: phrase === '' ? null : phrase, min_attempts: minAttempts, refresh: $('#train-refresh').checked };
}

// ---- the job ----

const tracker = jobTracker({
  kind: 'train',
  alert: $('#train-alert'),
  submit: $('#train-submit'),
  onDone: renderResult,
  failTitle: 'Training failed:',
  cancelledText: 'The job was cancelled; no model was stored.',
});

// ---- the result ----

const METRICS = [['accuracy', 'accuracy'], ['precision', 'precision'], ['recall', 'recall'], ['f1', 'F1'], ['roc_auc', 'ROC AUC']];

function renderResult(r) {
  $('#result').hidden = false;
  $('#result-name').textContent = r.model.name;
  const stat = (label, value) => statCard(label, value);
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
  if (!confusion) {
    clear($('#confusion')).append(el('p', { class: 'small text-muted mb-1' },
      `${labels.length} users: too many for a confusion matrix (it is kept for 500 users at most).`));
    return;
  }
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

$('#train-type').addEventListener('change', showParams);

$('#train-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear($('#train-alert'));
  tracker.forget();
  const body = readForm();
  if (!body) return;
  remember('ksauth.trainUrl', body.url);
  await busy($('#train-submit'), async () => {
    try {
      const job = await api('POST', '/jobs', { body });
      $('#result').hidden = true;
      tracker.follow(job);
    } catch (e) {
      showError($('#train-alert'), e, 'Starting the training');
    }
  });
  if (tracker.following()) $('#train-submit').disabled = true;
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
  showParams();
  await tracker.resume();
}

init();
