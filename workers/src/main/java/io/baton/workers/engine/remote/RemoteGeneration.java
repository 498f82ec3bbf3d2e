package io.baton.workers.engine.remote;

import io.baton.workers.engine.EngineLostException;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.KvBlock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;

/**
 * A generation running on an engine server. The stream's events wait in the HTTP connection until
 * a step pulls the next one, so the engine's stream is backpressured by the runner, which itself
 * steps only as chunks become durable. No thread waits for a token.
 */
final class RemoteGeneration implements Generation {
  private final SinkQueueWithCancel<EngineDialect.Delta> events;
  private final PrefillStats prefill;
  private final Duration stallTimeout;
  private final String engine;
  private final ArrayDeque<Integer> ready = new ArrayDeque<>();
  private int nextIndex;
  private int contextLength;
  private String endedWith;

  RemoteGeneration(SinkQueueWithCancel<EngineDialect.Delta> events, PrefillStats prefill, int generated,
      Duration stallTimeout, String engine) {
    this.events = events;
    this.prefill = prefill;
    this.nextIndex = generated;
    this.contextLength = prefill.contextTokens();
    this.stallTimeout = stallTimeout;
    this.engine = engine;
  }

  @Override
  public PrefillStats prefill() {
    return prefill;
  }

  @Override
  public CompletionStage<Step> stepAsync() {
    if (!ready.isEmpty()) {
      contextLength++;
      return CompletableFuture.completedFuture(new Step(ready.poll(), nextIndex++, Duration.ZERO));
    }
    if (endedWith != null) {
      return CompletableFuture.failedFuture(new IllegalStateException(engine + " " + endedWith));
    }
    return events.pull().toCompletableFuture().orTimeout(stallTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((delta, error) -> {
          if (error != null) {
            events.cancel();
            throw lost(error);
          }
          read(delta);
          return stepAsync();
        })
        .thenCompose(next -> next);
  }

  private void read(Optional<EngineDialect.Delta> next) {
    if (next.isEmpty()) {
      // The response ended before the engine said it had finished: its process or connection died.
      throw new EngineLostException(engine + " ended its stream after " + nextIndex + " tokens without finishing", null);
    }
    EngineDialect.Delta delta = next.get();
    if (delta.error() != null) {
      events.cancel();
      throw new IllegalStateException(engine + " reported an error mid-stream: " + delta.error());
    }
    ready.addAll(delta.tokens());
    if (delta.finishReason() != null || delta.end()) {
      endedWith = "ended the generation (" + (delta.finishReason() == null ? "done" : delta.finishReason())
          + ") after " + (nextIndex + ready.size()) + " tokens";
    }
  }

  private RuntimeException lost(Throwable error) {
    Throwable cause = error.getCause() != null && !(error instanceof TimeoutException) ? error.getCause() : error;
    if (cause instanceof EngineLostException || cause instanceof IllegalStateException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof TimeoutException) {
      return new EngineLostException(engine + " sent no token for " + stallTimeout.toMillis() + " ms", cause);
    }
    return new EngineLostException(engine + " stream broke off: " + cause, cause);
  }

  @Override
  public Step step() {
    try {
      return stepAsync().toCompletableFuture().get(stallTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new EngineLostException(engine + ": " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineLostException(engine + ": interrupted", e);
    } catch (TimeoutException e) {
      throw new EngineLostException(engine + " sent no token for " + stallTimeout.toMillis() + " ms", e);
    }
  }

  @Override
  public int nextIndex() {
    return nextIndex;
  }

  @Override
  public int contextLength() {
    return contextLength;
  }

  /** A server's KV cache cannot be exported: resumes recompute (the engine's prefix cache may help). */
  @Override
  public List<KvBlock> exportBlocks(int fromBlock) {
    return List.of();
  }

  @Override
  public void close() {
    // Cancelling the stream closes the connection, which is how vLLM, SGLang and llama.cpp learn to
    // abort the request and free its slot.
    events.cancel();
  }
}
