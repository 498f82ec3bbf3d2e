package io.baton.workers.host;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The kernel-log watcher's settings, read from {@code baton.workers.kernel-log}.
 *
 * @param source where kernel log lines come from
 * @param inventoryCommand lists the host's GPUs as nvidia-smi's CSV; {@value GpuInventory#SIMULATED}
 *     makes the simulated fleet answer
 * @param inventoryTimeout how long the inventory command may run before it counts as failed
 * @param backoffMin the first wait before a failed source is opened again; doubled per failure
 * @param backoffMax the longest wait between tries
 * @param filePollInterval how often a followed regular file is checked for appends, truncation and rotation
 */
public record KernelLogSettings(Source source, String inventoryCommand, Duration inventoryTimeout,
    Duration backoffMin, Duration backoffMax, Duration filePollInterval) {

  /** Where the watcher reads. */
  public sealed interface Source {}

  /** No watcher: the host's XID signal is off (the dev default: nothing reads a dev box's kernel log unasked). */
  public record None() implements Source {}

  /** {@code /dev/kmsg}: needs root or CAP_SYSLOG. */
  public record Kmsg() implements Source {}

  /** A file followed like {@code tail -F}, or a FIFO. */
  public record File(Path path) implements Source {}

  /** A command's standard output, e.g. {@code journalctl -k -f -o short -n 0}, run by /bin/sh. */
  public record Command(String command) implements Source {}

  public KernelLogSettings {
    String path = "baton.workers.kernel-log.";
    require(!inventoryCommand.isBlank(), path + "inventory-command is empty; use nvidia-smi's"
        + " --query-gpu=index,uuid,pci.bus_id --format=csv,noheader or " + GpuInventory.SIMULATED);
    require(positive(inventoryTimeout), path + "inventory-timeout must be positive, was " + inventoryTimeout);
    require(positive(filePollInterval), path + "file-poll-interval must be positive, was " + filePollInterval);
    require(positive(backoffMin) && backoffMax.compareTo(backoffMin) >= 0, path + "restart-backoff needs"
        + " 0 < min <= max, was min=" + backoffMin + " max=" + backoffMax);
  }

  public static KernelLogSettings fromConfig(Config c) {
    return new KernelLogSettings(source(c.getString("source")), c.getString("inventory-command"),
        c.getDuration("inventory-timeout"), c.getDuration("restart-backoff.min"),
        c.getDuration("restart-backoff.max"), c.getDuration("file-poll-interval"));
  }

  public KernelLogSettings withSource(Source newSource) {
    return new KernelLogSettings(newSource, inventoryCommand, inventoryTimeout, backoffMin, backoffMax,
        filePollInterval);
  }

  static Source source(String value) {
    String v = value.strip();
    if (v.equals("none")) {
      return new None();
    } else if (v.equals("kmsg")) {
      return new Kmsg();
    } else if (v.startsWith("file:") && v.length() > "file:".length()) {
      return new File(Path.of(v.substring("file:".length())));
    } else if (v.startsWith("command:") && !v.substring("command:".length()).isBlank()) {
      return new Command(v.substring("command:".length()).strip());
    }
    throw new IllegalArgumentException("baton.workers.kernel-log.source is '" + value + "'; use none, kmsg,"
        + " \"file:/var/log/kern.log\" or \"command:journalctl -k -f -o short -n 0\"");
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
