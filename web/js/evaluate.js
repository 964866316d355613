import { api, el, $, clear, table, scrollBox, fmt, int, badge, busy, showAlert, showError, readFirstN, fieldError,
  remember } from './common.js';

const urlInput = $('#evaluate-url');
urlInput.value = localStorage.getItem('ksauth.testUrl') || '';
const modelSelect = $('#evaluate-model');

function readUrlAndModel() {
  const url = urlInput.value.trim();
  let ok = fieldError(urlInput, url ? null : 'Enter the URL of a test file.');
  ok = fieldError(modelSelect, modelSelect.value ? null : 'Train a model first (Train page).') && ok;
  if (!ok) return null;
  remember('ksauth.testUrl', url);
  return { url, model: modelSelect.value };
}

const pctText = (x) => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)}%`);

function renderPredictions(p) {
  $('#predictions').hidden = false;
  clear($('#predictions-summary')).append(el('p', {},
    'Model ', el('strong', {}, p.model), ', phrase ', el('code', {}, p.phrase), ': ',
    el('span', { id: 'predictions-counts' }, `${int(p.n_attempts)} attempts, ${int(p.n_ok)} ok, ${int(p.n_invalid)} invalid`),
    el('span', { class: 'text-muted' }, `; showing the first ${int(p.rows.length)}.`)));
  const box = clear($('#predictions-table-box'));
  if (!p.rows.length) {
    box.append(el('p', { class: 'text-muted' }, 'No rows to display (N = 0).'));
    return;
  }
  box.append(scrollBox(table([
    { label: 'attempt', value: (r) => String(r.attempt), class: 'num' },
    { label: 'status', value: (r) => el('span', {}, badge(r.status, r.status === 'ok' ? 'success' : 'warning'),
      r.reason ? el('span', { class: 'small text-muted ms-1' }, r.reason) : null) },
    { label: 'predicted user', value: (r) => r.predicted_user ?? '–' },
    { label: 'confidence', value: (r) => pctText(r.confidence), class: 'num' },
    { label: 'top 3', value: (r) => el('span', { class: 'small' },
      (r.top || []).map((t, i) => el('span', { class: 'me-2 text-nowrap' }, `${i + 1}. `, el('span', { class: 'fw-semibold' }, t.user), ` ${pctText(t.confidence)}`))) },
  ], p.rows, { id: 'predictions-table' }), '36rem'));
}

$('#evaluate-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clear($('#evaluate-alert'));
  const target = readUrlAndModel();
  const firstN = readFirstN($('#evaluate-first-n'));
  if (!target || firstN === null) return;
  await busy($('#view-predictions'), async () => {
    try {
      const p = await api('POST', `/models/${encodeURIComponent(target.model)}/predict?first_n=${firstN}`, { body: { url: target.url } });
      renderPredictions(p);
    } catch (e) {
      showError($('#evaluate-alert'), e, 'Predict');
    }
  });
});

$('#export-csv').addEventListener('click', async () => {
  clear($('#evaluate-alert'));
  const target = readUrlAndModel();
  if (!target) return;
  await busy($('#export-csv'), async () => {
    try {
      const blob = await api('POST', `/models/${encodeURIComponent(target.model)}/predict.csv`, { body: { url: target.url }, as: 'blob' });
      const href = URL.createObjectURL(new Blob([blob], { type: 'text/csv' }));
      const a = el('a', { href, download: 'output_predictions.csv', hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 60000);
      const rows = (await blob.text()).split('\n').filter((l) => l !== '').length - 1;
      showAlert($('#evaluate-alert'), 'success', `output_predictions.csv: ${int(rows)} predictions of model ${target.model}.`, 'Exported.');
    } catch (e) {
      showError($('#evaluate-alert'), e, 'Export');
    }
  });
});

async function loadModels() {
  const wanted = new URLSearchParams(location.search).get('model') || localStorage.getItem('ksauth.model');
  let models;
  try {
    models = await api('GET', '/models');
  } catch (e) {
    showError($('#evaluate-alert'), e, 'Listing the models');
    return;
  }
  clear(modelSelect);
  if (!models.length) {
    modelSelect.append(el('option', { value: '' }, '(no model stored)'));
    showAlert($('#evaluate-alert'), 'info', 'No model is stored yet: train one on the Train page.');
    return;
  }
  for (const m of models) {
    modelSelect.append(el('option', { value: m.name }, `${m.name} (${m.type})`));
  }
  modelSelect.value = models.some((m) => m.name === wanted) ? wanted : models[models.length - 1].name;
}

modelSelect.addEventListener('change', () => remember('ksauth.model', modelSelect.value));
loadModels();
