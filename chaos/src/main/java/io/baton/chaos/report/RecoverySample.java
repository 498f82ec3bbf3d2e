package io.baton.chaos.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One measured recovery: from the fault to the session's first resumed token. The bound travels
 * with the sample because it differs per fault kind (1 s for an XID, detection + 2 s for a crash).
 */
public record RecoverySample(String faultKind, String sessionId, long millis, long boundMillis) {
  public RecoverySample {
    Objects.requireNonNull(faultKind, "faultKind");
  }

  // READ_ONLY: written to the JSON for readers of the file, ignored when it is read back.
  @JsonProperty(value = "withinBound", access = JsonProperty.Access.READ_ONLY)
  public boolean withinBound() {
    return millis <= boundMillis;
  }
}
