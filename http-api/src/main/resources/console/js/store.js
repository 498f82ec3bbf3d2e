// What the views share: the node's overview, the GPU rows, and the feed's recent events (the
// Failures timeline draws from these). One place holds them so every view sees the same fleet.

import {api} from './api.js';

/** The Failures view's longest window is 30 min; keep a little more so its left edge is complete. */
const KEEP_MS = 31 * 60 * 1000;
const KEEP_MAX = 20000;

export const store = {
  overview: null,
  /** GPU id -> the /admin/workers row, patched from feed events between fetches. */
  workers: new Map(),
  workersLoadedAt: 0,
  /** Feed events in arrival order (the node replays its history in time order first). */
  events: [],
};

export function resetStore() {
  store.overview = null;
  store.workers = new Map();
  store.workersLoadedAt = 0;
  store.events = [];
}

export async function loadWorkers() {
  const list = await api('/admin/workers');
  const rows = new Map();
  for (const row of (list && list.data) || []) rows.set(row.id, row);
  store.workers = rows;
  store.workersLoadedAt = Date.now();
  return rows;
}

export function keepEvent(ev) {
  store.events.push(ev);
  const horizon = Date.now() - KEEP_MS;
  let drop = 0;
  while (drop < store.events.length && (Date.parse(store.events[drop].at) < horizon)) drop++;
  if (store.events.length - drop > KEEP_MAX) drop = store.events.length - KEEP_MAX;
  if (drop > 0) store.events.splice(0, drop);
}

/**
 * Patches a GPU row from a feed event at once, so the table changes within the second; the
 * refetch that follows brings the rest (sessions, KV blocks). An event older than what the row
 * already shows (the replay of history after a fetch) is ignored rather than turning it back.
 * Returns whether the row changed.
 */
export function applyToWorker(ev) {
  const row = store.workers.get(ev.gpu);
  if (!row) return false;
  const at = Date.parse(ev.at);
  if (ev.type === 'gpu.state' || ev.type === 'gpu.promoted') {
    if (row.since && at < Date.parse(row.since)) return false;
    row.state = ev.type === 'gpu.promoted' ? 'active' : ev.to;
    row.reason = ev.reason;
    row.changed_by = ev.by;
    row.since = ev.at;
    return true;
  }
  if (ev.type === 'gpu.xid') {
    if (row.last_xid && row.last_xid.at && at < Date.parse(row.last_xid.at)) return false;
    row.last_xid = {code: ev.code, class: ev.xidClass, detail: ev.detail, reported_by: ev.by, at: ev.at};
    return true;
  }
  return false;
}

/** GPU rows in display order: by node, then host, then id. */
export function sortedWorkers() {
  return [...store.workers.values()].sort((a, b) =>
    cmp(a.node, b.node) || cmp(a.host, b.host) || cmp(a.id, b.id));
}

function cmp(a, b) {
  return String(a || '').localeCompare(String(b || ''));
}
