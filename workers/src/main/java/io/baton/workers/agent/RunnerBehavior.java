package io.baton.workers.agent;

import io.baton.actors.Rejection;
import io.baton.actors.session.FailureCause;
import io.baton.actors.session.ResumeMethod;
import io.baton.actors.session.SessionCommand;
import io.baton.actors.session.SessionCommand.Rejected;
import io.baton.actors.session.SessionState;
import io.baton.actors.worker.XidCatalog;
import io.baton.persistence.kv.KvBlockStore;
import io.baton.workers.agent.SessionRunner.AppendResult;
import io.baton.workers.agent.SessionRunner.BlocksWritten;
import io.baton.workers.agent.SessionRunner.HeartbeatDue;
import io.baton.workers.agent.SessionRunner.SessionMoved;
import io.baton.workers.agent.SessionRunner.CheckpointResult;
import io.baton.workers.agent.SessionRunner.Command;
import io.baton.workers.agent.SessionRunner.DecodeStep;
import io.baton.workers.agent.SessionRunner.EndResult;
import io.baton.workers.agent.SessionRunner.FlushDue;
import io.baton.workers.agent.SessionRunner.Start;
import io.baton.workers.agent.SessionRunner.Started;
import io.baton.workers.agent.SessionRunner.Stepped;
import io.baton.workers.agent.SessionRunner.Stop;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.EngineLostException;
import io.baton.workers.engine.XidException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The {@link SessionRunner} actor. It decodes one token per message, so that answers from the
 * session are handled between tokens, and ends the attempt once decoding has stopped, every token
 * is durable and no checkpoint is under way. Starting the engine ({@link GenerationStarter}),
 * pacing and stopping decoding ({@link DecodePacer}), streaming chunks ({@link ChunkSender}),
 * checkpointing ({@link KvCheckpointer}) and telling the session how the attempt ended
 * ({@link AttemptEnd}) are its collaborators' work; every answer they wait for comes back here as a
 * message and is handed to the one that asked.
 */
final class RunnerBehavior extends AbstractBehavior<Command> {

  private final String sessionId;
  private final int attempt;
  private final ActorRef<RunnerEvent> listener;
  private final XidCatalog xids = XidCatalog.standard();
  private final ChunkSender chunks;
  private final KvCheckpointer checkpointer;
  private final GenerationStarter starter;
  private final AttemptEnd end;
  private final DecodePacer pacer;
  private final SessionLink link;

  private Generation generation;
  /** Why decoding stopped early; the attempt fails with it once the buffer is durable. */
  private FailureCause failure;
  private boolean ending;

  RunnerBehavior(ActorContext<Command> context, TimerScheduler<Command> timers,
      RecipientRef<SessionCommand> session, SessionState state, int attempt, InferenceEngine engine,
      KvBlockStore store, RunnerSettings settings, RunnerMetrics metrics, ActorRef<RunnerEvent> listener) {
    super(context);
    // Pekko names the logger after whichever class logs first; keep the runner's logs under one name.
    context.setLoggerName(SessionRunner.class);
    this.sessionId = state.sessionId();
    this.attempt = attempt;
    this.pacer = new DecodePacer(GpuClock.get(context.getSystem()), context.getSelf(), settings.honourSimulatedTiming(),
        state.spec().maxTokens(), new StopSequences(engine.tokenizer(), state.spec().stop(), state.tokens()));
    this.listener = listener;
    this.link = new SessionLink(context, session, sessionId, attempt, settings.ackTimeout(), metrics,
        state.spec().model());
    // Confirms the grant at once, then renews the lease while this actor's thread is free.
    link.heartbeat();
    timers.startTimerWithFixedDelay(new HeartbeatDue(), settings.heartbeatInterval());
    this.chunks = new ChunkSender(link, timers, settings, state.tokens());
    this.checkpointer = new KvCheckpointer(link, store, engine, state.spec().promptTokens().size(),
        state.checkpointUpto());
    this.starter = new GenerationStarter(link, engine, state.spec().maxTokens());
    this.end = new AttemptEnd(link);
  }

