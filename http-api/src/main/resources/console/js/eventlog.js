// The live event log on the Fleet view: the last 50 feed events, newest first, in a box of fixed
// height, so a burst of events scrolls inside it instead of pushing the page around.

import {clock, el} from './dom.js';

const KEEP = 50;

/** One line per event type, the fields an operator reads first. */
export function describe(ev) {
  switch (ev.type) {
    case 'gpu.state':
      return `${ev.gpu}: ${ev.from || '?'} → ${ev.to} (${ev.change || 'change'}) by ${ev.by || '?'}`
        + (ev.reason ? ` — ${ev.reason}` : '');
    case 'gpu.promoted':
      return `${ev.gpu}: spare promoted to active by ${ev.by || '?'}` + (ev.reason ? ` — ${ev.reason}` : '');
    case 'gpu.xid':
      return `${ev.gpu}: XID ${ev.code} ${ev.xidClass || ''} → ${ev.action || ''}`
        + (ev.detail ? ` — ${ev.detail}` : '');
    case 'pool.level':
      return `${ev.model}: ${ev.active}/${ev.target} active, ${ev.spares} spare`;
    case 'session.submitted':
      return `${ev.session} submitted (${ev.tenant}, ${ev.model}, ${ev.serviceClass})`;
    case 'attempt.placed':
      return `${ev.session} attempt ${ev.attempt} on ${ev.gpu} (${ev.method}, from token ${ev.resumeFrom})`;
    case 'attempt.failed':
      return `${ev.session} attempt ${ev.attempt} on ${ev.gpu} failed: ${ev.cause}`
        + (ev.xidClass ? ` (${ev.xidClass})` : '') + ` at token ${ev.tokens}`;
    case 'session.ended':
      return `${ev.session} ${ev.status}: ${ev.tokens} tokens, ${ev.attempts} attempt(s)`;
    case 'batch.progress':
      return `batch ${ev.batch} ${ev.status}: ${ev.completed}+${ev.failed} of ${ev.total}`;
    case 'queue.changed':
      return `${ev.model} queue: ${ev.waiting} waiting`
        + (Array.isArray(ev.waitingByRank) ? ` (${ev.waitingByRank.join('/')})` : '');
    case 'node.member':
      return `${ev.address} ${ev.change} (${ev.status})` + (ev.detail ? ` — ${ev.detail}` : '');
    default:
      return ev.type || 'event';
  }
}

/** The tone of an event in the log: faults red, recoveries green, the rest plain. */
function tone(ev) {
  if (ev.type === 'gpu.xid' || ev.type === 'attempt.failed') return 'bad';
  if (ev.type === 'node.member' && ['unreachable', 'downed', 'removed'].includes(ev.change)) return 'bad';
  if (ev.type === 'session.ended' && ev.status !== 'completed') return 'bad';
  if (ev.type === 'gpu.promoted') return 'good';
  return '';
}

export class EventLog {
  constructor() {
    this.list = el('ol', {class: 'event-list'});
    this.root = el('section', {class: 'event-log', 'aria-label': 'Live events'},
      el('h3', {text: 'Live events (last 50)'}),
      el('div', {class: 'scroll log-scroll', role: 'log', tabindex: '0'}, this.list));
  }

  add(ev) {
    const item = el('li', {class: `event ${tone(ev)}`, dataset: {type: ev.type || ''}},
      el('time', {datetime: ev.at || '', text: clock(ev.at)}),
      el('span', {class: 'event-type', text: ev.type}),
      el('span', {class: 'event-text', text: describe(ev)}));
    this.list.prepend(item);
    while (this.list.children.length > KEEP) this.list.lastElementChild.remove();
  }
}
