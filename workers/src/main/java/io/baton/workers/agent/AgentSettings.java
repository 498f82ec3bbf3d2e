package io.baton.workers.agent;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The worker agent's part of the workers' settings, read from {@code baton.workers.agent}.
 *
 * @param sessionsPerGpu the most sessions one GPU runs at once; a full GPU refuses placements
 * @param reportInterval how often each GPU's load and KV blocks are published to the placers
 * @param heartbeatInterval how often the agent proves to each GpuWorker entity that it lives
 * @param resetDuration how long a simulated GPU reset takes
 * @param healthCheckTokens tokens of the active health check's short greedy generation
 * @param checkpoints whether runs checkpoint KV blocks to the store and resumes restore them; off
 *     leaves only recompute, which is always exact (the checkpoint-overhead benchmark compares both)
 * @param drainMigrates what a drain does to the sessions running on the GPU: true moves them to
 *     other GPUs at once (fast maintenance), false lets them finish there (no recompute)
 * @param runner how sessions stream their tokens
 */
public record AgentSettings(
    int sessionsPerGpu,
    Duration reportInterval,
    Duration heartbeatInterval,
    Duration resetDuration,
    int healthCheckTokens,
    boolean checkpoints,
    boolean drainMigrates,
    RunnerSettings runner) {

  public static AgentSettings fromConfig(Config agent) {
    Config r = agent.getConfig("runner");
    return new AgentSettings(
        agent.getInt("sessions-per-gpu"),
        agent.getDuration("report-interval"),
        agent.getDuration("heartbeat-interval"),
        agent.getDuration("reset-duration"),
        agent.getInt("health-check-tokens"),
        agent.getBoolean("checkpoints"),
        drainPolicy(agent.getString("drain")),
        new RunnerSettings(r.getInt("flush-tokens"), r.getDuration("flush-interval"),
            r.getBoolean("honour-simulated-timing"), r.getDuration("ack-timeout"),
            r.getDuration("heartbeat-interval")));
  }

  public AgentSettings withRunner(RunnerSettings newRunner) {
    return new AgentSettings(sessionsPerGpu, reportInterval, heartbeatInterval, resetDuration, healthCheckTokens,
        checkpoints, drainMigrates, newRunner);
  }

  private static boolean drainPolicy(String policy) {
    if (!policy.equals("finish") && !policy.equals("migrate")) {
      throw new IllegalArgumentException("baton.workers.agent.drain is '" + policy + "'; use finish or migrate");
    }
    return policy.equals("migrate");
  }
}
