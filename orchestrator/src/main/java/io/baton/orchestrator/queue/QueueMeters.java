package io.baton.orchestrator.queue;

import io.baton.actors.queue.QueueBoard;
import io.baton.actors.queue.QueueSummary;
import io.baton.actors.session.ServiceClass;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The admission queues on {@code /metrics}, read from this node's {@link QueueBoard}: each queue is
 * cluster-wide, so every node shows the same values (aggregate with max, not sum). Gauges appear as
 * models and tenants are first heard of. Wait times and preemptions are counted where the sessions
 * live ({@code baton_queue_wait_seconds}, {@code baton_preemptions_total}).
 */
public final class QueueMeters {
  private final MeterRegistry registry;
  private final QueueBoard board;
  private final Set<String> registered = new HashSet<>();

  public QueueMeters(MeterRegistry registry, QueueBoard board) {
    this.registry = registry;
    this.board = board;
  }

  /** A summary was heard: registers gauges for what it names that has none yet. Called on one actor. */
  public void heard(QueueSummary s) {
    String model = s.model();
    for (ServiceClass cls : ServiceClass.values()) {
      gauge("baton.queue.waiting", "Sessions waiting in the model's admission queue, by class", model, "class",
          cls.wireName(), q -> cls.rank() < q.waitingByRank().size() ? q.waitingByRank().get(cls.rank()) : 0);
    }
    gauge("baton.queue.admit.rate", "Sessions the model's queue admitted per second over the last minute", model,
        null, null, QueueSummary::admitRate);
    Set<String> tenants = new HashSet<>(s.attained().keySet());
    tenants.addAll(s.waitingByTenant().keySet());
    for (String tenant : tenants) {
      gauge("baton.queue.tenant.waiting", "Sessions of the tenant waiting in the model's queue", model, "tenant",
          tenant, q -> q.waitingByTenant().getOrDefault(tenant, 0));
      gauge("baton.tenant.attained.tokens", "Service the tenant was charged at admission, in tokens", model, "tenant",
          tenant, q -> q.attained().getOrDefault(tenant, 0.0));
      gauge("baton.tenant.share", "The tenant's part of all service the model's queue admitted, 0 to 1", model,
          "tenant", tenant, q -> q.share(tenant));
    }
  }

  private void gauge(String name, String help, String model, String tag, String value,
      ToDoubleFunction<QueueSummary> read) {
    String key = name + "|" + model + "|" + value;
    if (!registered.add(key)) {
      return;
    }
    Gauge.Builder<QueueBoard> b = Gauge.builder(name, board, bd -> last(bd, model).map(read::applyAsDouble).orElse(0.0))
        .description(help).tag("model", model);
    (tag == null ? b : b.tag(tag, value)).register(registry);
  }

  private static Optional<QueueSummary> last(QueueBoard board, String model) {
    return board.all().stream().filter(q -> q.model().equals(model)).findFirst();
  }
}
