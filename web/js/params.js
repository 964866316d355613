// A model type's parameters as form inputs (one per parameter, its default filled in), and reading them back.
import { el, clear, fieldError } from './common.js';

// type: {params: {name: default}} or undefined; box: the row the inputs go into.
export function renderParams(box, type, { idPrefix = 'param-', none = 'This model type has no parameters.' } = {}) {
  clear(box);
  const params = Object.entries(type?.params || {});
  if (!params.length) {
    box.append(el('div', { class: 'col-12 text-muted small' }, none));
    return;
  }
  for (const [name, def] of params) {
    const id = `${idPrefix}${name}`;
    const isInt = Number.isInteger(def);
    box.append(el('div', { class: 'col-sm-6 col-lg-3' },
      el('label', { for: id, class: 'form-label mono' }, name),
      typeof def === 'number'
        ? el('input', { type: 'number', class: 'form-control', id, value: String(def), step: isInt ? '1' : 'any', dataset: { param: name, kind: isInt ? 'int' : 'float', default: String(def) } })
        : el('input', { type: 'text', class: 'form-control', id, value: String(def), dataset: { param: name, kind: 'text', default: String(def) } }),
      el('div', { class: 'form-text' }, `default ${def}`)));
  }
}

// The values of the inputs in `box`, or null (with a message on each bad field).
export function readParams(box) {
  const params = {};
  let ok = true;
  for (const input of box.querySelectorAll('[data-param]')) {
    const { param, kind } = input.dataset;
    if (kind === 'text') { params[param] = input.value; continue; }
    const v = Number(input.value);
    const good = input.value.trim() !== '' && Number.isFinite(v) && (kind !== 'int' || Number.isInteger(v));
    ok = fieldError(input, good ? null : kind === 'int' ? 'A whole number.' : 'A number.') && ok;
    if (good) params[param] = v;
  }
  return ok ? params : null;
}

// "batch_size=64, dropout=0.2", or "none".
export function paramsText(params) {
  const entries = Object.entries(params || {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : 'none';
}

// The rule every model and verifier name follows (checked again by the server).
export const NAME_RULE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const NAME_HINT = 'A name of 1-64 letters, digits, “.”, “_” or “-”, starting with a letter or digit.';
