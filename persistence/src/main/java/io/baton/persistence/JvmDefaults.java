package io.baton.persistence;

/**
 * JVM-wide defaults every Baton entry point applies first. On a machine with two cores the JDK's
 * common pool gets parallelism 1, and then CompletableFuture runs each "async" stage on a brand-new
 * thread. Pekko's javadsl asks return Scala-converted futures whose plain thenApply is async, so
 * every ask would start a thread: measured at 15x lower throughput on the 2-core dev machine.
 */
public final class JvmDefaults {
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private JvmDefaults() {}

  /** Must run before anything touches ForkJoinPool.commonPool(); an explicit -D setting wins. */
  public static void apply() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
  }
}
