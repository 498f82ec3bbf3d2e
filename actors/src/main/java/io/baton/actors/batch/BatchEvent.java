package io.baton.actors.batch;

import io.baton.actors.CborSerializable;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything that happened to a batch. These records are a stored schema: renaming one, or a field
 * of one, breaks replay of existing journals. Every one is round-tripped in a test.
 */
public sealed interface BatchEvent extends CborSerializable {

  /**
   * @param expiresAt {@code at} plus the completion window, fixed once so replay cannot move it
   * @param tenant the API key name that created it, the only one that sees it; absent (null) in
   *     events written before tenants, which read as {@link BatchState#DEFAULT_TENANT}
   */
  record Created(
      String batchId, String inputFileId, String endpoint, String completionWindow, Map<String, String> metadata,
      Instant at, Instant expiresAt, String tenant) implements BatchEvent {
    public Created {
      metadata = Map.copyOf(metadata);
    }
  }

  record InputValidated(int totalRequests, List<LineError> errors, Instant at) implements BatchEvent {
    public InputValidated {
      errors = List.copyOf(errors);
    }
  }

  record ValidationFailed(List<LineError> errors, Instant at) implements BatchEvent {
    public ValidationFailed {
      errors = List.copyOf(errors);
    }
  }

  /** Lines newly finished, never one counted before: the event handler can add without checking. */
  record RequestsFinished(List<Integer> succeeded, List<Integer> failed, Instant at) implements BatchEvent {
    public RequestsFinished {
      succeeded = List.copyOf(succeeded);
      failed = List.copyOf(failed);
    }
  }

  record FinalizingStarted(Instant at) implements BatchEvent {}

  record Completed(String outputFileId, String errorFileId, Instant at) implements BatchEvent {}

  /** The batch could not go on after validation, e.g. its input file vanished. */
  record Failed(List<LineError> errors, Instant at) implements BatchEvent {
    public Failed {
      errors = List.copyOf(errors);
    }
  }

  record Expired(String outputFileId, String errorFileId, Instant at) implements BatchEvent {}

  record CancellationRequested(String reason, Instant at) implements BatchEvent {}

  record Cancelled(String outputFileId, String errorFileId, Instant at) implements BatchEvent {}
}
