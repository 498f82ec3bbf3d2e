package io.baton.actors;

/**
 * The one way a broken relation between timeouts is reported: at start, as a single line that
 * names both settings and what to change, rather than as a race found later in production.
 */
public final class Timing {
  private Timing() {}

  /** Thrown at start when two timing settings contradict each other. */
  public static final class InvalidTiming extends IllegalArgumentException {
    public InvalidTiming(String message) {
      super(message);
    }
  }

  public static void require(boolean holds, String relation) {
    if (!holds) {
      throw new InvalidTiming("invalid timing settings: " + relation);
    }
  }
}
