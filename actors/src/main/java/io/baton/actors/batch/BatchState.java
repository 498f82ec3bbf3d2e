package io.baton.actors.batch;

import io.baton.actors.CborSerializable;
import io.baton.actors.batch.BatchEvent.CancellationRequested;
import io.baton.actors.batch.BatchEvent.Cancelled;
import io.baton.actors.batch.BatchEvent.Completed;
import io.baton.actors.batch.BatchEvent.Created;
import io.baton.actors.batch.BatchEvent.Expired;
import io.baton.actors.batch.BatchEvent.Failed;
import io.baton.actors.batch.BatchEvent.FinalizingStarted;
import io.baton.actors.batch.BatchEvent.InputValidated;
import io.baton.actors.batch.BatchEvent.RequestsFinished;
import io.baton.actors.batch.BatchEvent.ValidationFailed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A batch as its events made it, with the fields of OpenAI's batch object in its order (camelCase
 * here; the HTTP layer spells them). Immutable: {@link #apply} returns a new state. It is also the
 * snapshot format, so its fields are a stored schema like the events.
 *
 * @param errors OpenAI's {@code errors.data}: validation findings and the reason for a failure
 * @param cancelReason why the batch was cancelled; not part of OpenAI's object
 * @param finishedLines every line counted in {@code requestCounts}, so a repeated report is skipped
 * @param failedLines the finished lines that failed, to tell a repeated report from a contradiction
 * @param tenant the API key name that created the batch; null until it is created
 */
public record BatchState(
    String id,
    String endpoint,
    String inputFileId,
    String completionWindow,
    BatchStatus status,
    String outputFileId,
    String errorFileId,
    List<LineError> errors,
    Instant createdAt,
    Instant inProgressAt,
    Instant expiresAt,
    Instant finalizingAt,
    Instant completedAt,
    Instant failedAt,
    Instant expiredAt,
    Instant cancellingAt,
    Instant cancelledAt,
    RequestCounts requestCounts,
    Map<String, String> metadata,
    String cancelReason,
    LineSet finishedLines,
    LineSet failedLines,
    String tenant)
    implements CborSerializable {

  /** The tenant of a node without API keys, and of batches created before tenants were recorded. */
  public static final String DEFAULT_TENANT = "default";

  public static BatchState empty(String batchId) {
    return new BatchState(
        batchId, null, null, null, BatchStatus.NEW, null, null, List.of(), null, null, null, null, null, null, null,
        null, null, RequestCounts.NONE, Map.of(), null, LineSet.EMPTY, LineSet.EMPTY, null);
  }

  public BatchState apply(BatchEvent event) {
    // Java 17 has no pattern switch; the sealed interface keeps this chain complete by review.
    if (event instanceof Created e) {
      return new BatchState(
          e.batchId(), e.endpoint(), e.inputFileId(), e.completionWindow(), BatchStatus.VALIDATING, null, null,
          List.of(), e.at(), null, e.expiresAt(), null, null, null, null, null, null, RequestCounts.NONE,
          e.metadata(), null, LineSet.EMPTY, LineSet.EMPTY, e.tenant() == null ? DEFAULT_TENANT : e.tenant());
    } else if (event instanceof InputValidated e) {
      return withOutcome(outputFileId, errorFileId, append(errors, e.errors()), cancelReason)
          .withProgress(new RequestCounts(e.totalRequests(), 0, 0), LineSet.EMPTY, LineSet.EMPTY)
          .moved(BatchStatus.IN_PROGRESS, e.at());
    } else if (event instanceof ValidationFailed e) {
      return withOutcome(outputFileId, errorFileId, append(errors, e.errors()), cancelReason)
          .moved(BatchStatus.FAILED, e.at());
    } else if (event instanceof RequestsFinished e) {
      List<Integer> all = new ArrayList<>(e.succeeded());
      all.addAll(e.failed());
      return withProgress(
          requestCounts.plus(e.succeeded().size(), e.failed().size()), finishedLines.plus(all),
          failedLines.plus(e.failed()));
    } else if (event instanceof FinalizingStarted e) {
      return moved(BatchStatus.FINALIZING, e.at());
    } else if (event instanceof Completed e) {
      return withOutcome(e.outputFileId(), e.errorFileId(), errors, cancelReason).moved(BatchStatus.COMPLETED, e.at());
    } else if (event instanceof Failed e) {
      return withOutcome(outputFileId, errorFileId, append(errors, e.errors()), cancelReason)
          .moved(BatchStatus.FAILED, e.at());
    } else if (event instanceof Expired e) {
      return withOutcome(e.outputFileId(), e.errorFileId(), errors, cancelReason).moved(BatchStatus.EXPIRED, e.at());
    } else if (event instanceof CancellationRequested e) {
      return withOutcome(outputFileId, errorFileId, errors, e.reason()).moved(BatchStatus.CANCELLING, e.at());
    } else if (event instanceof Cancelled e) {
      return withOutcome(e.outputFileId(), e.errorFileId(), errors, cancelReason).moved(BatchStatus.CANCELLED, e.at());
    }
    throw new IllegalArgumentException("unknown batch event " + event.getClass().getName());
  }

  /** Moves to {@code to} and stamps the one timestamp that belongs to it, as OpenAI's object has. */
  private BatchState moved(BatchStatus to, Instant at) {
    return new BatchState(
        id, endpoint, inputFileId, completionWindow, to, outputFileId, errorFileId, errors, createdAt,
        stamp(to, BatchStatus.IN_PROGRESS, at, inProgressAt), expiresAt,
        stamp(to, BatchStatus.FINALIZING, at, finalizingAt), stamp(to, BatchStatus.COMPLETED, at, completedAt),
        stamp(to, BatchStatus.FAILED, at, failedAt), stamp(to, BatchStatus.EXPIRED, at, expiredAt),
        stamp(to, BatchStatus.CANCELLING, at, cancellingAt), stamp(to, BatchStatus.CANCELLED, at, cancelledAt),
        requestCounts, metadata, cancelReason, finishedLines, failedLines, tenant);
  }

  private static Instant stamp(BatchStatus to, BatchStatus owner, Instant at, Instant current) {
    return to == owner ? at : current;
  }

  private BatchState withOutcome(String output, String errorFile, List<LineError> newErrors, String reason) {
    return new BatchState(
        id, endpoint, inputFileId, completionWindow, status, output, errorFile, newErrors, createdAt, inProgressAt,
        expiresAt, finalizingAt, completedAt, failedAt, expiredAt, cancellingAt, cancelledAt, requestCounts,
        metadata, reason, finishedLines, failedLines, tenant);
  }

  private BatchState withProgress(RequestCounts counts, LineSet finished, LineSet failed) {
    return new BatchState(
        id, endpoint, inputFileId, completionWindow, status, outputFileId, errorFileId, errors, createdAt,
        inProgressAt, expiresAt, finalizingAt, completedAt, failedAt, expiredAt, cancellingAt, cancelledAt, counts,
        metadata, cancelReason, finished, failed, tenant);
  }

  private static <T> List<T> append(List<T> list, List<T> more) {
    List<T> copy = new ArrayList<>(list.size() + more.size());
    copy.addAll(list);
    copy.addAll(more);
    return List.copyOf(copy);
  }
}
