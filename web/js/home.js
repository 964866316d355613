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

async function load() {
  const [datasets, models] = await Promise.allSettled([api('GET', '/datasets'), api('GET', '/models')]);
  if (datasets.status === 'fulfilled') {
    clear($('#datasets')).append(datasetsView(datasets.value));
    $('#datasets-count').textContent = String(datasets.value.length);
  } else {
    clear($('#datasets'));
    showError($('#home-alert'), datasets.reason, 'Listing the data sets');
  }
  if (models.status === 'fulfilled') {
    clear($('#models')).append(modelsView(models.value));
    $('#models-count').textContent = String(models.value.length);
  } else {
    clear($('#models'));
    showError($('#home-alert'), models.reason, 'Listing the models');
  }
}

load();
