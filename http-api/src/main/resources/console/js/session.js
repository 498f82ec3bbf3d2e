// One session's page (#/sessions/<id>): its attempts as a timeline, one bar per attempt placed
// where it ran in time, its audit journal, and the text generated so far. Its own feed events
// refetch it, so a migration shows up while the operator watches.

import {api, enc} from './api.js';
import {clear, clock, debounce, el, setText} from './dom.js';

export class SessionPage {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.pollMs = 3000;
    this.id = null;
    this.refreshSoon = debounce(() => this.refresh(), 300);
    this.build();
  }

  build() {
    this.title = el('h2', {class: 'session-title'});
    this.summary = el('dl', {class: 'summary'});
    this.message = el('p', {class: 'message', role: 'status'});
    this.attempts = el('div', {class: 'attempts', 'aria-label': 'Attempts'});
    this.journal = el('tbody');
    this.text = el('pre', {class: 'session-text', tabindex: '0'});
    this.root.append(
      el('p', {}, el('a', {href: '#/sessions', text: '← All sessions'})),
      this.title, this.message, this.summary,
      el('h3', {text: 'Attempts'}), el('div', {class: 'attempts-box'}, this.attempts),
      el('div', {class: 'session-columns'},
        el('section', {'aria-label': 'Audit events'}, el('h3', {text: 'Audit events'}),
          el('div', {class: 'scroll journal-scroll'}, el('table', {class: 'grid journal'},
            el('colgroup', {}, el('col', {class: 'c-time'}), el('col', {class: 'c-type'}), el('col')),
            el('thead', {}, el('tr', {}, ['Time', 'Event', 'Details'].map((t) => el('th', {scope: 'col', text: t})))),
            this.journal))),
        el('section', {'aria-label': 'Text so far'}, el('h3', {text: 'Text so far'}), this.text)));
  }

  show(id) {
    if (id !== this.id) {
      this.id = id;
      setText(this.title, `Session ${id}`);
      clear(this.summary);
      clear(this.attempts);
      clear(this.journal);
      this.journalCount = 0;
      setText(this.text, '');
    }
    this.refresh();
  }

  async refresh() {
    const id = this.id;
    if (!id) return;
    const [session, events] = await Promise.allSettled([
      api(`/admin/sessions/${enc(id)}`), api(`/admin/sessions/${enc(id)}/events`)]);
    if (!this.app.live() || id !== this.id) return;
    if (session.status === 'rejected') {
      setText(this.message, `Session unavailable: ${session.reason.message}`);
      return;
    }
    setText(this.message, '');
    this.renderSummary(session.value);
    this.renderAttempts(session.value);
    setText(this.text, session.value.text || '');
    if (events.status === 'fulfilled') this.renderJournal((events.value && events.value.data) || []);
  }

  onEvent(ev) {
    if (this.id && ev.session === this.id) this.refreshSoon();
  }

  renderSummary(s) {
    const t = s.timings || {};
    const items = [
      ['Status', s.status], ['Model', s.model], ['Tenant', s.tenant], ['Class', s.class],
      ['Tokens', s.tokens], ['Attempts', (s.attempts || []).length], ['End reason', s.end_reason || '—'],
      ['Queued', ms(t.queued_ms)], ['First token', ms(t.time_to_first_token_ms)], ['Total', ms(t.total_ms)],
    ];
    clear(this.summary).append(...items.flatMap(([k, v]) => [el('dt', {text: k}),
      el('dd', {text: v === null || v === undefined ? '—' : String(v), dataset: {field: k.toLowerCase()}})]));
  }

  /**
   * One lane per attempt, its bar from its placement to the next one's (or the end, or now), on a
   * shared time axis: a gap between bars is the time the session waited to be placed again.
   */
  renderAttempts(s) {
    const attempts = (s.attempts || []).slice().sort((a, b) => a.attempt - b.attempt);
    clear(this.attempts);
    if (!attempts.length) {
      this.attempts.append(el('p', {class: 'muted', text: 'Not placed yet'}));
      return;
    }
    const t = s.timings || {};
    const start = Date.parse((t.submitted_at && t.submitted_at !== 'null') ? t.submitted_at : attempts[0].placed_at);
    const ended = t.total_ms !== null && t.total_ms !== undefined ? start + t.total_ms : null;
    const end = Math.max(ended || Date.now(), start + 1);
    const span = end - start;
    attempts.forEach((a, i) => {
      const from = Date.parse(a.placed_at);
      const next = attempts[i + 1];
      const to = next ? Date.parse(next.placed_at) : end;
      const failure = a.failure;
      const cause = failure ? failureText(failure) : (next ? '' : (ended ? s.status : 'running'));
      const left = Math.max(0, Math.min(100, ((from - start) / span) * 100));
      const width = Math.max(1.5, Math.min(100 - left, ((to - from) / span) * 100));
      const bar = el('div', {
        class: `bar ${failure ? 'failed' : ''}`,
        title: `attempt ${a.attempt} on ${a.worker}, ${a.method}, placed ${a.placed_at}`
          + (failure && failure.detail ? ` — ${failure.detail}` : ''),
      });
      bar.style.left = `${left}%`;
      bar.style.width = `${width}%`;
      this.attempts.append(el('div', {
        class: 'attempt', dataset: {method: a.method, attempt: String(a.attempt), gpu: a.worker || ''},
      },
      el('span', {class: 'attempt-label'},
        el('strong', {text: `#${a.attempt}`}), ` ${a.worker || '?'}`),
      el('span', {class: 'attempt-lane'}, bar),
      el('span', {class: 'attempt-facts'},
        el('span', {class: 'method', text: a.method}),
        el('span', {class: 'resume', text: `from token ${a.resume_from ?? 0}`}),
        el('span', {class: `cause ${failure ? 'bad' : ''}`, text: cause}))));
    });
  }

  /** The journal only grows, so only new entries are added: the reader's scroll position stays put. */
  renderJournal(list) {
    if (!this.journalCount || list.length < this.journalCount || this.journalSession !== this.id) {
      clear(this.journal);
      this.journalCount = 0;
      this.journalSession = this.id;
    }
    if (!list.length) {
      this.journal.append(el('tr', {}, el('td', {colspan: 3, class: 'muted', text: 'No audit event yet'})));
      return;
    }
    for (const e of list.slice(this.journalCount)) {
      const details = flat(e).join('  ');
      this.journal.append(el('tr', {dataset: {type: e.type || ''}},
        el('td', {class: 'time', text: clock(e.at), title: e.at || ''}),
        el('td', {text: e.type || ''}),
        el('td', {class: 'details', text: details, title: details})));
    }
    this.journalCount = list.length;
  }
}

/** "XID 79 · node-fatal", "LEASE_EXPIRED", "ENGINE_ERROR · detail" */
function failureText(f) {
  const kind = f.xid ? `XID ${f.xid}` : f.kind;
  return [kind, f.xid_class].filter(Boolean).join(' · ');
}

/** An audit event's fields as "key=value", one level of nesting opened: the journal's summary. */
function flat(e) {
  const out = [];
  for (const [k, v] of Object.entries(e)) {
    if (k === 'type' || k === 'at' || k === 'seq_nr' || v === null || v === undefined) continue;
    if (typeof v === 'object' && !Array.isArray(v)) {
      for (const [sk, sv] of Object.entries(v)) {
        if (sv !== null && sv !== undefined) out.push(`${sk}=${typeof sv === 'object' ? JSON.stringify(sv) : sv}`);
      }
    } else {
      out.push(`${k}=${Array.isArray(v) ? v.join(',') : v}`);
    }
  }
  return out;
}

function ms(v) {
  return v === null || v === undefined ? '—' : `${v} ms`;
}
