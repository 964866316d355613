// Shared helpers for the ksauth pages: the API client, safe DOM building (never innerHTML with data),
// the navbar, alerts, tables and number formatting.

export const API = '/api/v1';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// The server's API token, when it asks for one (ksauth serve --token-file): asked once per browser tab and
// kept for the tab only.
const TOKEN_KEY = 'ksauth.apiToken';

// Calls the JSON API. `body` is sent as JSON unless `raw` is set (then as is); `as` is 'json', 'text' or 'blob'.
// A non-2xx answer throws an ApiError carrying the server's {"error": "..."} line and the status. A 401 asks
// for the API token and tries once more with it.
export async function api(method, path, { body, raw = false, as = 'json' } = {}) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.body = raw ? body : JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const send = async () => {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) init.headers.Authorization = `Bearer ${token}`;
    try {
      return await fetch(API + path, init);
    } catch (e) {
      throw new ApiError(0, `cannot reach the ksauth server (${e.message})`);
    }
  };
  let res = await send();
  if (res.status === 401) {
    const token = window.prompt('This ksauth server asks for its API token for this action. Token:');
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token.trim());
      res = await send();
      if (res.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    }
  }
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const j = await res.json();
      if (j && typeof j.error === 'string') message = j.error;
    } catch { /* not JSON: keep the status line */ }
    throw new ApiError(res.status, message);
  }
  if (as === 'text') return res.text();
  if (as === 'blob') return res.blob();
  return res.json();
}

// el('td', {class: 'x', title: 't', dataset: {k: 'v'}, onclick: fn}, 'text', node, ...): every string is a text node.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(node.style, v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (v === true) node.setAttribute(k, '');
    else node.setAttribute(k, String(v));
  }
  append(node, ...children);
  return node;
}

