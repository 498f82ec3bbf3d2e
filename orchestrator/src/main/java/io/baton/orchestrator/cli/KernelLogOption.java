package io.baton.orchestrator.cli;

import java.nio.file.Path;
import java.util.Map;

/**
 * {@code --kernel-log FILE} of {@code up}, {@code cluster up} and {@code node}: the kernel-log watcher
 * follows FILE instead of nothing, so tests and operators can append {@code NVRM: Xid} lines to it.
 * The simulated GPUs answer the GPU inventory, since that is what these commands run; on a real host
 * set {@code baton.workers.kernel-log.*} instead (a node's --set wins over this option).
 */
final class KernelLogOption {
  static final String DESCRIPTION = "Follow FILE (a file or FIFO) as this host's kernel log: appended `NVRM: Xid"
      + " (PCI:...): 79, ...` lines reach the simulated GPUs with those PCI bus ids (see /admin/workers).";

  private KernelLogOption() {}

  static Map<String, String> config(Path file) {
    return Map.of("baton.workers.kernel-log.source", "file:" + file.toAbsolutePath(),
        "baton.workers.kernel-log.inventory-command", "simulated");
  }
}
