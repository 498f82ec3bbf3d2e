package io.baton.workers.agent;

import io.baton.actors.Rejection;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionCommand.Accepted;
import io.baton.actors.session.SessionCommand.AppendTokens;
import io.baton.actors.session.SessionCommand.CheckpointKv;
import io.baton.actors.session.SessionCommand.Complete;
import io.baton.actors.session.SessionCommand.FailAttempt;
import io.baton.actors.session.SessionCommand.Rejected;
import io.baton.actors.session.SessionCommand.Reply;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.XidCatalog;
import io.baton.persistence.kv.KvBlockStore;
import io.baton.persistence.kv.StoredBlock;
import io.baton.workers.engine.BlockHash;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.GenerationRequest;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.KvBlock;
import io.baton.workers.engine.SamplingParams;
import io.baton.workers.engine.XidException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Drives one attempt of one session on one engine: builds the generation (fresh, recomputed or
 * restored from KV checkpoints), decodes one token per message so the actor stays responsive, and
 * streams the tokens to the session in chunks (DESIGN.md, "Chunking").
 *
 * <ul>
 *   <li>At most one {@link AppendTokens} is in flight; decoding continues into a buffer meanwhile.
 *       An unanswered chunk is resent unchanged (same fromIndex), which the session treats as an
 *       idempotent retry.
 *   <li>KV checkpoints cover durable tokens only, and the blocks are written to the store before
 *       {@link CheckpointKv} is sent.
 *   <li>A rejection for a stale attempt or an ended session stops the runner quietly: it is a fenced
 *       zombie. Engine failures are reported with {@link FailAttempt} after the tokens already
 *       decoded are made durable.
 *   <li>Nothing escapes the actor: every failure ends in a {@link RunnerEvent} and a stop.
 * </ul>
 */
public final class SessionRunner extends AbstractBehavior<SessionRunner.Command> {

  /** The runner's own messages; all local. */
  public sealed interface Command {}

  /** Stops the runner at once, e.g. because the agent migrates the session; nothing more is sent. */
  public record Stop() implements Command {}

  /** @param how what the resume plan chose, for the log */
  private record Start(GenerationRequest request, String how) implements Command {}

  private record DecodeStep() implements Command {}

  private record FlushDue() implements Command {}

  private record AppendResult(long seq, Reply reply, Throwable error) implements Command {}

  private record BlocksWritten(int uptoToken, List<String> hashes, Throwable error) implements Command {}

  private record CheckpointResult(int uptoToken, List<String> hashes, Reply reply, Throwable error)
      implements Command {}

  /** The answer to Complete (cause null) or FailAttempt. */
  private record EndResult(FailureCause cause, Reply reply, Throwable error) implements Command {}

  private static final String STEP_TIMER = "step";
  private static final String FLUSH_TIMER = "flush";
  private static final String FINISH_REASON_LENGTH = "length";

  private final TimerScheduler<Command> timers;
  private final RecipientRef<SessionCommand> session;
  private final String sessionId;
  private final SessionSpec spec;
  private final List<String> checkpointBlocks;
  private final int attempt;
  private final InferenceEngine engine;
  private final KvBlockStore store;
  private final RunnerSettings settings;
  private final ActorRef<RunnerEvent> listener;
  private final XidCatalog xids = XidCatalog.standard();

  /** Every generated token known to this runner: the resumed durable ones, then this attempt's. */
  private final List<Integer> produced;
  private int durable;
  private Generation generation;
  /** The chunk awaiting its ack, or null. */
  private AppendTokens inFlight;
  private long seq;
  private boolean firstFlushed;
  private boolean intervalElapsed;
  private boolean decodingDone;
  /** Why decoding stopped early; the attempt fails with it once the buffer is durable. */
  private FailureCause failure;
  private int checkpointUpto;
  private boolean checkpointing;
  private boolean checkpointsDisabled;
  private boolean ending;

  private SessionRunner(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      RecipientRef<SessionCommand> session,
      SessionState state,
      int attempt,
      InferenceEngine engine,
      KvBlockStore store,
      RunnerSettings settings,
      ActorRef<RunnerEvent> listener) {
    super(context);
    this.timers = timers;
    this.session = session;
    this.sessionId = state.sessionId();
    this.spec = state.spec();
    this.checkpointBlocks = List.copyOf(state.checkpointBlocks());
    this.attempt = attempt;
    this.engine = engine;
    this.store = store;
    this.settings = settings;
    this.listener = listener;
    this.produced = new ArrayList<>(state.tokens());
    this.durable = produced.size();
    this.checkpointUpto = state.checkpointUpto();
  }