  /** Plans the resume off the actor; the plan comes back as a Start. */
  void begin(SessionState state, ResumeMethod method, KvBlockStore store, ResumeCostModel costModel) {
    starter.plan(state, method, store, costModel);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder().onMessage(Command.class, this::guarded)
        .onSignal(PostStop.class, s -> {
          // However the run ended, a remote engine's stream must not run on for nobody.
          if (generation != null) {
            generation.close();
          }
          return this;
        })
        .build();
  }

  /** Every message goes through here, so no exception leaves the actor. */
  private Behavior<Command> guarded(Command command) {
    try {
      return dispatch(command);
    } catch (RuntimeException e) {
      getContext().getLog().error("session {} attempt {}: runner failed", sessionId, attempt, e);
      FailureCause cause = FailureCause.of(FailureCause.Kind.ENGINE_ERROR, "runner failed: " + e);
      return ending ? report(end.failed(cause)) : failNow(cause);
    }
  }

  private Behavior<Command> dispatch(Command command) {
    if (command instanceof Stop) {
      return Behaviors.stopped();
    } else if (command instanceof Start m) {
      return onStart(m);
    } else if (command instanceof DecodeStep) {
      return onDecodeStep();
    } else if (command instanceof Started m) {
      return onStarted(m);
    } else if (command instanceof Stepped m) {
      return onStepped(m);
    } else if (command instanceof FlushDue) {
      chunks.intervalElapsed();
      return progress();
    } else if (command instanceof HeartbeatDue) {
      link.heartbeat();
      return this;
    } else if (command instanceof SessionMoved) {
      // What went to the old host is lost; the resend is idempotent and the old answer is ignored.
      link.heartbeat();
      if (chunks.hasInFlight()) {
        chunks.resend();
      }
      return this;
    } else if (command instanceof AppendResult m) {
      return onAppendResult(m);
    } else if (command instanceof BlocksWritten m) {
      // A failed write is retried after the next acknowledged chunk, not at once.
      return checkpointer.onBlocksWritten(m) == KvCheckpointer.Next.WAIT ? this : progress();
    } else if (command instanceof CheckpointResult m) {
      return onCheckpointResult(m);
    } else if (command instanceof EndResult m) {
      RunnerEvent event = end.onResult(m);
      return event == null ? this : report(event);
    }
    return this;
  }

  // --- starting and decoding --------------------------------------------------------------------

  private Behavior<Command> onStart(Start m) {
    CompletableFuture<Generation> started = starter.start(m).toCompletableFuture();
    if (started.isDone()) {
      // An engine in this process answered at once: go on without a message hop.
      return onStarted(started.handle(Started::new).join());
    }
    getContext().pipeToSelf(started, Started::new);
    return this;
  }

  private Behavior<Command> onStarted(Started m) {
    if (m.error() != null) {
      return engineFailed(m.error());
    }
    generation = m.generation();
    Generation.PrefillStats prefill = generation.prefill();
    if (listener != null) {
      listener.tell(new RunnerEvent.Prefilled(sessionId, attempt, prefill));
    }
    chunks.prefilled(prefill.reusedTokens());
    pacer.prefilled(chunks.produced(), prefill.simulated());
    return pacer.done() ? progress() : this;
  }

  private Behavior<Command> onDecodeStep() {
    if (pacer.done() || failure != null || ending) {
      return this;
    }
    CompletableFuture<Generation.Step> step = generation.stepAsync().toCompletableFuture();
    if (step.isDone()) {
      return onStepped(step.handle(Stepped::new).join());
    }
    // A remote engine's token arrives as a message; one step is in flight at a time.
    getContext().pipeToSelf(step, Stepped::new);
    return this;
  }

