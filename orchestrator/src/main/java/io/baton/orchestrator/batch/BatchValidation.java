package io.baton.orchestrator.batch;

import io.baton.actors.Printable;
import io.baton.actors.batch.Batch;
import io.baton.actors.batch.LineError;
import io.baton.http.batch.BatchLines;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.apache.pekko.stream.scaladsl.Framing.FramingException;

/**
 * What one streaming pass over a batch's input learns, holding only what it reports: the line
 * count, the bad lines' indices and at most {@link #MAX_REPORTED} errors. Whatever makes the input
 * unusable (no lines, too many, a line over the limit, the file deleted) ends the batch as failed
 * with OpenAI's errors object; nothing about the input is retried, since retrying cannot fix it.
 */
final class BatchValidation {
  /** Errors kept for the batch's errors object: enough to fix a file, small enough for one event. */
  static final int MAX_REPORTED = 100;
  /** Bad lines reported to the batch entity per message, well under the remoting frame limit. */
  static final int REPORT_GROUP = 1000;

  private int lines;
  private final List<Integer> bad = new ArrayList<>();
  private final List<LineError> errors = new ArrayList<>();

  /** Adds one parsed line (a {@link BatchLines.Good} or {@link BatchLines.Bad}). */
  BatchValidation add(Object line) {
    lines++;
    if (line instanceof BatchLines.Bad b) {
      bad.add(b.index());
      if (errors.size() < MAX_REPORTED) {
        LineError e = b.error();
        errors.add(new LineError(e.code(), Printable.of(e.message()), e.param(), e.line()));
      }
    }
    return this;
  }

  int lines() {
    return lines;
  }

  List<LineError> errors() {
    return List.copyOf(errors);
  }

  /** The bad lines' indices in groups of {@link #REPORT_GROUP}. */
  List<List<Integer>> badGroups() {
    List<List<Integer>> groups = new ArrayList<>();
    for (int i = 0; i < bad.size(); i += REPORT_GROUP) {
      groups.add(List.copyOf(bad.subList(i, Math.min(bad.size(), i + REPORT_GROUP))));
    }
    return groups;
  }

  /** Why the input as a whole cannot run, if it cannot; {@code lines} counts at most one past the limit. */
  Optional<LineError> unusable() {
    if (lines == 0) {
      return Optional.of(LineError.of("empty_file", "the input file has no lines"));
    }
    if (lines > Batch.MAX_REQUESTS) {
      return Optional.of(LineError.of("too_many_requests", "the input file has more than " + Batch.MAX_REQUESTS
          + " lines; split it into several batches"));
    }
    return Optional.empty();
  }

  /** A failure reading the input that no retry fixes, as the batch's error; empty for a passing one (Cassandra). */
  static Optional<LineError> unreadable(Throwable error, int maxLineBytes) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof FramingException) {
      return Optional.of(LineError.of("line_too_long", "a line of the input file exceeds " + maxLineBytes
          + " bytes"));
    }
    if (cause instanceof InputMissing missing) {
      return Optional.of(LineError.of("input_file_missing", missing.getMessage()));
    }
    return Optional.empty();
  }

  /** The input file was deleted after the batch was created. */
  static final class InputMissing extends RuntimeException {
    InputMissing(String fileId) {
      super("the input file " + fileId + " was deleted; create the batch again from a new upload");
    }
  }
}