  /**
   * @param session the session entity (a sharded EntityRef's actor, or a directly spawned Session in tests)
   * @param state the session as it was when this attempt was placed
   * @param store the KV block store; null disables checkpoints and restores
   * @param listener told how the attempt ended; may be null
   */
  public static Behavior<Command> create(
      RecipientRef<SessionCommand> session,
      SessionState state,
      int attempt,
      ResumeMethod method,
      InferenceEngine engine,
      KvBlockStore store,
      RunnerSettings settings,
      ActorRef<RunnerEvent> listener) {
    return create(session, state, attempt, method, engine, store, null, settings, listener);
  }

  /**
   * @param costModel decides whether a fresh session's prompt is restored from the store when
   *     other sessions stored its blocks; null: never
   */
  public static Behavior<Command> create(
      RecipientRef<SessionCommand> session,
      SessionState state,
      int attempt,
      ResumeMethod method,
      InferenceEngine engine,
      KvBlockStore store,
      ResumeCostModel costModel,
      RunnerSettings settings,
      ActorRef<RunnerEvent> listener) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      SessionRunner runner =
          new SessionRunner(ctx, timers, session, state, attempt, engine, store, settings, listener);
      runner.begin(method, costModel);
      return runner;
    }));
  }

  private void begin(ResumeMethod method, ResumeCostModel costModel) {
    List<Integer> resumed = List.copyOf(produced);
    getContext().pipeToSelf(new ResumePlanner(engine, store, costModel).plan(spec, resumed, checkpointBlocks, method),
        // The planner never fails; a defect in it must still not leave the attempt waiting.
        (plan, error) -> plan != null ? new Start(plan.request(), plan.how())
            : new Start(GenerationRequest.recompute(spec.promptTokens(), resumed, SamplingParams.of(spec.sampling())),
                "recompute (planner failed: " + error + ")"));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Command.class, this::guarded)
        .build();
  }

  /** Every message goes through here, so no exception leaves the actor. */
  private Behavior<Command> guarded(Command command) {
    try {
      return dispatch(command);
    } catch (RuntimeException e) {
      getContext().getLog().error("session {} attempt {}: runner failed", sessionId, attempt, e);
      if (ending) {
        return report(new RunnerEvent.Failed(sessionId, attempt, FailureCause.of(FailureCause.Kind.ENGINE_ERROR,
            "runner failed: " + e)));
      }
      return failNow(FailureCause.of(FailureCause.Kind.ENGINE_ERROR, "runner failed: " + e));
    }
  }

  private Behavior<Command> dispatch(Command command) {
    if (command instanceof Stop) {
      return Behaviors.stopped();
    } else if (command instanceof Start m) {
      return onStart(m);
    } else if (command instanceof DecodeStep) {
      return onDecodeStep();
    } else if (command instanceof FlushDue) {
      intervalElapsed = true;
      return progress();
    } else if (command instanceof AppendResult m) {
      return onAppendResult(m);
    } else if (command instanceof BlocksWritten m) {
      return onBlocksWritten(m);
    } else if (command instanceof CheckpointResult m) {
      return onCheckpointResult(m);
    } else if (command instanceof EndResult m) {
      return onEndResult(m);
    }
    return this;
  }

  // --- starting ---------------------------------------------------------------------------------

  private Behavior<Command> onStart(Start m) {
    if (!"fresh".equals(m.how())) {
      getContext().getLog().info("session {} attempt {}: {}", sessionId, attempt, m.how());
    }
    try {
      generation = engine.start(m.request());
    } catch (RuntimeException e) {
      if (!m.request().restored().isEmpty() && !(e instanceof XidException)) {
        // Blocks that do not fit this engine are a lost checkpoint, not a failed attempt.
        getContext().getLog().warn("session {} attempt {}: restore refused ({}), recomputing", sessionId, attempt,
            e.toString());
        return onStart(new Start(GenerationRequest.recompute(
            m.request().prompt(), m.request().generated(), m.request().sampling()), "recompute (restore refused)"));
      }
      return engineFailed(e);
    }
    Generation.PrefillStats prefill = generation.prefill();
    if (listener != null) {
      listener.tell(new RunnerEvent.Prefilled(sessionId, attempt, prefill));
    }
    getContext().getLog().debug("session {} attempt {}: prefill of {} tokens: {} restored, {} cached, {} computed",
        sessionId, attempt, prefill.contextTokens(), prefill.restoredTokens(), prefill.cachedTokens(),
        prefill.computedTokens());
    if (produced.size() >= spec.maxTokens()) {
      decodingDone = true;
      return progress();
    }
    scheduleStep(prefill.simulated());
    return this;
  }

  // --- decoding ---------------------------------------------------------------------------------

  private void scheduleStep(Duration simulated) {
    if (settings.honourSimulatedTiming() && simulated.compareTo(Duration.ZERO) > 0) {
      timers.startSingleTimer(STEP_TIMER, new DecodeStep(), simulated);
    } else {
      getContext().getSelf().tell(new DecodeStep());
    }
  }

  private Behavior<Command> onDecodeStep() {
    if (decodingDone || failure != null || ending) {
      return this;
    }
    Generation.Step step;
    try {
      step = generation.step();
    } catch (RuntimeException e) {
      return engineFailed(e);
    }
    if (step.index() != produced.size()) {
      return failNow(FailureCause.of(FailureCause.Kind.ENGINE_ERROR,
          "engine produced index " + step.index() + ", expected " + produced.size()));
    }
    if (buffered() == 0 && inFlight == null) {
      timers.startSingleTimer(FLUSH_TIMER, new FlushDue(), settings.flushInterval());
    }
    produced.add(step.token());
    if (produced.size() >= spec.maxTokens()) {
      decodingDone = true;
    } else {
      scheduleStep(step.simulated());
    }
    return progress();
  }

  private Behavior<Command> engineFailed(RuntimeException e) {
    timers.cancel(STEP_TIMER);
    if (e instanceof XidException x) {
      failure = FailureCause.xid(x.code(), xids.classify(x.code()).id(), x.getMessage());
    } else {
      getContext().getLog().warn("session {} attempt {}: engine error", sessionId, attempt, e);
      failure = FailureCause.of(FailureCause.Kind.ENGINE_ERROR, String.valueOf(e));
    }
    // Tokens decoded before the failure are good: make them durable, then fail the attempt.
    return progress();
  }

  // --- flushing and finishing -------------------------------------------------------------------

  /** Tokens decoded but neither durable nor in flight. */
  private int buffered() {
    int sent = inFlight == null ? durable : inFlight.fromIndex() + inFlight.tokens().size();
    return produced.size() - sent;
  }

  /** Sends what is due: the next chunk, a checkpoint, or the attempt's end. */
  private Behavior<Command> progress() {
    if (ending) {
      return this;
    }
    if (inFlight == null && buffered() > 0) {
      boolean stopped = decodingDone || failure != null;
      if (!firstFlushed || intervalElapsed || stopped || buffered() >= settings.flushTokens()) {
        sendChunk();
      }
      return this;
    }
    if (inFlight == null && buffered() == 0 && !checkpointing && (decodingDone || failure != null)) {
      timers.cancel(FLUSH_TIMER);
      end(failure);
    }
    return this;
  }

  private void sendChunk() {
    timers.cancel(FLUSH_TIMER);
    intervalElapsed = false;
    firstFlushed = true;
    inFlight = new AppendTokens(attempt, durable, List.copyOf(produced.subList(durable, produced.size())),
        getContext().getSystem().ignoreRef());
    sendInFlight();
  }

  private void sendInFlight() {
    long mySeq = ++seq;
    AppendTokens chunk = inFlight;
    getContext().ask(Reply.class, session, settings.ackTimeout(),
        replyTo -> new AppendTokens(chunk.attempt(), chunk.fromIndex(), chunk.tokens(), replyTo),
        (reply, error) -> new AppendResult(mySeq, reply, error));
  }

  private Behavior<Command> onAppendResult(AppendResult m) {
    if (m.seq() != seq || inFlight == null) {
      return this; // the answer to a send we have since retried
    }
    if (m.error() != null) {
      getContext().getLog().debug("session {} attempt {}: chunk at {} unanswered, resending", sessionId, attempt,
          inFlight.fromIndex());
      sendInFlight();
      return this;
    }
    if (m.reply() instanceof Rejected r) {
      return rejected(r.rejection(), "chunk at " + inFlight.fromIndex());
    }
    durable = inFlight.fromIndex() + inFlight.tokens().size();
    inFlight = null;
    if (buffered() > 0) {
      // The interval may have passed while the chunk was in flight.
      timers.startSingleTimer(FLUSH_TIMER, new FlushDue(), settings.flushInterval());
    }
    maybeCheckpoint();
    return progress();
  }

  // --- KV checkpoints ---------------------------------------------------------------------------

  private void maybeCheckpoint() {
    if (store == null || checkpointing || checkpointsDisabled || failure != null || generation == null) {
      return;
    }
    int durableBlocks = (spec.promptTokens().size() + durable) / BlockHash.BLOCK_TOKENS;
    int checkpointed = checkpointUpto / BlockHash.BLOCK_TOKENS;
    if (durableBlocks <= checkpointed) {
      return;
    }
    List<KvBlock> exported = generation.exportBlocks(checkpointed);
    int count = Math.min(durableBlocks - checkpointed, exported.size());
    if (count <= 0) {
      return;
    }
    List<StoredBlock> blocks = new ArrayList<>(count);
    List<String> hashes = new ArrayList<>(count);
    for (KvBlock b : exported.subList(0, count)) {
      blocks.add(KvBlocks.toStored(b));
      hashes.add(b.hash());
    }
    int upto = (checkpointed + count) * BlockHash.BLOCK_TOKENS;
    checkpointing = true;
    // The blob first: KvCheckpointed may only name blocks the store already holds.
    getContext().pipeToSelf(store.putAll(engine.model().id(), blocks),
        (done, error) -> new BlocksWritten(upto, List.copyOf(hashes), error));
  }

  private Behavior<Command> onBlocksWritten(BlocksWritten m) {
    if (m.error() != null) {
      getContext().getLog().warn("session {} attempt {}: KV block write failed, will retry: {}", sessionId, attempt,
          m.error().toString());
      checkpointing = false;
      return progress();
    }
    sendCheckpoint(m.uptoToken(), m.hashes());
    return this;
  }

  private void sendCheckpoint(int upto, List<String> hashes) {
    getContext().ask(Reply.class, session, settings.ackTimeout(),
        replyTo -> new CheckpointKv(attempt, upto, hashes, replyTo),
        (reply, error) -> new CheckpointResult(upto, hashes, reply, error));
  }

  private Behavior<Command> onCheckpointResult(CheckpointResult m) {
    if (m.error() != null) {
      sendCheckpoint(m.uptoToken(), m.hashes());
      return this;
    }
    checkpointing = false;
    if (m.reply() instanceof Rejected r) {
      Rejection.Reason reason = r.rejection().reason();
      if (reason == Rejection.Reason.STALE_ATTEMPT || reason == Rejection.Reason.ALREADY_TERMINAL) {
        return fenced(r.rejection());
      }
      getContext().getLog().warn("session {} attempt {}: checkpoint rejected, checkpoints off: {}", sessionId,
          attempt, r.rejection());
      checkpointsDisabled = true;
      return progress();
    }
    checkpointUpto = Math.max(checkpointUpto, m.uptoToken());
    maybeCheckpoint();
    return progress();
  }

  // --- the end ----------------------------------------------------------------------------------

  /** Completes the attempt, or fails it when {@code cause} is not null. */
  private void end(FailureCause cause) {
    ending = true;
    timers.cancel(STEP_TIMER);
    timers.cancel(FLUSH_TIMER);
    sendEnd(cause);
  }

  private void sendEnd(FailureCause cause) {
    getContext().ask(Reply.class, session, settings.ackTimeout(),
        replyTo -> cause != null
            ? new FailAttempt(attempt, cause, replyTo)
            : new Complete(attempt, FINISH_REASON_LENGTH, replyTo),
        (reply, error) -> new EndResult(cause, reply, error));
  }

  private Behavior<Command> onEndResult(EndResult m) {
    if (m.error() != null) {
      sendEnd(m.cause());
      return this;
    }
    if (m.reply() instanceof Rejected r) {
      Rejection.Reason reason = r.rejection().reason();
      if (reason == Rejection.Reason.STALE_ATTEMPT || reason == Rejection.Reason.ALREADY_TERMINAL) {
        return fenced(r.rejection());
      }
      return report(new RunnerEvent.Failed(sessionId, attempt, FailureCause.of(FailureCause.Kind.ENGINE_ERROR,
          "session refused " + (m.cause() == null ? "Complete" : "FailAttempt") + ": " + r.rejection())));
    }
    if (m.cause() != null) {
      return report(new RunnerEvent.Failed(sessionId, attempt, m.cause()));
    }
    return report(new RunnerEvent.Finished(sessionId, attempt));
  }

  private Behavior<Command> rejected(Rejection rejection, String what) {
    Rejection.Reason reason = rejection.reason();
    if (reason == Rejection.Reason.STALE_ATTEMPT || reason == Rejection.Reason.ALREADY_TERMINAL) {
      return fenced(rejection);
    }
    getContext().getLog().warn("session {} attempt {}: {} rejected: {}", sessionId, attempt, what, rejection);
    return failNow(FailureCause.of(FailureCause.Kind.ENGINE_ERROR, what + " rejected: " + rejection));
  }

  /** Fails the attempt without flushing: the session no longer accepts this attempt's chunks. */
  private Behavior<Command> failNow(FailureCause cause) {
    failure = cause;
    inFlight = null;
    checkpointing = false;
    end(cause);
    return this;
  }

  private Behavior<Command> fenced(Rejection rejection) {
    getContext().getLog().info("session {} attempt {}: fenced ({})", sessionId, attempt, rejection);
    return report(new RunnerEvent.Fenced(sessionId, attempt, rejection.reason() + ": " + rejection.detail()));
  }

  private Behavior<Command> report(RunnerEvent event) {
    if (listener != null) {
      listener.tell(event);
    }
    return Behaviors.stopped();
  }
}
