import { api, el, $, clear, table, scrollBox, fmt, int, when, badge, showError } from './common.js';

function datasetsView(list) {
  if (!list.length) {
    return el('p', { class: 'text-muted' }, 'No data set yet: load one on ', el('a', { href: 'analyze.html' }, 'Analyze'),
      ' or train on ', el('a', { href: 'train.html' }, 'Train'), '.');
  }
  return scrollBox(table([
    { label: 'id', value: (d) => String(d.id), class: 'num' },
    { label: 'source', value: (d) => el('span', { class: 'mono small text-break d-inline-block', style: { minWidth: '16rem' } }, d.source) },
    { label: 'phrase', value: (d) => el('code', {}, d.phrase) },
    { label: 'users', value: (d) => int(d.n_users), class: 'num' },
    { label: 'attempts', value: (d) => int(d.n_attempts), class: 'num' },
    { label: 'valid', value: (d) => int(d.n_valid), class: 'num' },
    { label: 'pages', value: (d) => int(d.n_pages), class: 'num' },
    { label: 'chain', value: (d) => (d.failure ? badge('stopped early', 'warning', { title: `stopped at page ${d.failure.page}: ${d.failure.reason}` }) : badge('complete', 'success')) },
    { label: 'fetched at', value: (d) => when(d.fetched_at), class: 'small text-nowrap' },
  ], list, { id: 'datasets-table' }), '20rem');
}

function modelsView(list) {
  if (!list.length) {
    return el('p', { class: 'text-muted' }, 'No model yet: train one on ', el('a', { href: 'train.html' }, 'Train'), '.');
  }
  return scrollBox(table([
    { label: 'name', value: (m) => el('a', { href: `evaluate.html?model=${encodeURIComponent(m.name)}` }, m.name) },
    { label: 'type', value: (m) => m.type },
    { label: 'data set', value: (m) => el('span', { class: 'mono small text-break' }, `#${m.dataset_id} ${m.dataset_source}`) },
    { label: 'accuracy', value: (m) => fmt(m.metrics?.accuracy), class: 'num' },
    { label: 'F1', value: (m) => fmt(m.metrics?.f1), class: 'num' },
    { label: 'created at', value: (m) => when(m.created_at), class: 'small text-nowrap' },
  ], list, { id: 'models-table' }), '20rem');
}

function verifiersView(list) {
  if (!list.length) {
    return el('p', { class: 'text-muted' }, 'No verifier yet: enrol users on ', el('a', { href: 'verify.html' }, 'Verify'), '.');
  }
  return scrollBox(table([
    { label: 'name', value: (v) => el('a', { href: `verify.html?verifier=${encodeURIComponent(v.name)}` }, v.name) },
    { label: 'type', value: (v) => v.type },
    { label: 'data set', value: (v) => el('span', { class: 'mono small text-break' }, `#${v.dataset_id} ${v.dataset_source}`) },
    { label: 'users', value: (v) => int(v.metrics.users.length), class: 'num' },
    { label: 'mean EER', value: (v) => fmt(v.metrics.eer_mean, 4), class: 'num' },
    { label: 'thresholds at', value: (v) => (v.target_fmr === null ? 'each user\'s EER' : `FMR ${fmt(v.target_fmr, 4)}`) },
    { label: 'created at', value: (v) => when(v.created_at), class: 'small text-nowrap' },
  ], list, { id: 'verifiers-table' }), '20rem');
}

// Fills one section of the page with its list, or says in the page's alert why the list could not be read.
function fill(section, result, view, what) {
  clear($(`#${section}`));
  if (result.status === 'fulfilled') {
    $(`#${section}`).append(view(result.value));
    $(`#${section}-count`).textContent = String(result.value.length);
  } else {
    showError($('#home-alert'), result.reason, `Listing the ${what}`);
  }
}

async function load() {
  const [datasets, models, verifiers] = await Promise.allSettled(
    [api('GET', '/datasets'), api('GET', '/models'), api('GET', '/verifiers')]);
  fill('datasets', datasets, datasetsView, 'data sets');
  fill('models', models, modelsView, 'models');
  fill('verifiers', verifiers, verifiersView, 'verifiers');
}

load();
