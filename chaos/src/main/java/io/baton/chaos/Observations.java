package io.baton.chaos;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one scenario produced, gathered after the cluster healed: what the clients saw, what
 * the journal holds, what was injected, the GPU rows and the nodes' logs. The invariants are pure
 * functions of this.
 *
 * @param references fault-free text by reference key ("c3", "b7")
 * @param sessions every accepted session: the streams' and the batch lines'
 * @param nodeLogs per node, the log text written during this scenario
 */
record Observations(Scenario scenario, Instant startedAt, Bounds bounds, Map<String, String> references,
    List<StreamLog> streams, BatchClient.BatchLog batch, List<SessionAudit> sessions,
    List<FaultInjector.Injection> injections, List<String> notInjected, Rotation rotation,
    Map<String, String> nodeLogs) {

  /**
   * The GPU pool after healing.
   *
   * @param refilled the active count came back to {@code initialActive} (or no spare was left to promote)
   *     within {@code waitedMillis}
   * @param downNodes nodes still down (killed and not yet restarted): their GPUs are unreported
   */
  record Rotation(int initialActive, int initialSpare, List<Fleet.Gpu> finalGpus, boolean refilled, long waitedMillis,
      List<String> downNodes) {}
}