  private Behavior<Command> onStepped(Stepped m) {
    if (pacer.done() || failure != null || ending) {
      return this;
    }
    if (m.error() != null) {
      return engineFailed(m.error());
    }
    Generation.Step step = m.step();
    if (step.index() != chunks.produced()) {
      return failNow(FailureCause.of(FailureCause.Kind.ENGINE_ERROR,
          "engine produced index " + step.index() + ", expected " + chunks.produced()));
    }
    chunks.add(step.token());
    pacer.stepped(step.token(), chunks.produced(), step.simulated());
    return progress();
  }

  private Behavior<Command> engineFailed(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    pacer.cancel();
    if (e instanceof XidException x) {
      failure = FailureCause.xid(x.code(), xids.classify(x.code()).id(), x.getMessage());
    } else if (e instanceof EngineLostException lost) {
      // The engine's process or connection is gone: a hint about the GPU, not about this session.
      failure = FailureCause.of(FailureCause.Kind.ENGINE_LOST, lost.getMessage());
    } else {
      getContext().getLog().warn("session {} attempt {}: engine error", sessionId, attempt, e);
      failure = FailureCause.of(FailureCause.Kind.ENGINE_ERROR, String.valueOf(e));
    }
    // Tokens decoded before the failure are good: make them durable, then fail the attempt.
    return progress();
  }

  // --- chunks, checkpoints and the end ---------------------------------------------------------

  /** Sends what is due: the next chunk, or the attempt's end once all is durable and checkpointed. */
  private Behavior<Command> progress() {
    if (ending) {
      return this;
    }
    boolean stopped = pacer.done() || failure != null;
    if (chunks.idle() && chunks.buffered() > 0) {
      chunks.flushIfDue(stopped);
    } else if (chunks.idle() && chunks.buffered() == 0 && !checkpointer.busy() && stopped) {
      end(failure);
    }
    return this;
  }

  private Behavior<Command> onAppendResult(AppendResult m) {
    if (!chunks.answersCurrent(m)) {
      return this; // the answer to a send we have since retried
    }
    if (m.error() != null) {
      chunks.resend();
      return this;
    }
    if (m.reply() instanceof Rejected r) {
      return rejected(r.rejection(), "chunk at " + chunks.inFlightFrom());
    }
    chunks.acknowledged();
    maybeCheckpoint();
    return progress();
  }

  private void maybeCheckpoint() {
    if (failure == null && generation != null) {
      checkpointer.maybeCheckpoint(generation, chunks.durable());
    }
  }

  private Behavior<Command> onCheckpointResult(CheckpointResult m) {
    switch (checkpointer.onCheckpointResult(m)) {
      case WAIT:
        return this;
      case FENCED:
        return report(end.fenced(((Rejected) m.reply()).rejection()));
      default:
        // More blocks may have become durable while this checkpoint was under way.
        maybeCheckpoint();
        return progress();
    }
  }

  /** Completes the attempt, or fails it when {@code cause} is not null. */
  private void end(FailureCause cause) {
    ending = true;
    pacer.cancel();
    chunks.stopInterval();
    end.send(cause, pacer.finishReason());
  }

  private Behavior<Command> rejected(Rejection rejection, String what) {
    if (AttemptEnd.fences(rejection)) {
      return report(end.fenced(rejection));
    }
    getContext().getLog().warn("session {} attempt {}: {} rejected: {}", sessionId, attempt, what, rejection);
    return failNow(FailureCause.of(FailureCause.Kind.ENGINE_ERROR, what + " rejected: " + rejection));
  }

  /** Fails the attempt without flushing: the session no longer accepts this attempt's chunks. */
  private Behavior<Command> failNow(FailureCause cause) {
    failure = cause;
    chunks.drop();
    checkpointer.abandon();
    end(cause);
    return this;
  }

  private Behavior<Command> report(RunnerEvent event) {
    if (listener != null) {
      listener.tell(event);
    }
    return Behaviors.stopped();
  }
}
