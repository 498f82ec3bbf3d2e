// The console's shell: the token form, the tabs and hash routes, the feed, and the clock that
// drives each view's slow poll. Without a token it shows the form and fetches nothing at all.

import {api, clearToken, onRefused, setToken, token} from './api.js';
import {clear, el, setText} from './dom.js';
import {Feed} from './feed.js';
import {keepEvent, resetStore, store} from './store.js';
import {FleetView} from './fleet.js';
import {SessionsView} from './sessions.js';
import {SessionPage} from './session.js';
import {FailuresView} from './failures.js';
import {ClusterView} from './cluster.js';
import {ThroughputView} from './throughput.js';

const $ = (id) => document.getElementById(id);
const VIEWS = {fleet: FleetView, sessions: SessionsView, session: SessionPage, failures: FailuresView,
  cluster: ClusterView, throughput: ThroughputView};
const TAB_OF = {session: 'sessions'};

class App {
  constructor() {
    this.epoch = 0;
    this.views = null;
    this.current = null;
    this.feed = null;
    this.timer = null;
    onRefused(() => this.signOut('The node answered 401: the token was refused.'));
    $('login-form').addEventListener('submit', (e) => this.signIn(e));
    $('logout').addEventListener('click', () => this.signOut(''));
    window.addEventListener('hashchange', () => this.route());
    window.addEventListener('baton-error', (e) => this.notify(`Console error: ${e.detail && e.detail.message}`));
    if (token()) this.start();
    else this.showLogin('');
  }

  /** Whether answers still belong on the page: false once signed out (or signed in anew). */
  live() {
    return this.views !== null && this.liveEpoch === this.epoch;
  }

  signIn(e) {
    e.preventDefault();
    const value = $('token').value.trim();
    if (!value) {
      setText($('login-message'), 'Enter the admin token.');
      return;
    }
    setToken(value);
    $('token').value = '';
    this.start();
  }

  showLogin(message) {
    $('app').hidden = true;
    $('tabs').hidden = true;
    $('logout').hidden = true;
    $('login').hidden = false;
    setText($('login-message'), message);
    setText($('feed-status'), '');
    setText($('node-name'), '');
    $('token').focus();
  }

  async start() {
    this.epoch += 1;
    this.liveEpoch = this.epoch;
    const epoch = this.epoch;
    $('login').hidden = true;
    $('app').hidden = false;
    $('tabs').hidden = false;
    $('logout').hidden = false;
    try {
      store.overview = await api('/admin/overview');
    } catch (e) {
      if (epoch !== this.epoch || !token()) return; // refused: the form is back already
      store.overview = {chaos: false};
      this.notify(`Overview unavailable: ${e.message}`);
    }
    if (epoch !== this.epoch) return;
    setText($('node-name'), store.overview.node ? `· ${store.overview.node}` : '');
    this.views = {};
    const host = clear($('app'));
    for (const [name, View] of Object.entries(VIEWS)) {
      const section = el('section', {id: `view-${name}`, class: 'view', hidden: true});
      host.append(section);
      this.views[name] = new View(section, this);
      this.views[name].polledAt = 0;
    }
    this.feed = new Feed((ev) => this.event(ev), (s) => this.feedStatus(s));
    this.feed.start();
    this.timer = setInterval(() => this.tick(), 1000);
    this.route();
  }

  signOut(message) {
    this.epoch += 1;
    clearToken();
    if (this.feed) this.feed.stop();
    this.feed = null;
    clearInterval(this.timer);
    this.views = null;
    this.current = null;
    resetStore();
    clear($('app')); // nothing fetched stays on the page
    this.showLogin(message);
  }

  event(ev) {
    if (!this.live()) return;
    keepEvent(ev);
    for (const view of Object.values(this.views)) view.onEvent(ev);
  }

  feedStatus(status) {
    const badge = $('feed-status');
    badge.dataset.status = status;
    setText(badge, {connecting: 'connecting…', live: '● live', reconnecting: 'reconnecting…', stopped: ''}[status] || status);
  }

  /** #/fleet, #/sessions, #/sessions/<id>, #/failures, #/cluster, #/throughput */
  route() {
    if (!this.views) return;
    const parts = (location.hash.replace(/^#\/?/, '') || 'fleet').split('/');
    let name = parts[0];
    let param = null;
    if (name === 'sessions' && parts[1]) {
      name = 'session';
      param = decodeURIComponent(parts.slice(1).join('/'));
    }
    if (!this.views[name]) name = 'fleet';
    if (this.current && this.current !== name && this.views[this.current].hide) this.views[this.current].hide();
    for (const [n, view] of Object.entries(this.views)) view.root.hidden = n !== name;
    this.current = name;
    const view = this.views[name];
    view.polledAt = Date.now();
    view.show(param);
    const tab = TAB_OF[name] || name;
    for (const a of document.querySelectorAll('#tabs a')) {
      if (a.dataset.view === tab) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `Baton console — ${tab}`;
  }

  /** Each second: relative times move on, and the visible view polls when its interval is up. */
  tick() {
    if (!this.views || !this.current) return;
    const view = this.views[this.current];
    if (view.tick) view.tick();
    if (view.pollMs && Date.now() - view.polledAt >= view.pollMs) {
      view.polledAt = Date.now();
      view.refresh();
    }
  }

  notify(message) {
    const box = $('notice');
    setText(box, message);
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => setText(box, ''), 8000);
  }
}

new App();
