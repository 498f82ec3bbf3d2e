package io.baton.actors.batch;

import io.baton.actors.CborSerializable;
import io.baton.actors.Rejection;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What can be asked of a batch: the API creates and cancels it, the batch driver reports how its
 * requests went. Every command gets a reply; a rejected one persists nothing.
 */
public sealed interface BatchCommand extends CborSerializable {

  /** A command that may change the batch; each is answered with a {@link Reply}. */
  sealed interface Mutation extends BatchCommand {
    ActorRef<Reply> replyTo();
  }

  /**
   * Creates the batch, which starts validating. Repeating it with the same content is acknowledged,
   * so a client's retried POST does not fail.
   *
   * @param endpoint {@code /v1/chat/completions} or {@code /v1/completions}
   * @param completionWindow {@code 24h}, the only window OpenAI offers
   * @param metadata up to 16 client-chosen pairs; null means none
   * @param tenant the caller's API key name; the batch, its lines and its files are its alone
   */
  record Create(
      String inputFileId, String endpoint, String completionWindow, Map<String, String> metadata, String tenant,
      ActorRef<Reply> replyTo) implements Mutation {
    public Create {
      metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
  }

  /**
   * The input file parsed: the batch starts running its requests.
   *
   * @param errors problems worth showing that did not stop the batch; may be empty
   */
  record MarkValidated(int totalRequests, List<LineError> errors, ActorRef<Reply> replyTo) implements Mutation {
    public MarkValidated {
      errors = errors == null ? List.of() : List.copyOf(errors);
    }
  }

  /**
   * Requests that have finished, by 0-based line index, many per command so that a 10,000-line batch
   * needs few events. Lines already counted are skipped, so a driver may resend a report whose reply
   * it lost. Allowed while requests can still finish: in progress, finalizing and cancelling.
   */
  record ReportRequests(List<Integer> succeeded, List<Integer> failed, ActorRef<Reply> replyTo)
      implements Mutation {
    public ReportRequests {
      succeeded = succeeded == null ? List.of() : List.copyOf(succeeded);
      failed = failed == null ? List.of() : List.copyOf(failed);
    }
  }

  /** Every line is finished; the driver now writes the output and error files. */
  record Finalize(ActorRef<Reply> replyTo) implements Mutation {}

  /**
   * The output files are written. Ends a finalizing batch as completed and a cancelling one as
   * cancelled. A file id is required when some line belongs in that file, and may be null otherwise.
   */
  record Complete(String outputFileId, String errorFileId, ActorRef<Reply> replyTo) implements Mutation {}

  /** Ends the batch as failed: while validating the input was bad, later the batch could not go on. */
  record Fail(List<LineError> errors, ActorRef<Reply> replyTo) implements Mutation {
    public Fail {
      errors = errors == null ? List.of() : List.copyOf(errors);
    }
  }

  /** Asks to stop: requests in flight may still finish, then {@link Complete} ends it as cancelled. */
  record Cancel(String reason, ActorRef<Reply> replyTo) implements Mutation {}

  /**
   * Ends an unfinished batch whose completion window is over; the files hold what finished in time.
   * The entity checks the deadline itself, so an early or duplicated timer cannot expire a batch.
   */
  record Expire(String outputFileId, String errorFileId, ActorRef<Reply> replyTo) implements Mutation {}

  record GetState(ActorRef<BatchState> replyTo) implements BatchCommand {}

  /** The answer to a state-changing command. */
  sealed interface Reply extends CborSerializable {}

  /** The command took effect, or had already taken effect (an idempotent retry). */
  record Accepted(BatchStatus status, RequestCounts requestCounts) implements Reply {}

  record Rejected(Rejection rejection) implements Reply {}
}
