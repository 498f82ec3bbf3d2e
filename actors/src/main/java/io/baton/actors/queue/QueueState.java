package io.baton.actors.queue;

import io.baton.actors.CborSerializable;
import io.baton.actors.queue.QueueEvent.Admitted;
import io.baton.actors.queue.QueueEvent.Enqueued;
import io.baton.actors.queue.QueueEvent.Left;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's admission queue as its events made it: who waits, and the service each tenant has
 * attained. Immutable, and the snapshot format, so a stored schema.
 *
 * <p>The order (DESIGN.md, Placement): the highest class first; within it a session resuming
 * (preempted, or displaced by a fault) first, then the tenant with the least attained service per unit of weight, then the earliest to
 * queue. A tenant that starts waiting again is lifted to the least attained service among the
 * tenants already waiting in its class (scaled by weight), so idle time banks no credit.
 *
 * @param attained service charged to each tenant at admission, in tokens
 * @param admitted sessions admitted since the queue began
 */
public record QueueState(String model, List<Waiter> waiters, Map<String, Double> attained, long admitted)
    implements CborSerializable {

  /** One waiting session, as its last {@link Enqueued} described it. */
  public record Waiter(String sessionId, String tenant, double weight, int rank, long cost, boolean resuming,
      Instant queuedAt) implements CborSerializable {}

  public QueueState {
    waiters = List.copyOf(waiters);
    attained = Map.copyOf(attained);
  }

  public static QueueState empty(String model) {
    return new QueueState(model, List.of(), Map.of(), 0);
  }

  public Optional<Waiter> waiter(String sessionId) {
    return waiters.stream().filter(w -> w.sessionId().equals(sessionId)).findFirst();
  }

  public double attainedBy(String tenant) {
    return attained.getOrDefault(tenant, 0.0);
  }

  /** The order waiters are admitted in; {@link #next} is its first. */
  public Comparator<Waiter> order() {
    return Comparator.comparingInt(Waiter::rank)
        .thenComparing(w -> !w.resuming())
        .thenComparingDouble(w -> attainedBy(w.tenant()) / w.weight())
        .thenComparing(Waiter::queuedAt)
        .thenComparing(Waiter::sessionId);
  }

  public Optional<Waiter> next() {
    return waiters.stream().min(order());
  }

  /** The waiters in admission order as of now (each admission may reorder the rest). */
  public List<Waiter> ordered() {
    List<Waiter> out = new ArrayList<>(waiters);
    out.sort(order());
    return out;
  }

  public QueueState apply(QueueEvent event) {
    if (event instanceof Enqueued e) {
      Waiter w = new Waiter(e.sessionId(), e.tenant(), e.weight(), e.rank(), e.cost(), e.resuming(), e.queuedAt());
      List<Waiter> rest = waiters.stream().filter(x -> !x.sessionId().equals(e.sessionId())).toList();
      Map<String, Double> lifted = new HashMap<>(attained);
      boolean backlogged = rest.stream().anyMatch(x -> x.tenant().equals(e.tenant()));
      if (!backlogged) {
        rest.stream().filter(x -> x.rank() == e.rank()).mapToDouble(x -> attainedBy(x.tenant()) / x.weight()).min()
            .ifPresent(floor -> lifted.merge(e.tenant(), floor * e.weight(), Math::max));
      }
      List<Waiter> all = new ArrayList<>(rest);
      all.add(w);
      return new QueueState(model, all, lifted, admitted);
    } else if (event instanceof Admitted e) {
      Map<String, Double> charged = new HashMap<>(attained);
      List<Waiter> left = new ArrayList<>(waiters);
      for (String id : e.sessionIds()) {
        waiter(id).ifPresent(w -> charged.merge(w.tenant(), (double) w.cost(), Double::sum));
        left.removeIf(w -> w.sessionId().equals(id));
      }
      return new QueueState(model, left, charged, admitted + e.sessionIds().size());
    } else if (event instanceof Left e) {
      return new QueueState(model, waiters.stream().filter(w -> !w.sessionId().equals(e.sessionId())).toList(),
          attained, admitted);
    }
    throw new IllegalArgumentException("unknown queue event " + event.getClass().getName());
  }
}
