// The Failures view: an SVG timeline in the chaos report's visual language (one lane per GPU
// coloured by state, faults in red, a session's move as an arrow from the GPU it failed on to the
// one it resumed on), and below it each failure's time to recover.

import {clear, clock, debounce, el, stateColor, svg, textOn} from './dom.js';
import {loadWorkers, sortedWorkers, store} from './store.js';
import {laneIds, memberFaults, recoveries, segments, tickMinutes, xids} from './timeline.js';

const WIDTH = 1220;
const LEFT = 200;
const PLOT = WIDTH - LEFT - 24;
const LANE = 26;
const TOP = 46;
const FAULT_RED = '#d32f2f';
const LEGEND = [['active', 'ACTIVE'], ['spare', 'SPARE'], ['suspect', 'SUSPECT/RESETTING'],
  ['draining', 'DRAINING'], ['cordoned', 'CORDONED/RETIRED']];

export class FailuresView {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.pollMs = 5000;
    this.minutes = 15;
    this.visible = false;
    this.redrawSoon = debounce(() => this.draw(), 250);
    this.build();
  }

  build() {
    this.windowSelect = el('select', {id: 'failures-window', onchange: () => {
      this.minutes = Number(this.windowSelect.value);
      this.draw();
    }}, [1, 5, 15, 30].map((m) => el('option', {value: String(m), text: `last ${m} min`})));
    this.windowSelect.value = '15';
    this.canvas = el('div', {class: 'timeline-box'});
    this.list = el('tbody');
    this.root.append(
      el('h2', {class: 'visually-hidden', text: 'Failures'}),
      el('div', {class: 'filters'}, el('label', {for: 'failures-window', text: 'Window'}), this.windowSelect,
        el('span', {class: 'muted', text: 'Arrows: a session moved from the GPU it failed on to the one it resumed on.'})),
      el('div', {class: 'scroll timeline-scroll'}, this.canvas),
      el('h3', {text: 'Time to recover'}),
      el('div', {class: 'scroll recover-scroll'}, el('table', {class: 'grid recoveries'},
        el('colgroup', {}, ['c-time', 'c-session', null, 'c-cause', null, 'c-class', 'c-num']
          .map((c) => el('col', {class: c}))),
        el('thead', {}, el('tr', {}, ['Failed at', 'Session', 'Failed on', 'Cause', 'Resumed on', 'Method',
          'Recovery'].map((t) => el('th', {scope: 'col', text: t})))),
        this.list)));
  }

  async show() {
    this.visible = true;
    this.draw();
    if (Date.now() - store.workersLoadedAt > 5000) {
      try {
        await loadWorkers();
      } catch (e) {
        // The lanes then come from the events alone; the Fleet view says why the list failed.
      }
      if (this.app.live()) this.draw();
    }
  }

  hide() {
    this.visible = false;
  }

  refresh() {
    this.draw(); // the window slides with the clock
  }

  onEvent(ev) {
    if (this.visible && /^(gpu\.|attempt\.|node\.member)/.test(ev.type || '')) this.redrawSoon();
  }

  draw() {
    if (!this.visible) return;
    const now = Date.now();
    const span = this.minutes * 60000;
    const from = now - span;
    const x = (t) => LEFT + Math.max(0, Math.min(1, (t - from) / span)) * PLOT;
    const events = store.events;
    const ids = laneIds(sortedWorkers(), events);
    const laneY = new Map(ids.map((id, i) => [id, TOP + i * LANE]));
    const bottom = TOP + Math.max(1, ids.length) * LANE;
    const height = bottom + 48;
    const root = svg('svg', {xmlns: 'http://www.w3.org/2000/svg', width: WIDTH, height,
      viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', class: 'timeline',
      'aria-label': `GPU states, faults and session migrations over the last ${this.minutes} minutes`},
    svg('defs', {}, svg('marker', {id: 'arrowhead', viewBox: '0 0 10 10', refX: '9', refY: '5',
      markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse'},
    svg('path', {d: 'M 0 0 L 10 5 L 0 10 z', fill: '#212121'}))));
    this.axis(root, x, from, now, bottom);
    if (!ids.length) root.append(text(LEFT, TOP + 16, 'No GPU reported yet', '#616161'));
    const segs = segments(ids, store.workers, events, from, now);
    for (const id of ids) this.lane(root, id, laneY.get(id), segs.get(id), x);
    for (const f of memberFaults(events, from)) {
      const fx = x(Date.parse(f.at));
      root.append(svg('g', {class: 'fault member', 'data-address': f.address},
        svg('line', {x1: fx, y1: TOP - 14, x2: fx, y2: bottom, stroke: FAULT_RED, 'stroke-width': 1.5,
          'stroke-dasharray': '5,3'}),
        fx > WIDTH - 260 ? text(fx - 3, TOP - 16, `${f.change} ${f.address}`, FAULT_RED, 11, 'normal', 'end')
          : text(fx + 3, TOP - 16, `${f.change} ${f.address}`, FAULT_RED),
        svg('title', {}, `${f.address} ${f.change} at ${f.at}${f.detail ? ` — ${f.detail}` : ''}`)));
    }
    for (const e of xids(events, from)) {
      const y = laneY.get(e.gpu);
      if (y === undefined) continue;
      const ex = x(Date.parse(e.at));
      root.append(svg('g', {class: 'fault xid', 'data-gpu': e.gpu, 'data-code': String(e.code)},
        svg('path', {d: `M ${ex} ${y + 2} l 6 11 l -6 11 l -6 -11 z`, fill: FAULT_RED, stroke: 'white'}),
        ex > WIDTH - 80 ? text(ex - 8, y + 9, `XID ${e.code}`, FAULT_RED, 10, 'bold', 'end')
          : text(ex + 8, y + 9, `XID ${e.code}`, FAULT_RED, 10, 'bold'),
        svg('title', {}, `XID ${e.code} (${e.xidClass}) on ${e.gpu} at ${e.at}: ${e.action}${e.detail ? ` — ${e.detail}` : ''}`)));
    }
    const recs = recoveries(events, from);
    for (const r of recs) this.migration(root, r, laneY, x);
    this.legend(root, bottom + 30);
    clear(this.canvas).append(root);
    this.renderList(recs);
  }

  axis(root, x, from, now, bottom) {
    const step = tickMinutes(this.minutes) * 60000;
    root.append(text(8, 24, 'minutes ago', '#616161', 10));
    for (let t = now; t >= from - 1; t -= step) {
      const tx = x(t);
      root.append(svg('line', {x1: tx, y1: 28, x2: tx, y2: bottom, stroke: '#eeeeee'}),
        text(tx, 24, t === now ? 'now' : `−${Math.round((now - t) / 60000)}`, '#616161', 10, 'normal', 'middle'));
    }
  }

  lane(root, id, y, segs, x) {
    const g = svg('g', {class: 'gpu-lane', 'data-gpu': id});
    g.append(text(8, y + 17, id.length > 28 ? `${id.slice(0, 27)}…` : id, '#212121', 11));
    for (const s of segs || []) {
      if (s.state === 'unregistered') continue; // the GPU did not exist yet: an empty lane says so
      const x1 = x(s.from);
      const w = Math.max(0.5, x(s.to) - x1);
      const why = s.change ? ` (${s.change.by || '?'}${s.change.reason ? `: ${s.change.reason}` : ''})` : '';
      g.append(svg('rect', {class: 'segment', 'data-state': s.state, x: x1, y: y + 3, width: w, height: LANE - 6,
        fill: stateColor(s.state)}, svg('title', {}, `${id}: ${s.state} from ${clock(new Date(s.from).toISOString())}${why}`)));
      if (w > s.state.length * 6.2 + 6) g.append(text(x1 + 3, y + 17, s.state, textOn(s.state), 10));
    }
    root.append(g);
  }

  /** A failure on one GPU followed by a placement on another: an arrow between their lanes. */
  migration(root, r, laneY, x) {
    const y1 = laneY.get(r.failed.gpu);
    const tx1 = x(Date.parse(r.failed.at));
    if (y1 !== undefined) {
      root.append(svg('line', {class: 'failed-attempt', x1: tx1, y1: y1 + 1, x2: tx1, y2: y1 + LANE - 1,
        stroke: FAULT_RED, 'stroke-width': 2.5}, svg('title', {}, `${r.failed.session} attempt ${r.failed.attempt} failed: ${r.failed.cause}`)));
    }
    if (!r.moved) return;
    const y2 = laneY.get(r.placed.gpu);
    if (y1 === undefined || y2 === undefined) return;
    const tx2 = Math.max(x(Date.parse(r.placed.at)), tx1 + 4);
    const a = y1 + LANE / 2;
    const b = y2 + LANE / 2;
    const label = `${r.millis} ms`;
    root.append(svg('g', {class: 'migration-group', 'data-session': r.failed.session},
      svg('path', {class: 'migration', 'data-session': r.failed.session, 'data-from': r.failed.gpu,
        'data-to': r.placed.gpu, d: `M ${tx1} ${a} C ${tx1 + 24} ${a}, ${tx2 - 24} ${b}, ${tx2} ${b}`,
        fill: 'none', stroke: '#212121', 'stroke-width': 1.5, 'marker-end': 'url(#arrowhead)'},
      svg('title', {}, `${r.failed.session}: ${r.failed.gpu} → ${r.placed.gpu} (${r.placed.method}), ${label}`)),
      text(Math.min(tx2 + 4, WIDTH - 60), b - 5, label, '#212121', 10, 'bold')));
  }

  legend(root, y) {
    let lx = 8;
    for (const [state, label] of LEGEND) {
      root.append(svg('rect', {x: lx, y: y - 9, width: 12, height: 10, fill: stateColor(state)}),
        text(lx + 16, y, label, '#212121', 10));
      lx += 26 + label.length * 6.1;
    }
    root.append(svg('line', {x1: lx, y1: y - 10, x2: lx, y2: y + 2, stroke: FAULT_RED, 'stroke-width': 1.5,
      'stroke-dasharray': '5,3'}), text(lx + 6, y, 'member lost', '#212121', 10),
    svg('path', {d: `M ${lx + 90} ${y - 10} l 5 6 l -5 6 l -5 -6 z`, fill: FAULT_RED}),
    text(lx + 98, y, 'XID', '#212121', 10),
    svg('line', {x1: lx + 130, y1: y - 4, x2: lx + 160, y2: y - 4, stroke: '#212121', 'marker-end': 'url(#arrowhead)'}),
    text(lx + 166, y, 'session moved (failure → next placement)', '#212121', 10));
  }

  renderList(recs) {
    clear(this.list);
    if (!recs.length) {
      this.list.append(el('tr', {}, el('td', {colspan: 7, class: 'muted', text: 'No failed attempt in this window'})));
    }
    for (const r of recs.slice().reverse()) {
      this.list.append(el('tr', {class: 'recovery', dataset: {session: r.failed.session}},
        el('td', {class: 'time', text: clock(r.failed.at)}),
        el('td', {}, el('a', {href: `#/sessions/${encodeURIComponent(r.failed.session)}`, text: r.failed.session})),
        el('td', {text: r.failed.gpu || ''}),
        el('td', {text: [r.failed.cause, r.failed.xidClass].filter(Boolean).join(' · ')}),
        el('td', {text: r.placed ? r.placed.gpu : 'not placed yet'}),
        el('td', {text: r.placed ? r.placed.method : ''}),
        el('td', {class: 'num', text: r.millis === null ? '—' : `${r.millis} ms`})));
    }
  }
}

function text(x, y, content, fill, size = 11, weight = 'normal', anchor = 'start') {
  return svg('text', {x, y, fill, 'font-size': size, 'font-weight': weight, 'text-anchor': anchor}, content);
}
