import { api, el, $, clear, table, scrollBox, fmt, int, when, showAlert, showError } from './common.js';

const paramsList = (params) => {
  const entries = Object.entries(params || {});
  return entries.length
    ? el('ul', { class: 'list-unstyled small mb-0 mono' }, entries.map(([k, v]) => el('li', {}, `${k}=${v}`)))
    : el('span', { class: 'text-muted small' }, 'none');
};

const metricsList = (model) => {
  const m = model.metrics || {};
  return el('div', { class: 'small text-nowrap' },
    el('div', {}, `accuracy ${fmt(m.accuracy)} · F1 ${fmt(m.f1)}`),
    el('div', { class: 'text-muted' }, `P ${fmt(m.precision)} · R ${fmt(m.recall)}`),
    el('div', { class: 'text-muted' }, `ROC AUC ${fmt(m.roc_auc)} · top-3 ${fmt(m.top3_accuracy)}`),
    el('div', { class: 'text-muted' }, `n = ${int(m.n)} (holdout ${model.holdout}, seed ${model.seed})`));
};

async function remove(name) {
  if (!window.confirm(`Delete the model “${name}”? This cannot be undone.`)) return;
  try {
    const r = await api('DELETE', `/models/${encodeURIComponent(name)}`);
    showAlert($('#models-alert'), 'success', `Model “${r.deleted}” deleted.`, 'Deleted.');
  } catch (e) {
    showError($('#models-alert'), e, `Deleting “${name}”`);
  }
  await load();
}

function view(models) {
  if (!models.length) {
    return el('p', { class: 'text-muted', id: 'no-models' }, 'No model stored yet: train one on ', el('a', { href: 'train.html' }, 'Train'), '.');
  }
  return scrollBox(table([
    { label: 'name', value: (m) => el('span', { class: 'fw-semibold model-name' }, m.name) },
    { label: 'type', value: (m) => m.type },
    { label: 'parameters', value: (m) => paramsList(m.params) },
    { label: 'data set', value: (m) => el('div', { class: 'small' }, el('div', {}, `#${m.dataset_id}`),
      el('div', { class: 'text-break' }, m.dataset_source)), class: 'dataset-cell' },
    { label: 'created at', value: (m) => when(m.created_at), class: 'small text-nowrap' },
    { label: 'holdout metrics', value: (m) => metricsList(m) },
    { label: 'actions', value: (m) => el('div', { class: 'btn-group-vertical btn-group-sm', role: 'group', 'aria-label': `actions on ${m.name}` },
      el('a', { class: 'btn btn-outline-primary', href: `evaluate.html?model=${encodeURIComponent(m.name)}` }, 'Evaluate'),
      el('a', { class: 'btn btn-outline-secondary', href: `/api/v1/models/${encodeURIComponent(m.name)}/file`, download: `${m.name}.ksauth` }, 'Download'),
      el('button', { type: 'button', class: 'btn btn-outline-danger', dataset: { delete: m.name }, onclick: () => remove(m.name) }, 'Delete')) },
  ], models, { id: 'models-table' }), '75vh');
}

async function load() {
  try {
    const models = await api('GET', '/models');
    $('#models-count').textContent = String(models.length);
    clear($('#models')).append(view(models));
  } catch (e) {
    clear($('#models'));
    showError($('#models-alert'), e, 'Listing the models');
  }
}

load();
