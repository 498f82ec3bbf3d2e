package io.baton.workers.engine.remote;

import io.baton.workers.engine.EngineSettings;
import java.time.Duration;

/**
 * One GPU's engine server, as the node's configuration lists it.
 *
 * @param baseUrl the server's root, without {@code /v1}, e.g. {@code http://127.0.0.1:8000}
 * @param servedModel the model id the server serves (what requests name)
 * @param stallTimeout how long a stream may go without an event before the engine counts as lost
 * @param maxConnections the most concurrent generations (each holds one connection)
 * @param gpuUuid the NVIDIA UUID, when known
 * @param pciBusId the PCI bus id, when known (the kernel log names GPUs by it)
 * @param resetCommand run by {@code sh -c} to reset the GPU, with {@code {url}} and {@code {index}}
 *     replaced; null when the engine needs no more than to answer its health route again
 * @param gpuIndex the GPU's index on its host, for {@code {index}}
 * @param resetTimeout how long the command, and then the engine's coming back, may take
 */
public record RemoteEngineSettings(EngineKind kind, String baseUrl, String servedModel, Duration stallTimeout,
    int maxConnections, String gpuUuid, String pciBusId, String resetCommand, int gpuIndex, Duration resetTimeout) {

  /**
   * One GPU's engine server, with the node's client settings ({@code baton.workers.engine.remote}).
   *
   * @param ownResetCommand the GPU's own reset command, or null for its engine kind's (or the node's)
   */
  public static RemoteEngineSettings of(EngineSettings.Remote remote, EngineKind kind, String baseUrl,
      String servedModel, String gpuUuid, String pciBusId, int gpuIndex, String ownResetCommand) {
    String reset = ownResetCommand != null && !ownResetCommand.isBlank() ? ownResetCommand : remote.resetCommandFor(kind);
    return new RemoteEngineSettings(kind, baseUrl, servedModel, remote.stallTimeout(), remote.maxConnections(), gpuUuid,
        pciBusId, reset, gpuIndex, remote.resetTimeout());
  }

  /** An engine without a reset command. */
  public RemoteEngineSettings(EngineKind kind, String baseUrl, String servedModel, Duration stallTimeout,
      int maxConnections, String gpuUuid, String pciBusId) {
    this(kind, baseUrl, servedModel, stallTimeout, maxConnections, gpuUuid, pciBusId, null, 0, Duration.ofSeconds(60));
  }

  public RemoteEngineSettings {
    if (kind == null || baseUrl == null || !baseUrl.matches("https?://.+")) {
      throw new IllegalArgumentException("an engine needs a kind and an http(s) base URL, was " + kind + " " + baseUrl);
    }
    baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    if (servedModel == null || servedModel.isBlank()) {
      throw new IllegalArgumentException("engine " + baseUrl + " needs the model id it serves");
    }
    if (stallTimeout == null || stallTimeout.isNegative() || stallTimeout.isZero()) {
      throw new IllegalArgumentException("engine " + baseUrl + ": stall-timeout must be positive");
    }
    if (resetTimeout == null || resetTimeout.isNegative() || resetTimeout.isZero()) {
      throw new IllegalArgumentException("engine " + baseUrl + ": reset-timeout must be positive");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("engine " + baseUrl + ": max-connections must be at least 1");
    }
  }
}
