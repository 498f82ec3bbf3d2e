package io.baton.chaos.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one scenario run produced. Immutable: the lists and map are copies, so a report
 * cannot change after the suite hands it to {@link ReportWriter}.
 *
 * @param settings what a reader needs to judge the numbers (failure-detection "2.5 s", ...); kept
 *     in insertion order because the report prints them in that order
 */
public record ChaosReport(String scenario, long seed, Instant startedAt, Instant endedAt,
    Map<String, String> settings, List<FaultRecord> faults, List<SessionRecord> sessions,
    List<GpuRecord> gpus, List<InvariantResult> invariants, List<RecoverySample> recoveries) {

  public ChaosReport {
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(endedAt, "endedAt");
    settings = settings == null ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    faults = copy(faults);
    sessions = copy(sessions);
    gpus = copy(gpus);
    invariants = copy(invariants);
    recoveries = copy(recoveries);
  }

  /**
   * Every invariant held. A run that checked no invariant did not pass: an empty list means the
   * checks never ran, and "nothing failed" must not read as PASS.
   */
  @JsonProperty(value = "passed", access = JsonProperty.Access.READ_ONLY)
  public boolean passed() {
    return !invariants.isEmpty() && invariants.stream().allMatch(InvariantResult::passed);
  }

  /** Wall-clock length of the run. */
  public Duration duration() {
    return Duration.between(startedAt, endedAt);
  }

  private static <T> List<T> copy(List<T> list) {
    // Tolerate a missing list: a report with a gap beats losing the whole run to an NPE.
    return list == null ? List.of() : List.copyOf(list);
  }
}
