package io.baton.actors.session;

import java.util.Locale;
import java.util.Optional;

/**
 * How urgent a session is: a request may ask for a lower class than its API key's, never a higher
 * one. Kept in {@link SessionSpec#priority()} as its rank, for the admission queue that is to give
 * capacity to the highest class first (DESIGN.md, Placement; not built yet).
 */
public enum ServiceClass {
  /** Streaming and non-streaming requests: the default. */
  INTERACTIVE,
  /** Batch lines. */
  BATCH,
  /** Anything a tenant marks so: the lowest. */
  BACKGROUND;

  /** The rank stored in a spec: 0 is the highest. */
  public int rank() {
    return ordinal();
  }

  /** The class of a stored rank; ranks beyond the lowest class read as it. */
  public static ServiceClass ofRank(int rank) {
    ServiceClass[] all = values();
    return all[Math.max(0, Math.min(rank, all.length - 1))];
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ServiceClass> parse(String name) {
    for (ServiceClass c : values()) {
      if (c.wireName().equals(name)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
