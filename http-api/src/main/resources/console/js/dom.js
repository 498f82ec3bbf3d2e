// Small DOM helpers shared by the views. Everything shown is set as text (never innerHTML), so a
// GPU's reason or a session's text can never become markup on the page.

/** el('td', {class: 'num', dataset: {gpu: id}, onclick: f}, 'text', child, ...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  append(node, children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element; attrs are set as attributes (class included), children as for el(). */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v);
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** Sets text only when it changed, so a patch that changes nothing does not disturb selection. */
export function setText(node, text) {
  const t = text === null || text === undefined ? '' : String(text);
  if (node.textContent !== t) node.textContent = t;
}

/** "4 s ago", "3 min ago", "2 h ago"; '' when unknown. */
export function rel(iso, now = Date.now()) {
  if (!iso) return '';
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** The local wall-clock time of an instant, to the second. */
export function clock(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], {hour12: false});
}

export function num(v) {
  return v === null || v === undefined ? '—' : String(v);
}

/**
 * The chaos report's status colours (chaos/.../report/TimelineLanes.statusColor), so the console
 * and the report read alike: green active, grey spare, orange suspect/resetting, yellow draining,
 * red cordoned/retired. Text colour keeps each badge readable on its fill.
 */
export const STATE_COLORS = {
  active: '#43a047', spare: '#bdbdbd', suspect: '#fb8c00', resetting: '#fb8c00',
  draining: '#fdd835', cordoned: '#e53935', retired: '#e53935',
};
const DARK_TEXT = new Set(['spare', 'draining', 'unregistered', 'unknown']);

export function stateColor(state) {
  return STATE_COLORS[state] || '#cfd8dc';
}

export function textOn(state) {
  return DARK_TEXT.has(state) || !STATE_COLORS[state] ? '#212121' : '#ffffff';
}

/** A state badge: colour AND its word, so it reads without colour vision too. */
export function badge(state) {
  const b = el('span', {class: 'state'});
  paintBadge(b, state);
  return b;
}

export function paintBadge(b, state) {
  const s = state || 'unknown';
  if (b.dataset.state === s) return;
  b.dataset.state = s;
  b.textContent = s;
  b.style.backgroundColor = stateColor(s);
  b.style.color = textOn(s);
}

/** Calls fn at most once per `ms`, trailing: a burst of events costs one refetch. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    if (timer !== null) return;
    timer = setTimeout(() => { timer = null; fn(...args); }, ms);
  };
}

export function shortId(id, keep = 14) {
  if (!id) return '';
  return id.length <= keep ? id : `${id.slice(0, keep - 1)}…`;
}