export function append(node, ...children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export const $ = (sel, root = document) => root.querySelector(sel);

// Numbers: fixed digits, '' for null; percentages; seconds as milliseconds.
export function fmt(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return typeof x === 'number' ? x.toFixed(digits) : String(x);
}
export const pct = (x, digits = 1) => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(digits)}%`);
export const int = (x) => (x === null || x === undefined ? '–' : Number(x).toLocaleString('en-US'));
export const when = (iso) => (iso ? String(iso).replace('T', ' ').replace(/\.\d+$/, '') : '–');

export function badge(text, kind = 'secondary', attrs = {}) {
  return el('span', { class: `badge text-bg-${kind}`, ...attrs }, text);
}

// A dismissible Bootstrap alert put into `container` (replacing what it held); returns it.
export function showAlert(container, kind, message, title) {
  const box = el('div', { class: `alert alert-${kind} alert-dismissible fade show`, role: 'alert' },
    title ? el('strong', {}, title, ' ') : null,
    el('span', { class: 'alert-message' }, message),
    el('button', { type: 'button', class: 'btn-close', 'data-bs-dismiss': 'alert', 'aria-label': 'Close' }));
  clear(container).append(box);
  return box;
}

export function showError(container, err, what) {
  // The status is added unless the message already names it (a source's own "HTTP 404 ...").
  const named = err instanceof ApiError && err.status && err.message.includes(`HTTP ${err.status}`);
  const status = err instanceof ApiError && err.status && !named ? ` (HTTP ${err.status})` : '';
  return showAlert(container, 'danger', err.message + status, what ? `${what} failed:` : 'Error:');
}

// columns: [{label, value: row => string|Node, class, headClass, title}] -> a Bootstrap table.
export function table(columns, rows, { cls = 'table table-sm table-striped table-hover align-middle mb-0', id } = {}) {
  const thead = el('thead', { class: 'table-light' },
    el('tr', {}, columns.map((c) => el('th', { scope: 'col', class: c.headClass || c.class, title: c.title }, c.label))));
  const tbody = el('tbody', {}, rows.map((r, i) =>
    el('tr', {}, columns.map((c) => el('td', { class: c.class }, c.value(r, i))))));
  return el('table', { class: cls, id }, thead, tbody);
}

// A figure in a small card: the value large, its label under it (key: data-stat, for tests).
export function statCard(label, value, { key, extra } = {}) {
  return el('div', { class: 'col' }, el('div', { class: 'card stat h-100', dataset: key ? { stat: key } : undefined },
    el('div', { class: 'card-body py-2' }, el('div', { class: 'stat-value' }, value), el('div', { class: 'stat-label' }, label), extra)));
}

// A scrolling box around a table.
export function scrollBox(child, maxHeight = '26rem') {
  return el('div', { class: 'table-responsive border rounded scroll-box', style: { maxHeight } }, child);
}

// Disables a button and shows a spinner while `fn` runs.
export async function busy(button, fn) {
  const saved = Array.from(button.childNodes);
  button.disabled = true;
  button.replaceChildren(el('span', { class: 'spinner-border spinner-border-sm me-1', 'aria-hidden': 'true' }),
    ...saved.map((n) => n.cloneNode(true)));
  try {
    return await fn();
  } finally {
    button.replaceChildren(...saved);
    button.disabled = false;
  }
}

// Marks an input invalid with a message under it (Bootstrap's .invalid-feedback), or clears it.
export function fieldError(input, message) {
  let fb = input.parentElement.querySelector(`.invalid-feedback[data-for="${input.id}"]`);
  if (!message) {
    input.classList.remove('is-invalid');
    if (fb) fb.textContent = '';
    return true;
  }
  if (!fb) {
    fb = el('div', { class: 'invalid-feedback', dataset: { for: input.id } });
    input.insertAdjacentElement('afterend', fb);
  }
  fb.textContent = message;
  input.classList.add('is-invalid');
  return false;
}

// "display first N rows": an integer in [0, 1000], else a message on the field and null.
export function readFirstN(input) {
  const raw = input.value.trim();
  const n = Number(raw);
  if (raw === '' || !Number.isInteger(n) || n < 0) {
    fieldError(input, 'Enter a whole number from 0 to 1000.');
    return null;
  }
  if (n > 1000) {
    fieldError(input, `At most 1000 rows can be shown (got ${n}); the CSV export has every row.`);
    return null;
  }
  fieldError(input, null);
  return n;
}

// URLs typed on one page are offered on the others.
export function rememberedInput(input, key) {
  const saved = localStorage.getItem(key);
  if (saved && !input.value) input.value = saved;
  input.addEventListener('change', () => localStorage.setItem(key, input.value.trim()));
}
export function remember(key, value) {
  try { localStorage.setItem(key, value); } catch { /* private mode */ }
}

// A colour per series (Bootstrap's palette).
export const PALETTE = ['#0d6efd', '#dc3545', '#198754', '#fd7e14', '#6f42c1', '#20c997', '#d63384', '#0dcaf0',
  '#6c757d', '#ffc107'];
export function rgba(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

const PAGES = [
  ['index', 'index.html', 'Home'],
  ['analyze', 'analyze.html', 'Analyze'],
  ['train', 'train.html', 'Train'],
  ['evaluate', 'evaluate.html', 'Evaluate'],
  ['models', 'models.html', 'Models'],
  ['verify', 'verify.html', 'Verify'],
];

function renderNavbar() {
  const slot = document.getElementById('navbar');
  if (!slot) return;
  const active = document.body.dataset.page;
  const links = PAGES.map(([key, href, label]) => el('li', { class: 'nav-item' },
    el('a', { class: `nav-link${key === active ? ' active' : ''}`, href, 'aria-current': key === active ? 'page' : null }, label)));
  slot.replaceWith(el('nav', { class: 'navbar navbar-expand-md navbar-dark bg-dark', id: 'navbar' },
    el('div', { class: 'container' },
      el('a', { class: 'navbar-brand fw-semibold', href: 'index.html' }, 'ksauth'),
      el('button', { class: 'navbar-toggler', type: 'button', 'data-bs-toggle': 'collapse', 'data-bs-target': '#nav-links',
        'aria-controls': 'nav-links', 'aria-expanded': 'false', 'aria-label': 'Toggle navigation' },
        el('span', { class: 'navbar-toggler-icon' })),
      el('div', { class: 'collapse navbar-collapse', id: 'nav-links' },
        el('ul', { class: 'navbar-nav me-auto' }, links),
        el('span', { class: 'navbar-text small', id: 'server-version' })))));
  api('GET', '/health').then((h) => { $('#server-version').textContent = `server ${h.status}, v${h.version}`; })
    .catch(() => { $('#server-version').textContent = 'server unreachable'; });
}

renderNavbar();
