package io.baton.workers.agent;

import java.time.Duration;

/**
 * How a {@link SessionRunner} streams its tokens to the session.
 *
 * @param flushTokens flush a chunk once this many tokens are buffered (the first token always goes at once)
 * @param flushInterval flush whatever is buffered after this long, whichever comes first
 * @param honourSimulatedTiming wait out the engine's simulated prefill and decode times; tests pass false
 * @param ackTimeout resend a command to the session when no reply came within this long
 * @param heartbeatInterval how often a live runner renews its attempt's lease at the session
 */
public record RunnerSettings(
    int flushTokens, Duration flushInterval, boolean honourSimulatedTiming, Duration ackTimeout,
    Duration heartbeatInterval) {

  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(3);
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);

  public RunnerSettings {
    if (flushTokens < 1) {
      throw new IllegalArgumentException("flushTokens must be at least 1, was " + flushTokens);
    }
    if (flushInterval == null || flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("flushInterval must be positive");
    }
    if (ackTimeout == null || ackTimeout.isNegative() || ackTimeout.isZero()) {
      throw new IllegalArgumentException("ackTimeout must be positive");
    }
    if (heartbeatInterval == null || heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("heartbeatInterval must be positive");
    }
  }

  public RunnerSettings(int flushTokens, Duration flushInterval, boolean honourSimulatedTiming, Duration ackTimeout) {
    this(flushTokens, flushInterval, honourSimulatedTiming, ackTimeout, DEFAULT_HEARTBEAT);
  }

  public RunnerSettings(int flushTokens, Duration flushInterval, boolean honourSimulatedTiming) {
    this(flushTokens, flushInterval, honourSimulatedTiming, DEFAULT_ACK_TIMEOUT);
  }
}
