package io.baton.orchestrator.batch;

import io.baton.actors.batch.Batch;
import io.baton.actors.batch.BatchCommand;
import io.baton.actors.batch.BatchState;
import io.baton.actors.batch.BatchStatus;
import io.baton.actors.batch.LineError;
import io.baton.actors.session.SessionState;
import io.baton.actors.session.SessionStatus;
import io.baton.http.batch.BatchLines;
import io.baton.http.metrics.HttpMetrics;
import io.baton.actors.app.SessionService;
import io.baton.persistence.files.FileMeta;
import io.baton.persistence.files.FileStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one batch from its state, phase by phase, until it ends: validate the input file, run
 * every good line as a session (at most {@link #PARALLELISM} at once), report finished lines in
 * groups, then write the output and error files and complete. Every step is idempotent (a line's
 * session id and seed derive from the batch and the line; reports skip counted lines; file ids are
 * fixed), so a driver that restarts after a crash simply continues.
 */
final class BatchDriver {
  private static final Logger log = LoggerFactory.getLogger(BatchDriver.class);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  static final int PARALLELISM = 32;
  private static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

  private final ActorSystem<?> system;
  private final SessionService sessions;
  private final BatchLineRunner runner;
  private final BatchLines lines;
  private final FileStore files;
  private final Materializer materializer;
  private final BatchProgress progress;

  BatchDriver(
      ActorSystem<?> system, SessionService sessions, HttpMetrics httpMetrics, BatchLines lines, FileStore files,
      BatchProgress progress) {
    this.system = system;
    this.progress = progress;
    this.sessions = sessions;
    this.lines = lines;
    this.files = files;
    this.materializer = Materializer.matFromSystem(system);
    this.runner = new BatchLineRunner(sessions, httpMetrics, materializer);
  }

  /** Runs the batch's next phase, then the one after, until the batch has ended. */
  CompletionStage<Done> drive(String batchId) {
    return state(batchId).thenCompose(s -> {
      progress.seen(batchId, s.status(), s.requestCounts());
      if (s.status().isTerminal() || s.status() == BatchStatus.NEW) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      log.info("batch {} status={} requests={}", batchId, s.status().wireName(), s.requestCounts());
      CompletionStage<?> phase = switch (next(s, Instant.now())) {
        case EXPIRE -> writeFiles(s, (out, err) -> r -> new BatchCommand.Expire(out, err, r));
        case VALIDATE -> validate(s);
        // Lines stop starting at expiry; the loop then comes back here and expires the batch.
        case RUN -> run(s).thenCompose(d -> expired(s, Instant.now()) ? CompletableFuture.<Object>completedFuture(d)
            : ask(batchId, BatchCommand.Finalize::new).thenApply(reply -> (Object) reply));
        case COMPLETE -> writeFiles(s, (out, err) -> r -> new BatchCommand.Complete(out, err, r));
      };
      return failIfInputUnreadable(s, phase).thenCompose(done -> drive(batchId));
    });
  }

  /** Every line, with its 0-based index, parsed. */
  private Source<Object, NotUsed> parsed(BatchState s) {
    return Source.completionStageSource(files.get(s.inputFileId()).thenApply(meta -> meta
            .map(m -> files.content(m))
            .orElseThrow(() -> new BatchValidation.InputMissing(s.inputFileId()))))
        .via(Framing.delimiter(ByteString.fromString("\n"), MAX_LINE_BYTES, FramingTruncation.ALLOW))
        .map(ByteString::utf8String)
        .filter(line -> !line.isBlank())
        .zipWithIndex()
        .map(p -> lines.parse(s.id(), s.endpoint(), s.tenant(), p.second().intValue(), p.first()))
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }

  /** One streaming pass: an unusable input fails the batch, a usable one starts it with its bad lines counted. */
  private CompletionStage<?> validate(BatchState s) {
    return parsed(s).take(Batch.MAX_REQUESTS + 1L)
        .runFold(new BatchValidation(), BatchValidation::add, materializer)
        .handle((tally, error) -> {
          if (error != null) {
            LineError why = BatchValidation.unreadable(error, MAX_LINE_BYTES).orElseThrow(() -> asUnchecked(error));
            return fail(s, why);
          }
          Optional<LineError> unusable = tally.unusable();
          if (unusable.isPresent()) {
            return fail(s, unusable.get());
          }
          CompletionStage<?> chain = ask(s.id(), r -> new BatchCommand.MarkValidated(tally.lines(), tally.errors(), r));
          for (List<Integer> group : tally.badGroups()) {
            chain = chain.thenCompose(d -> ask(s.id(), r -> new BatchCommand.ReportRequests(List.of(), group, r)));
          }
          return chain;
        })
        .thenCompose(next -> next);
  }

  private CompletionStage<?> fail(BatchState s, LineError why) {
    log.warn("batch {} failed validation: {}", s.id(), why.message());
    return ask(s.id(), r -> new BatchCommand.Fail(List.of(why), r));
  }

  private static RuntimeException asUnchecked(Throwable error) {
    return error instanceof RuntimeException e ? e : new CompletionException(error);
  }

  /** Runs the lines not yet counted; a cancel stops new ones, and lines in flight still finish. */
  private CompletionStage<Done> run(BatchState s) {
    return parsed(s)
        .filter(line -> line instanceof BatchLines.Good g && !s.finishedLines().contains(g.index()))
        .map(line -> (BatchLines.Good) line)
        .mapAsyncUnordered(PARALLELISM, good -> state(s.id()).thenCompose(now ->
            now.status() == BatchStatus.CANCELLING || expired(now, Instant.now())
                ? CompletableFuture.completedFuture(Pair.create(good.index(), (Boolean) null))
                : runner.run(s.id(), good)))
        .filter(p -> p.second() != null)
        .groupedWithin(100, Duration.ofMillis(500))
        .mapAsync(1, group -> {
          List<Integer> ok = group.stream().filter(Pair::second).map(Pair::first).toList();
          List<Integer> failed = group.stream().filter(p -> !p.second()).map(Pair::first).toList();
          return ask(s.id(), r -> new BatchCommand.ReportRequests(ok, failed, r));
        })
        .runWith(Sink.ignore(), materializer);
  }

  /** What a batch that has not ended does next. */
  enum Phase { EXPIRE, VALIDATE, RUN, COMPLETE }

  /**
   * A validating or running batch past its completion window expires (the files hold the lines done
   * so far); a finalizing or cancelling one completes as it would have.
   */
  static Phase next(BatchState s, Instant now) {
    boolean open = s.status() == BatchStatus.VALIDATING || s.status() == BatchStatus.IN_PROGRESS;
    if (open && expired(s, now)) {
      return Phase.EXPIRE;
    }
    return s.status() == BatchStatus.VALIDATING ? Phase.VALIDATE
        : s.status() == BatchStatus.IN_PROGRESS ? Phase.RUN : Phase.COMPLETE;
  }

  /** The batch's completion window has passed: no line starts any more, and it ends as expired. */
  static boolean expired(BatchState s, Instant now) {
    return s.expiresAt() != null && now.isAfter(s.expiresAt());
  }

  /** Writes the output and error files (the lines done so far), then ends the batch with {@code end}. */
  private CompletionStage<?> writeFiles(BatchState s,
      BiFunction<String, String, Function<ActorRef<BatchCommand.Reply>, BatchCommand>> end) {
    String outputId = "file-" + s.id() + "-output";
    String errorId = "file-" + s.id() + "-errors";
    boolean chat = s.endpoint().endsWith("chat/completions");
    CompletionStage<FileMeta> output = files.put(outputId, "batch_output", s.id() + "_output.jsonl",
        s.tenant(), outcomes(s, chat, true), materializer);
    return output.thenCompose(out -> files.put(errorId, "batch_output", s.id() + "_errors.jsonl",
        s.tenant(), outcomes(s, chat, false), materializer).thenCompose(err ->
            ask(s.id(), end.apply(out.bytes() > 0 ? outputId : null, err.bytes() > 0 ? errorId : null))));
  }

  /** An input no retry can read (deleted, a line over the limit) fails the batch instead of looping. */
  private CompletionStage<?> failIfInputUnreadable(BatchState s, CompletionStage<?> phase) {
    return phase.handle((done, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(done);
      }
      return BatchValidation.unreadable(error, MAX_LINE_BYTES).<CompletionStage<?>>map(why -> fail(s, why))
          .orElseGet(() -> CompletableFuture.failedFuture(error));
    }).thenCompose(next -> next);
  }

  /** The output lines (completed sessions) or the error lines (everything else), in input order. */
  private Source<ByteString, NotUsed> outcomes(BatchState s, boolean chat, boolean succeeded) {
    return parsed(s).mapAsync(8, line -> {
      if (line instanceof BatchLines.Bad b) {
        return CompletableFuture.completedFuture(succeeded ? ""
            : BatchLines.errorLine(s.id(), b.index(), b.customId(), b.error().code(), b.error().message()) + "\n");
      }
      BatchLines.Good g = (BatchLines.Good) line;
      return sessions.state(BatchLines.sessionId(s.id(), g.index())).thenApply((SessionState session) -> {
        boolean ok = session.status() == SessionStatus.COMPLETED;
        if (ok != succeeded) {
          return "";
        }
        return (ok ? BatchLines.outputLine(chat, g, session, g.prepared().codec())
            : BatchLines.errorLine(s.id(), g.index(), g.customId(), "request_failed",
                session.status() == SessionStatus.NEW ? "never ran" : BatchLines.failure(session))) + "\n";
      });
    }).filter(text -> !text.isEmpty()).map(ByteString::fromString);
  }

  private CompletionStage<BatchState> state(String batchId) {
    return ClusterSharding.get(system).entityRefFor(Batch.ENTITY_KEY, batchId)
        .ask(BatchCommand.GetState::new, ASK_TIMEOUT);
  }

  private CompletionStage<BatchCommand.Reply> ask(
      String batchId, Function<ActorRef<BatchCommand.Reply>, BatchCommand> command) {
    return ClusterSharding.get(system).entityRefFor(Batch.ENTITY_KEY, batchId)
        .<BatchCommand.Reply>ask(command::apply, ASK_TIMEOUT)
        .thenApply(reply -> {
          if (reply instanceof BatchCommand.Rejected r) {
            throw new IllegalStateException("batch " + batchId + " refused: " + r.rejection());
          }
          if (reply instanceof BatchCommand.Accepted a) {
            progress.seen(batchId, a.status(), a.requestCounts());
          }
          return reply;
        });
  }
}
