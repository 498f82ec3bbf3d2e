// The Throughput view: four small uPlot charts over the last 15 minutes (TTFT, inter-token
// latency, tokens/s, migrations/min), refetched every 5 s. A null point is a gap: nothing ran.

import {api} from './api.js';
import {el, setText} from './dom.js';

const CHARTS = [
  ['ttft_ms', 'Time to first token', 'ms', '#1e88e5'],
  ['itl_ms', 'Inter-token latency', 'ms', '#8e24aa'],
  ['tokens_per_s', 'Tokens per second', 'tok/s', '#00897b'],
  ['migrations_per_min', 'Migrations per minute', '/min', '#e53935'],
];
const WIDTH = 590;
const HEIGHT = 180;
const WINDOW_S = 15 * 60;

export class ThroughputView {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.pollMs = 5000;
    this.charts = new Map();
    this.message = el('p', {class: 'message', role: 'status'});
    this.caption = el('p', {class: 'caption'});
    this.grid = el('div', {class: 'charts'});
    this.boxes = new Map(CHARTS.map(([key, title]) => {
      const box = el('figure', {class: 'chart', dataset: {metric: key}},
        el('figcaption', {text: title}), el('div', {class: 'chart-body'}));
      this.grid.append(box);
      return [key, box];
    }));
    root.append(el('h2', {class: 'visually-hidden', text: 'Throughput'}), this.message, this.caption, this.grid);
  }

  show() {
    this.refresh();
  }

  onEvent() {}

  async refresh() {
    let t;
    try {
      t = await api('/admin/throughput');
    } catch (e) {
      setText(this.message, `Throughput unavailable: ${e.message}`);
      return;
    }
    if (!this.app.live() || !t) return;
    setText(this.message, '');
    setText(this.caption, `One point per ${t.interval_s || 5} s over the last 15 minutes; a gap is a time with nothing to measure.`);
    const points = t.points || [];
    const xs = points.map((p) => Date.parse(p.at) / 1000);
    this.to = Date.now() / 1000;
    this.from = this.to - WINDOW_S;
    for (const [key, title, unit, color] of CHARTS) {
      const ys = points.map((p) => (p[key] === null || p[key] === undefined ? null : Number(p[key])));
      this.plot(key, title, unit, color, [xs, ys]);
    }
  }

  plot(key, title, unit, color, data) {
    const existing = this.charts.get(key);
    if (existing) {
      existing.setData(data);
      return;
    }
    const body = this.boxes.get(key).querySelector('.chart-body');
    if (!window.uPlot) {
      setText(body, 'uPlot did not load');
      return;
    }
    const chart = new window.uPlot({
      width: WIDTH, height: HEIGHT,
      legend: {show: true},
      cursor: {drag: {x: false, y: false}},
      // The x axis is always the last 15 minutes, so an idle node shows an empty quarter hour
      // rather than an axis stretched over years.
      scales: {x: {time: true, range: () => [this.from, this.to]},
        y: {range: (u, min, max) => [0, Math.max(1, max === null ? 1 : max * 1.1)]}},
      axes: [{}, {label: unit, size: 56}],
      // Points shown: a value between two gaps (one busy interval) has no line to draw.
      series: [{}, {label: title, stroke: color, width: 2, spanGaps: false, points: {show: true, size: 5, fill: color},
        value: (u, v) => (v === null || v === undefined ? '—' : `${Math.round(v * 10) / 10} ${unit}`)}],
    }, data, body);
    this.charts.set(key, chart);
  }
}
