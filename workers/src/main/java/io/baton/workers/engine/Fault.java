package io.baton.workers.engine;

/**
 * A fault to inject into a simulated GPU through {@link FaultHooks#inject}. Step numbers count
 * decode steps on the whole engine from the moment of injection: 1 is the next step of any
 * generation, as a real GPU fault hits whatever kernel runs next.
 */
public sealed interface Fault {

  /** The GPU raises XID {@code code} at its {@code atStep}-th decode step and stays failed. */
  record Xid(int code, int atStep) implements Fault {
    public Xid {
      requirePositive(atStep);
    }
  }

  /** The GPU's {@code atStep}-th decode step hangs, and so does every later one until released. */
  record Hang(int atStep) implements Fault {
    public Hang {
      requirePositive(atStep);
    }
  }

  /** From now on every simulated duration is multiplied by {@code factor} (a throttled GPU). */
  record Slowdown(double factor) implements Fault {
    public Slowdown {
      if (!(factor > 0)) {
        throw new IllegalArgumentException("slowdown factor must be positive, was " + factor);
      }
    }
  }

  private static void requirePositive(int atStep) {
    if (atStep < 1) {
      throw new IllegalArgumentException("fault step counts from 1, was " + atStep);
    }
  }
}
