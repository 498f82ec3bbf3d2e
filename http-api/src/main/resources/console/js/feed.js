// The live admin feed (GET /admin/events): fetch() with the bearer header, the body read as a
// stream of SSE frames. On any break it reconnects after 1 s with Last-Event-ID, so the node
// resends only what came after; ids already seen are dropped, since a node's replay may overlap.

import {authHeaders, refused, token} from './api.js';
import {SseParser} from './sse.js';

const RECONNECT_MS = 1000;
const SEEN_LIMIT = 5000;
// With no byte at all (not even a heartbeat) for this long the connection is presumed dead:
// a half-open TCP connection otherwise looks like a quiet fleet forever.
const SILENCE_MS = 60000;

export class Feed {
  /** onEvent(event) for each new event; onStatus('connecting'|'live'|'reconnecting'|'stopped'). */
  constructor(onEvent, onStatus) {
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.lastId = null;
    this.seen = new Set();
    this.order = [];
    this.running = false;
    this.controller = null;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.loop();
  }

  stop() {
    this.running = false;
    if (this.controller) this.controller.abort();
    this.onStatus('stopped');
  }

  async loop() {
    this.onStatus('connecting');
    while (this.running && token()) {
      try {
        await this.connect();
      } catch (e) {
        if (e && e.refused) return;
        // Aborted by stop(), a network error or a node going away: all end here and retry below.
      }
      if (!this.running) return;
      this.onStatus('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  }

  async connect() {
    const controller = new AbortController();
    this.controller = controller;
    const headers = authHeaders({Accept: 'text/event-stream'});
    if (this.lastId) headers['Last-Event-ID'] = this.lastId;
    const response = await fetch('/admin/events', {headers, signal: controller.signal, cache: 'no-store'});
    if (response.status === 401) {
      this.running = false;
      refused();
      throw Object.assign(new Error('refused'), {refused: true});
    }
    if (!response.ok || !response.body) throw new Error(`the feed answered ${response.status}`);
    this.onStatus('live');
    const parser = new SseParser((frame) => this.frame(frame));
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let watchdog = setTimeout(() => controller.abort(), SILENCE_MS);
    try {
      for (;;) {
        const {value, done} = await reader.read();
        if (done) return;
        clearTimeout(watchdog);
        watchdog = setTimeout(() => controller.abort(), SILENCE_MS);
        parser.push(value);
      }
    } finally {
      clearTimeout(watchdog);
    }
  }

  frame({id, event, data}) {
    if (id) {
      if (this.seen.has(id)) return;
      this.lastId = id;
      this.remember(id);
    }
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch (e) {
      return; // not one of the feed's events; nothing to show
    }
    if (!parsed || typeof parsed !== 'object') return;
    camelAliases(parsed);
    if (!parsed.type && event) parsed.type = event;
    if (!parsed.id && id) parsed.id = id;
    try {
      this.onEvent(parsed);
    } catch (e) {
      // One view's bug must not cut the feed for the others; the page shows the fault.
      window.dispatchEvent(new CustomEvent('baton-error', {detail: e}));
    }
  }

  remember(id) {
    this.seen.add(id);
    this.order.push(id);
    if (this.order.length > SEEN_LIMIT) this.seen.delete(this.order.shift());
  }
}

/**
 * The views read the event fields in camelCase (xidClass, resumeFrom, serviceClass,
 * waitingByRank); a node that writes them snake_case (as its other JSON) is read the same way.
 */
export function camelAliases(event) {
  for (const key of Object.keys(event)) {
    if (!key.includes('_')) continue;
    const camel = key.replace(/_([a-z0-9])/g, (m, c) => c.toUpperCase());
    if (!(camel in event)) event[camel] = event[key];
  }
  return event;
}
