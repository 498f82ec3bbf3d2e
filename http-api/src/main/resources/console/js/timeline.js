// What the Failures timeline draws, worked out from the feed's events: each GPU's states over the
// window, the faults, and each failed attempt paired with the session's next placement. Kept
// apart from the drawing so the pairing rules read on their own.

/**
 * Each GPU's state segments within [from, to] (epoch ms). The state at `from` is the last change
 * before it, else what the first change in the window changed from, else the GPU's current state
 * (/admin/workers): a GPU that did not change all window long was in its current state throughout.
 */
export function segments(gpuIds, workers, events, from, to) {
  const changes = new Map(gpuIds.map((id) => [id, []]));
  for (const ev of events) {
    if ((ev.type === 'gpu.state' || ev.type === 'gpu.promoted') && changes.has(ev.gpu)) {
      changes.get(ev.gpu).push({at: Date.parse(ev.at), from: ev.type === 'gpu.promoted' ? 'spare' : ev.from,
        to: ev.type === 'gpu.promoted' ? 'active' : ev.to, by: ev.by, reason: ev.reason});
    }
  }
  const out = new Map();
  for (const [id, list] of changes) {
    list.sort((a, b) => a.at - b.at);
    const before = list.filter((c) => c.at <= from);
    const inside = list.filter((c) => c.at > from && c.at <= to);
    const current = workers.get(id);
    let state = before.length ? before[before.length - 1].to
      : inside.length ? inside[0].from : (current && current.state) || 'unknown';
    let start = from;
    let why = before.length ? before[before.length - 1] : null;
    const segs = [];
    for (const c of inside) {
      if (c.at > start) segs.push({state, from: start, to: c.at, change: why});
      state = c.to;
      start = c.at;
      why = c;
    }
    segs.push({state, from: start, to, change: why});
    out.set(id, segs);
  }
  return out;
}

/**
 * Every failed attempt in the window with what came next: the session's next placement (the
 * lowest later attempt number), the time to recover (failure to placement), and whether it moved
 * to another GPU. An attempt not yet placed again has no `placed`.
 */
export function recoveries(events, from) {
  const placed = new Map(); // session -> [attempt.placed...]
  for (const ev of events) {
    if (ev.type === 'attempt.placed') {
      if (!placed.has(ev.session)) placed.set(ev.session, []);
      placed.get(ev.session).push(ev);
    }
  }
  const out = [];
  for (const ev of events) {
    if (ev.type !== 'attempt.failed' || Date.parse(ev.at) < from) continue;
    const next = (placed.get(ev.session) || [])
      .filter((p) => p.attempt > ev.attempt)
      .sort((a, b) => a.attempt - b.attempt)[0] || null;
    const failedAt = Date.parse(ev.at);
    out.push({
      failed: ev,
      placed: next,
      millis: next ? Math.max(0, Date.parse(next.at) - failedAt) : null,
      moved: Boolean(next && next.gpu && next.gpu !== ev.gpu),
    });
  }
  return out;
}

/** The faults drawn across every lane: cluster members lost. XIDs are drawn on their GPU's lane. */
export function memberFaults(events, from) {
  return events.filter((ev) => ev.type === 'node.member' && Date.parse(ev.at) >= from
    && ['unreachable', 'downed', 'removed'].includes(ev.change));
}

export function xids(events, from) {
  return events.filter((ev) => ev.type === 'gpu.xid' && Date.parse(ev.at) >= from);
}

/** Lanes: the GPUs /admin/workers lists, plus any only the events name (a GPU since removed). */
export function laneIds(sortedRows, events) {
  const ids = sortedRows.map((r) => r.id);
  const known = new Set(ids);
  for (const ev of events) {
    if (ev.gpu && !known.has(ev.gpu) && ev.type && ev.type.startsWith('gpu.')) {
      known.add(ev.gpu);
      ids.push(ev.gpu);
    }
  }
  return ids;
}

/** The axis step, in minutes, for a window of `minutes`: about five to eight ticks. */
export function tickMinutes(minutes) {
  return minutes <= 5 ? 1 : minutes <= 15 ? 3 : 5;
}
