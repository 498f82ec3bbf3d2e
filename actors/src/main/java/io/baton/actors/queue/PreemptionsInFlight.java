package io.baton.actors.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The admission queue's preemptions not yet seen through, in memory like the rest of its counts. A
 * preemption is in flight from the hint until an interactive session is seen running: first while
 * the victim still runs, then while the place it freed waits for the waiter it was freed for. That
 * waiter may be admitted and yet not placed (its placer has not heard the report), and its next
 * Wait must not take a second victim for the same need. Both end at the admission timeout.
 */
final class PreemptionsInFlight {
  /** Victims told to give their place up and still seen running: never told twice. */
  private final Map<String, Instant> victims = new HashMap<>();
  /** When each preempted place was seen free. */
  private final Deque<Instant> freed = new ArrayDeque<>();

  boolean isVictim(String sessionId) {
    return victims.containsKey(sessionId);
  }

  void asked(String sessionId, Instant now) {
    victims.put(sessionId, now);
  }

  /** Victims no longer running on any GPU have freed their place. */
  void heard(Collection<GpuLoad> loads, Instant now) {
    victims.keySet().removeIf(id -> {
      boolean gone = loads.stream().noneMatch(l -> l.runs(id));
      if (gone) {
        freed.addLast(now);
      }
      return gone;
    });
  }

  /** An interactive session was seen running: the oldest freed place has served its purpose. */
  void interactiveRunning() {
    freed.pollFirst();
  }

  void expire(Instant now, Duration timeout) {
    victims.values().removeIf(at -> at.plus(timeout).isBefore(now));
    freed.removeIf(at -> at.plus(timeout).isBefore(now));
  }

  int count() {
    return victims.size() + freed.size();
  }
}
