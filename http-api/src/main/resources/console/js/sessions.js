// The Sessions view: the sessions this node's feed heard, newest first, filtered by tenant, model
// and status. Feed events patch their row at once (the same rules as the server's RecentSession),
// and a slow refetch keeps the list honest.

import {api} from './api.js';
import {clock, debounce, el, setText} from './dom.js';

const STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'];
const COLUMNS = [
  ['Session', 's-session'], ['Tenant', 's-name'], ['Model', 's-name'], ['Class', 's-class'],
  ['Status', 's-status'], ['Attempts', 's-num'], ['GPU', 's-gpu'], ['Tokens', 's-num'],
  ['Submitted', 's-time'], ['Updated', 's-time'],
];

export class SessionsView {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.pollMs = 10000;
    this.rows = new Map(); // session id -> {data, tr, cells}
    this.refreshSoon = debounce(() => this.refresh(), 300);
    this.build();
  }

  build() {
    const onInput = debounce(() => this.refresh(), 300);
    this.tenant = el('input', {id: 'filter-tenant', type: 'search', autocomplete: 'off', oninput: onInput});
    this.model = el('input', {id: 'filter-model', type: 'search', autocomplete: 'off', oninput: onInput});
    this.status = el('select', {id: 'filter-status', onchange: () => this.refresh()},
      el('option', {value: '', text: 'any'}), STATUSES.map((s) => el('option', {value: s, text: s})));
    this.message = el('p', {class: 'message', role: 'status'});
    this.tbody = el('tbody');
    this.root.append(
      el('h2', {class: 'visually-hidden', text: 'Sessions'}),
      el('form', {class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); this.refresh(); }},
        el('label', {for: 'filter-tenant', text: 'Tenant'}), this.tenant,
        el('label', {for: 'filter-model', text: 'Model'}), this.model,
        el('label', {for: 'filter-status', text: 'Status'}), this.status),
      this.message,
      el('div', {class: 'scroll sessions-scroll'}, el('table', {class: 'grid sessions'},
        el('colgroup', {}, COLUMNS.map(([, c]) => el('col', {class: c}))),
        el('thead', {}, el('tr', {}, COLUMNS.map(([t, c]) => el('th', {scope: 'col', class: c === 's-num' ? 'num' : null, text: t})))),
        this.tbody)));
  }

  show() {
    this.refresh();
  }

  filters() {
    return {tenant: this.tenant.value.trim(), model: this.model.value.trim(), status: this.status.value};
  }

  async refresh() {
    const query = new URLSearchParams(Object.entries(this.filters()).filter(([, v]) => v)).toString();
    try {
      const list = await api(`/admin/sessions${query ? `?${query}` : ''}`);
      if (!this.app.live()) return;
      setText(this.message, '');
      this.render((list && list.data) || []);
    } catch (e) {
      setText(this.message, `Sessions unavailable: ${e.message}`);
    }
  }

  render(list) {
    const keep = new Set(list.map((s) => s.id));
    for (const [id, r] of this.rows) {
      if (!keep.has(id)) {
        r.tr.remove();
        this.rows.delete(id);
      }
    }
    let previous = null;
    for (const s of list) {
      const r = this.rows.get(s.id) || this.makeRow(s);
      r.data = s;
      this.patch(r);
      const want = previous ? previous.nextElementSibling : this.tbody.firstElementChild;
      if (want !== r.tr) {
        if (previous) previous.after(r.tr);
        else this.tbody.prepend(r.tr);
      }
      previous = r.tr;
    }
    if (!list.length) this.empty();
    else if (this.placeholder) { this.placeholder.remove(); this.placeholder = null; }
  }

  empty() {
    if (this.placeholder) return;
    this.placeholder = el('tr', {class: 'placeholder'},
      el('td', {colspan: COLUMNS.length, class: 'muted', text: 'No session heard yet'}));
    this.tbody.append(this.placeholder);
  }

  makeRow(s) {
    const link = el('a', {href: `#/sessions/${encodeURIComponent(s.id)}`, class: 'session-link'});
    const cells = {
      id: el('td', {class: 'id'}, link), tenant: el('td'), model: el('td'), klass: el('td'),
      status: el('td', {class: 'status'}), attempts: el('td', {class: 'num'}), gpu: el('td', {class: 'gpu'}),
      tokens: el('td', {class: 'num'}), submitted: el('td', {class: 'time'}), updated: el('td', {class: 'time'}),
    };
    const r = {data: s, link, cells, tr: el('tr', {dataset: {session: s.id}}, Object.values(cells))};
    this.rows.set(s.id, r);
    return r;
  }

  patch(r) {
    const s = r.data;
    const c = r.cells;
    setText(r.link, s.id);
    r.link.title = s.id;
    setText(c.tenant, s.tenant || '');
    setText(c.model, s.model || '');
    setText(c.klass, s.class || '');
    setText(c.status, s.status || '');
    c.status.dataset.status = s.status || '';
    setText(c.attempts, s.attempts ?? '');
    setText(c.gpu, s.gpu || '');
    setText(c.tokens, s.tokens ?? '');
    setText(c.submitted, clock(s.submitted_at));
    setText(c.updated, clock(s.updated_at));
  }

  /** A session event patches its row now; a session first heard of goes on top if it passes the filters. */
  onEvent(ev) {
    if (!ev.session || !['session.submitted', 'attempt.placed', 'attempt.failed', 'session.ended'].includes(ev.type)) {
      return;
    }
    const r = this.rows.get(ev.session);
    const next = after(r ? r.data : null, ev);
    if (!next) return;
    if (r) {
      r.data = next;
      this.patch(r);
    } else if (this.passes(next)) {
      if (this.placeholder) { this.placeholder.remove(); this.placeholder = null; }
      const made = this.makeRow(next);
      this.patch(made);
      this.tbody.prepend(made.tr);
    }
  }

  passes(s) {
    const f = this.filters();
    return (!f.tenant || s.tenant === f.tenant) && (!f.model || s.model === f.model)
      && (!f.status || s.status === f.status);
  }
}

/** A session's list row after a feed event: the server's RecentSession.after, in the browser. */
export function after(row, ev) {
  const r = row || {id: ev.session, tenant: ev.tenant, model: ev.model, class: null, status: 'pending',
    attempts: 0, gpu: null, tokens: 0, submitted_at: null, updated_at: ev.at};
  switch (ev.type) {
    case 'session.submitted':
      return {...r, tenant: ev.tenant, model: ev.model, class: ev.serviceClass, status: 'pending',
        submitted_at: ev.at, updated_at: ev.at};
    case 'attempt.placed':
      return {...r, status: 'running', attempts: ev.attempt, gpu: ev.gpu,
        tokens: Math.max(r.tokens || 0, ev.resumeFrom || 0), updated_at: ev.at};
    case 'attempt.failed':
      return {...r, status: 'pending', attempts: ev.attempt, gpu: ev.gpu, tokens: ev.tokens, updated_at: ev.at};
    case 'session.ended':
      return {...r, status: ev.status, attempts: ev.attempts, tokens: ev.tokens, updated_at: ev.at};
    default:
      return null;
  }
}
