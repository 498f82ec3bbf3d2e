// The Fleet view: each model's pool, then one row per GPU grouped by node and host, with the
// operator's actions. Rows are built once and patched in place, so an open action form keeps its
// text and focus while events stream in.

import {api} from './api.js';
import {badge, clear, debounce, el, num, paintBadge, rel, setText} from './dom.js';
import {applyToWorker, loadWorkers, sortedWorkers, store} from './store.js';
import {ActionForm} from './actions.js';
import {EventLog} from './eventlog.js';

const COLUMNS = [
  ['GPU', 'c-gpu'], ['State', 'c-state'], ['Reason', 'c-reason'], ['Who', 'c-by'], ['Since', 'c-since'],
  ['Sessions', 'c-num'], ['KV blocks', 'c-num'], ['Last XID', 'c-xid'], ['Actions', 'c-actions'],
];

export class FleetView {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.pollMs = 10000;
    this.rows = new Map(); // gpu id -> {tr, cells}
    this.layoutKey = '';
    this.form = new ActionForm(this);
    this.refreshSoon = debounce(() => this.refresh(), 300);
    this.build();
  }

  build() {
    this.pools = el('div', {class: 'pools', 'aria-label': 'Pools per model', role: 'group'});
    this.message = el('p', {class: 'message', role: 'status'});
    this.tbody = el('tbody');
    const colgroup = el('colgroup', {}, COLUMNS.map(([, c]) => el('col', {class: c})));
    const head = el('thead', {}, el('tr', {}, COLUMNS.map(([t, c]) => el('th', {scope: 'col', class: c === 'c-num' ? 'num' : null, text: t}))));
    this.table = el('table', {class: 'grid fleet'}, colgroup, head, this.tbody);
    this.log = new EventLog();
    this.root.append(
      el('h2', {class: 'visually-hidden', text: 'Fleet'}),
      this.pools, this.message,
      el('div', {class: 'scroll fleet-scroll'}, this.table),
      this.log.root);
  }

  show() {
    this.refresh();
  }

  async refresh() {
    const [workers, pools] = await Promise.allSettled([loadWorkers(), api('/admin/pools')]);
    if (!this.app.live()) return;
    if (workers.status === 'fulfilled') {
      setText(this.message, '');
      this.render();
    } else {
      setText(this.message, `GPU list unavailable: ${workers.reason.message}`);
    }
    // Pools are read once; after that the feed's pool.level events keep them (a slower refresh
    // answered after a newer event would otherwise put an old level back).
    if (pools.status === 'fulfilled' && !this.poolCards) this.renderPools((pools.value && pools.value.data) || []);
  }

  onEvent(ev) {
    this.log.add(ev);
    if (ev.type === 'gpu.state' || ev.type === 'gpu.promoted' || ev.type === 'gpu.xid') {
      if (applyToWorker(ev)) this.patchRow(store.workers.get(ev.gpu));
      this.refreshSoon();
    } else if (ev.type === 'pool.level') {
      this.patchPool(ev);
    } else if (ev.type === 'attempt.placed' || ev.type === 'session.ended' || ev.type === 'attempt.failed') {
      this.refreshSoon(); // sessions per GPU changed
    }
  }

  tick() {
    for (const [id, r] of this.rows) {
      const row = store.workers.get(id);
      if (row) setText(r.cells.since, rel(row.since));
    }
  }

  renderPools(list) {
    this.poolCards = new Map();
    clear(this.pools);
    if (!list.length) this.pools.append(el('span', {class: 'muted', text: 'No pool reported yet'}));
    for (const p of list) {
      const card = el('div', {class: 'pool', dataset: {model: p.model}});
      this.poolCards.set(p.model, card);
      this.pools.append(card);
      this.patchPool(this.earlyPools && this.earlyPools.get(p.model) || p);
    }
    this.earlyPools = null;
  }

  patchPool(p) {
    let card = this.poolCards && this.poolCards.get(p.model);
    if (!card) {
      if (!this.poolCards) {
        // Heard before the first list arrived, which may be older: kept to win over it.
        (this.earlyPools = this.earlyPools || new Map()).set(p.model, p);
        return;
      }
      if (this.poolCards.size === 0) clear(this.pools);
      card = el('div', {class: 'pool', dataset: {model: p.model}});
      this.poolCards.set(p.model, card);
      this.pools.append(card);
    }
    clear(card).append(
      el('span', {class: 'pool-model', text: p.model}),
      el('span', {class: 'pool-active', text: `${p.active}/${p.target} active`}),
      el('span', {class: 'pool-spares', text: `${p.spares} spare${p.spares === 1 ? '' : 's'}`}));
    card.classList.toggle('short', p.active < p.target);
  }

  render() {
    const rows = sortedWorkers();
    const key = rows.map((r) => `${r.node}|${r.host}|${r.id}`).join(',');
    if (key !== this.layoutKey) this.rebuild(rows, key);
    for (const row of rows) this.patchRow(row);
    this.form.reattach();
  }

  /** Only when GPUs come or go: the table's structure changes, so it is laid out anew. */
  rebuild(rows, key) {
    this.layoutKey = key;
    this.rows.clear();
    clear(this.tbody);
    if (!rows.length) {
      this.tbody.append(el('tr', {}, el('td', {colspan: COLUMNS.length, class: 'muted', text: 'No GPU reported yet'})));
    }
    let group = null;
    for (const row of rows) {
      const g = `${row.node} · ${row.host}`;
      if (g !== group) {
        group = g;
        this.tbody.append(el('tr', {class: 'group'},
          el('th', {colspan: COLUMNS.length, scope: 'colgroup', text: `node ${row.node || '?'} · host ${row.host || '?'}`})));
      }
      this.tbody.append(this.makeRow(row));
    }
  }

  makeRow(row) {
    const cells = {
      // Rows sit under their host's heading, so the id's host part is said once there; the
      // full id stays on the second line for copying.
      gpu: el('td', {class: 'gpu', title: `${row.id} (${row.model || '?'})`},
        el('span', {class: 'gpu-id', text: shortName(row)}), el('span', {class: 'gpu-full', text: row.id})),
      state: el('td', {}, badge(row.state)),
      reason: el('td', {class: 'reason'}),
      by: el('td', {class: 'by'}),
      since: el('td', {class: 'since'}),
      sessions: el('td', {class: 'num sessions'}),
      kv: el('td', {class: 'num kv'}),
      xid: el('td', {class: 'xid'}),
      actions: el('td', {class: 'actions'}, this.buttons(row.id)),
    };
    const tr = el('tr', {class: 'gpu-row', dataset: {gpu: row.id}}, Object.values(cells));
    this.rows.set(row.id, {tr, cells});
    return tr;
  }

  buttons(gpu) {
    const list = [
      ['cordon', 'Cordon'], ['uncordon', 'Uncordon'], ['drain', 'Drain'],
    ];
    if (store.overview && store.overview.chaos) list.push(['xid', 'Inject XID']);
    return list.map(([action, label]) => el('button', {
      type: 'button', class: `act act-${action}`, dataset: {action},
      'aria-label': `${label} ${gpu}`, onclick: () => this.form.open(gpu, action),
    }, label));
  }

  patchRow(row) {
    const r = row && this.rows.get(row.id);
    if (!r) return;
    const c = r.cells;
    paintBadge(c.state.firstChild, row.state);
    r.tr.dataset.state = row.state || 'unknown';
    setText(c.reason, row.reason || '');
    c.reason.title = row.reason || '';
    setText(c.by, row.changed_by || '');
    setText(c.since, rel(row.since));
    c.since.title = row.since || '';
    setText(c.sessions, num(row.active_sessions));
    setText(c.kv, num(row.cached_kv_blocks));
    const x = row.last_xid;
    setText(c.xid, x ? `${x.code} ${x.class || ''}`.trim() : '—');
    c.xid.title = x ? `${x.detail || ''} (${x.reported_by || ''}, ${x.at || ''})` : '';
    c.xid.dataset.code = x ? String(x.code) : '';
  }

  /** The row a form belongs under, or null when that GPU is gone. */
  rowElement(gpu) {
    const r = this.rows.get(gpu);
    return r ? r.tr : null;
  }

  columns() {
    return COLUMNS.length;
  }
}

/** "gpu0" for "node-1-host0-gpu0" under host "node-1-host0"; the whole id when it does not start so. */
function shortName(row) {
  const prefix = row.host ? `${row.host}-` : null;
  return prefix && row.id.startsWith(prefix) && row.id.length > prefix.length ? row.id.slice(prefix.length) : row.id;
}
