package io.baton.http.openai;

import java.util.List;

/**
 * Applies a request's stop sequences to streamed text. Text that could be the start of a stop
 * sequence is held back until the next piece shows whether it is one, so a client never receives
 * part of a stop sequence; at the end whatever is held back is released.
 */
final class StopScanner {
  private final List<String> stops;
  private final int holdBack;
  private final StringBuilder pending = new StringBuilder();
  private boolean stopped;

  StopScanner(List<String> stops) {
    this.stops = stops;
    this.holdBack = stops.stream().mapToInt(String::length).max().orElse(1) - 1;
  }

  boolean stopped() {
    return stopped;
  }

  /** The text that may go out now; after a stop sequence was found, only the text before it. */
  String feed(String piece) {
    if (stopped) {
      return "";
    }
    pending.append(piece);
    int cut = -1;
    for (String stop : stops) {
      int at = pending.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) {
        cut = at;
      }
    }
    if (cut >= 0) {
      stopped = true;
      String out = pending.substring(0, cut);
      pending.setLength(0);
      return out;
    }
    int release = stops.isEmpty() ? pending.length() : Math.max(0, pending.length() - holdBack);
    String out = pending.substring(0, release);
    pending.delete(0, release);
    return out;
  }

  /** What is still held back, at the end of the stream. */
  String flush() {
    String out = stopped ? "" : pending.toString();
    pending.setLength(0);
    return out;
  }
}
