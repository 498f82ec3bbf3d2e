// The Cluster view: who is in the cluster and in what status, which member leads, how each
// entity type's shards spread over the members, and the last downing decision with its reason.

import {api} from './api.js';
import {clear, clock, debounce, el, setText} from './dom.js';

export class ClusterView {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.pollMs = 5000;
    this.refreshSoon = debounce(() => this.refresh(), 300);
    this.build();
  }

  build() {
    this.facts = el('dl', {class: 'summary'});
    this.message = el('p', {class: 'message', role: 'status'});
    this.members = el('tbody');
    this.shards = el('div', {class: 'shards'});
    this.downing = el('p', {class: 'downing'});
    this.root.append(
      el('h2', {class: 'visually-hidden', text: 'Cluster'}),
      this.message, this.facts,
      el('h3', {text: 'Members'}),
      el('div', {class: 'scroll members-scroll'}, el('table', {class: 'grid members'},
        el('colgroup', {}, ['c-address', 'c-status', 'c-roles', 'c-flag', 'c-flag'].map((c) => el('col', {class: c}))),
        el('thead', {}, el('tr', {}, ['Address', 'Status', 'Roles', 'Reachable', 'Oldest']
          .map((t) => el('th', {scope: 'col', text: t})))),
        this.members)),
      el('h3', {text: 'Shards per member'}),
      el('div', {class: 'scroll shards-scroll'}, this.shards),
      el('h3', {text: 'Last downing decision'}),
      this.downing);
  }

  show() {
    this.refresh();
  }

  onEvent(ev) {
    if (ev.type === 'node.member') this.refreshSoon();
  }

  async refresh() {
    let t;
    try {
      t = await api('/admin/topology');
    } catch (e) {
      setText(this.message, `Topology unavailable: ${e.message}`);
      return;
    }
    if (!this.app.live() || !t) return;
    setText(this.message, '');
    clear(this.facts).append(
      el('dt', {text: 'This node'}), el('dd', {text: t.self || '—'}),
      el('dt', {text: 'Leader'}), el('dd', {class: 'leader', text: t.leader || '—'}),
      el('dt', {text: 'Oldest'}), el('dd', {text: t.oldest || '—'}),
      el('dt', {text: 'Members'}), el('dd', {text: String((t.members || []).length)}));
    this.renderMembers(t);
    this.renderShards(t.shards || []);
    const d = t.last_downing;
    setText(this.downing, d ? `${clock(d.at)} — ${d.decision || 'down'} ${d.address}${d.detail ? `: ${d.detail}` : ''}`
      : 'No member has been downed.');
  }

  renderMembers(t) {
    clear(this.members);
    for (const m of t.members || []) {
      const flags = [m.address === t.self ? 'this node' : null, m.address === t.leader ? 'leader' : null]
        .filter(Boolean).join(', ');
      this.members.append(el('tr', {dataset: {address: m.address, status: m.status || ''}},
        el('td', {class: 'address', title: m.address},
          m.address, flags ? el('span', {class: 'tag', text: flags}) : null),
        el('td', {class: 'status', text: m.status || ''}),
        el('td', {text: (m.roles || []).join(', ')}),
        el('td', {class: m.reachable === false ? 'bad' : '', text: m.reachable === false ? 'no' : 'yes'}),
        el('td', {text: m.oldest ? '★ oldest' : ''})));
    }
  }

  /** One small bar per region: its share of the type's shards, with the counts as text. */
  renderShards(types) {
    clear(this.shards);
    if (!types.length) this.shards.append(el('p', {class: 'muted', text: 'No sharded entity type reported'}));
    for (const type of types) {
      const regions = type.regions || [];
      const total = regions.reduce((n, r) => n + (r.shards || 0), 0) || 1;
      const box = el('div', {class: 'shard-type', dataset: {type: type.type}}, el('h4', {text: type.type}));
      for (const r of regions) {
        const bar = el('span', {class: 'shard-bar'});
        bar.style.width = `${Math.round(((r.shards || 0) / total) * 100)}%`;
        box.append(el('div', {class: 'shard-row'},
          el('span', {class: 'shard-address', text: r.address, title: r.address}),
          el('span', {class: 'shard-track'}, bar),
          el('span', {class: 'shard-count', text: `${r.shards ?? 0} shards · ${r.entities ?? 0} entities`})));
      }
      this.shards.append(box);
    }
  }
}
