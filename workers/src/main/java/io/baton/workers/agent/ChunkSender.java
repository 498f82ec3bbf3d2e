package io.baton.workers.agent;

import io.baton.actors.session.SessionCommand.AppendTokens;
import io.baton.workers.agent.SessionRunner.Command;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The runner's token log and its stream to the session in chunks (DESIGN.md, "Chunking").
 *
 * <ul>
 *   <li>Flush policy: the first token goes at once, so the client sees output as soon as possible;
 *       after that a chunk goes once {@code flushTokens} tokens are buffered or {@code flushInterval}
 *       has passed since the oldest unsent token, whichever comes first, and at once when decoding
 *       has stopped.
 *   <li>The log holds every generated token known to this runner: the resumed durable ones, then this
 *       attempt's. A prefix of it is durable (acknowledged by the session).
 *   <li>At most one {@link AppendTokens} is in flight; decoding continues into the log meanwhile.
 *   <li>An unanswered chunk is resent unchanged (same fromIndex), which the session treats as an
 *       idempotent retry. Each send gets a new sequence number, so the late answer to a send that has
 *       since been retried is recognised and ignored.
 * </ul>
 */
final class ChunkSender {
  private static final String FLUSH_TIMER = "flush";

  private final SessionLink link;
  private final TimerScheduler<Command> timers;
  private final RunnerSettings settings;
  private final List<Integer> produced;
  private int durable;
  /** The chunk awaiting its ack, or null. */
  private AppendTokens inFlight;
  private long seq;
  /** When the chunk in flight was first sent: its resends count towards its journal latency. */
  private long firstSent;
  private boolean firstFlushed;
  private boolean intervalElapsed;
  /** The prompt tokens the prefill reused, told to the session with the attempt's first chunk only. */
  private int reusedTokens;

  ChunkSender(SessionLink link, TimerScheduler<Command> timers, RunnerSettings settings, List<Integer> resumed) {
    this.link = link;
    this.timers = timers;
    this.settings = settings;
    this.produced = new ArrayList<>(resumed);
    this.durable = produced.size();
  }

  /** How many tokens are known: the index the next decoded token must have. */
  int produced() {
    return produced.size();
  }

  /** Appends a decoded token; the first one buffered starts the flush interval. */
  void add(int token) {
    if (buffered() == 0 && inFlight == null) {
      startInterval();
    }
    produced.add(token);
  }

  /** The attempt's prefill reused {@code tokens} of the context instead of computing them. */
  void prefilled(int tokens) {
    reusedTokens = tokens;
  }

  /** The runner's FlushDue: the interval has passed. */
  void intervalElapsed() {
    intervalElapsed = true;
  }

  void stopInterval() {
    timers.cancel(FLUSH_TIMER);
  }

  private void startInterval() {
    timers.startSingleTimer(FLUSH_TIMER, new SessionRunner.FlushDue(), settings.flushInterval());
  }

  /** How many tokens the session has acknowledged. */
  int durable() {
    return durable;
  }

  boolean idle() {
    return inFlight == null;
  }

  /** Tokens decoded but neither durable nor in flight. */
  int buffered() {
    int sent = inFlight == null ? durable : inFlight.fromIndex() + inFlight.tokens().size();
    return produced.size() - sent;
  }

  /**
   * Sends everything past the durable prefix as one chunk when the flush policy says it is due.
   * Only when {@link #idle()} with tokens buffered.
   *
   * @param stopped decoding has ended (done or failed): nothing more is coming, so send now
   */
  void flushIfDue(boolean stopped) {
    if (!firstFlushed || intervalElapsed || stopped || buffered() >= settings.flushTokens()) {
      stopInterval();
      intervalElapsed = false;
      firstFlushed = true;
      send();
    }
  }

  private void send() {
    inFlight = new AppendTokens(link.attempt(), durable, List.copyOf(produced.subList(durable, produced.size())),
        reusedTokens, link.context().getSystem().ignoreRef());
    reusedTokens = 0;
    firstSent = System.nanoTime();
    sendInFlight();
  }

  private void sendInFlight() {
    long mySeq = ++seq;
    AppendTokens chunk = inFlight;
    link.ask(replyTo -> new AppendTokens(chunk.attempt(), chunk.fromIndex(), chunk.tokens(), chunk.reusedTokens(),
            replyTo),
        (reply, error) -> new SessionRunner.AppendResult(mySeq, reply, error));
  }

  /** False for the answer to a send that has since been retried or dropped: ignore it. */
  boolean answersCurrent(SessionRunner.AppendResult m) {
    return m.seq() == seq && inFlight != null;
  }

  /** The chunk went unanswered: send it again, unchanged. */
  void resend() {
    link.log().debug("session {} attempt {}: chunk at {} unanswered, resending", link.sessionId(), link.attempt(),
        inFlight.fromIndex());
    sendInFlight();
  }

  boolean hasInFlight() {
    return inFlight != null;
  }

  int inFlightFrom() {
    return inFlight.fromIndex();
  }

  /** The session accepted the chunk in flight: its tokens are durable. */
  void acknowledged() {
    link.appendAcknowledged(firstSent);
    durable = inFlight.fromIndex() + inFlight.tokens().size();
    inFlight = null;
    if (buffered() > 0) {
      // The interval may have passed while the chunk was in flight.
      startInterval();
    }
  }

  /** Forgets the chunk in flight: the attempt is failing and its answer no longer matters. */
  void drop() {
    inFlight = null;
  }
}
