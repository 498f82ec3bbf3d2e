package io.baton.workers.host;

import java.io.IOException;
import java.nio.channels.Channel;

/**
 * A kernel log as lines, read on the watcher's own thread because every read blocks. A source ends
 * only by throwing: a kernel log has no last line, so an end is a failure to report and recover from.
 */
sealed interface LineSource permits FileSource, KmsgSource, CommandSource {

  /** Opens (or, after a failure, reopens) the source; throws when it cannot (missing, no permission). */
  void open() throws IOException;

  /** The next line, waiting until there is one. */
  String next() throws IOException, InterruptedException;

  /** Releases the source and wakes a reader blocked in {@link #next()}; called from another thread. */
  void close();

  /** The source for log lines and operator messages, e.g. {@code file:/var/log/kern.log}. */
  String describe();

  /** What the operator should do when opening or reading failed with {@code error}. */
  default String advice(Exception error) {
    return "check that " + describe() + " exists and this user may read it";
  }

  /** Closes a source's channel, if it has one open: closing only releases it, so a failure is moot. */
  static void closeQuietly(Channel channel) {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      // Nothing is left to do about a channel that fails to close.
    }
  }

  static LineSource of(KernelLogSettings settings) {
    if (settings.source() instanceof KernelLogSettings.File f) {
      return new FileSource(f.path(), settings.filePollInterval());
    } else if (settings.source() instanceof KernelLogSettings.Command c) {
      return new CommandSource(c.command());
    } else if (settings.source() instanceof KernelLogSettings.Kmsg) {
      return new KmsgSource();
    }
    throw new IllegalArgumentException("no kernel-log source to read: " + settings.source());
  }
}
