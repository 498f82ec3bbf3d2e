package io.baton.actors.queue;

import io.baton.actors.CborSerializable;
import io.baton.actors.session.ServiceClass;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A model's queue as every node sees it, published on {@value #TOPIC} on every change and every
 * tick: placers hold back newcomers while a session of their class or higher waits, the API sheds
 * a request that would wait too long, and /admin/queues and the gauges show it.
 *
 * @param waitingByRank how many sessions wait in each class, by rank
 * @param waitingByTenant how many sessions of each tenant wait, all classes
 * @param head the first waiters in admission order (at most {@value #HEAD})
 * @param attained the service each tenant was charged at admission, in tokens
 * @param weights the weight each tenant queued with last
 * @param admitRate admissions per second over the last minute
 * @param preemptions sessions the queue preempted, by rank of the preempted session
 */
public record QueueSummary(String model, List<Integer> waitingByRank, Map<String, Integer> waitingByTenant,
    List<Head> head, Map<String, Double> attained, Map<String, Double> weights, long admitted, double admitRate,
    Map<Integer, Long> preemptions, int free, Instant at) implements CborSerializable {

  public static final String TOPIC = "baton-admission-queues";
  public static final int HEAD = 20;

  /** A waiter as /admin/queues shows it. */
  public record Head(String sessionId, String tenant, int rank, boolean resuming, Instant queuedAt)
      implements CborSerializable {}

  public QueueSummary {
    waitingByRank = List.copyOf(waitingByRank);
    waitingByTenant = Map.copyOf(waitingByTenant);
    head = List.copyOf(head);
    attained = Map.copyOf(attained);
    weights = Map.copyOf(weights);
    preemptions = Map.copyOf(preemptions);
  }

  /** The queue's state as every node is told it. */
  static QueueSummary of(QueueState s, ToDoubleFunction<String> weightOf, double admitRate,
      Map<Integer, Long> preemptions, int free, Instant at) {
    List<Integer> byRank = new ArrayList<>(List.of(0, 0, 0));
    Map<String, Integer> byTenant = new HashMap<>();
    for (QueueState.Waiter w : s.waiters()) {
      int rank = Math.min(w.rank(), byRank.size() - 1);
      byRank.set(rank, byRank.get(rank) + 1);
      byTenant.merge(w.tenant(), 1, Integer::sum);
    }
    Map<String, Double> weights = new HashMap<>();
    s.attained().keySet().forEach(t -> weights.put(t, weightOf.applyAsDouble(t)));
    List<Head> head = s.ordered().stream().limit(HEAD)
        .map(w -> new Head(w.sessionId(), w.tenant(), w.rank(), w.resuming(), w.queuedAt())).toList();
    return new QueueSummary(s.model(), byRank, byTenant, head, s.attained(), weights, s.admitted(), admitRate,
        preemptions, free, at);
  }

  /** Sessions waiting in {@code cls} or a higher class: those a newcomer of that class must not pass. */
  public int waitingAtOrAbove(ServiceClass cls) {
    int n = 0;
    for (int rank = 0; rank <= cls.rank() && rank < waitingByRank.size(); rank++) {
      n += waitingByRank.get(rank);
    }
    return n;
  }

  public int waiting() {
    return waitingByRank.stream().mapToInt(Integer::intValue).sum();
  }

  /** How long a newcomer of {@code cls} would wait at the recent admission rate; null: no estimate. */
  public Duration expectedWait(ServiceClass cls) {
    int ahead = waitingAtOrAbove(cls);
    if (ahead == 0) {
      return Duration.ZERO;
    }
    return admitRate <= 0 ? null : Duration.ofMillis((long) Math.ceil((ahead + 1) * 1000 / admitRate));
  }

  /**
   * How long the longest-waiting session of {@code cls} or a higher class has waited by {@code now},
   * as far as the head shows (admission order puts those classes first); zero when none waits.
   */
  public Duration longestWait(ServiceClass cls, Instant now) {
    return head.stream().filter(h -> h.rank() <= cls.rank()).map(Head::queuedAt).min(Comparator.naturalOrder())
        .map(at -> Duration.between(at, now)).orElse(Duration.ZERO);
  }

  /** Each tenant's part of all service attained, 0 to 1. */
  public double share(String tenant) {
    double total = attained.values().stream().mapToDouble(Double::doubleValue).sum();
    return total <= 0 ? 0 : attained.getOrDefault(tenant, 0.0) / total;
  }
}
