package io.baton.actors.session;

import io.baton.actors.CborSerializable;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a client asked for. The seed is always present: when the client gives none, Baton draws one
 * at submission, so a resumed session regenerates exactly the tokens an uninterrupted run would.
 *
 * @param batchId the batch this session belongs to, or null for an interactive request
 * @param stop up to {@value #MAX_STOPS} stop sequences: the worker completes the session with finish
 *     reason "stop" at the first token after which the generated text contains one. Absent in
 *     events stored before it existed, which read as none.
 * @param api which API created the session, so a resumed stream answers in that API's shape; null
 *     only in events stored before it existed, which {@link SessionState} upcasts once from the
 *     session id's shape (the one place an id's prefix is read)
 * @param response what a Responses API request asked for beyond the prompt; null for the others
 */
public record SessionSpec(
    String model,
    List<Integer> promptTokens,
    Sampling sampling,
    int maxTokens,
    String tenant,
    int priority,
    String batchId,
    List<String> stop,
    Api api,
    ResponseSpec response)
    implements CborSerializable {

  public static final int MAX_STOPS = 4;

  /** Sampling parameters; temperature 0 means greedy decoding. */
  public record Sampling(double temperature, double topP, long seed) implements CborSerializable {}

  /** The API a session was created through. */
  public enum Api { COMPLETION, CHAT, RESPONSE }

  public SessionSpec {
    promptTokens = List.copyOf(promptTokens);
    stop = stop == null ? List.of() : List.copyOf(stop);
  }

  /** A completion or chat spec. */
  public SessionSpec(
      String model, List<Integer> promptTokens, Sampling sampling, int maxTokens, String tenant, int priority,
      String batchId, List<String> stop, Api api) {
    this(model, promptTokens, sampling, maxTokens, tenant, priority, batchId, stop, api, null);
  }

  /** A completion spec with stop sequences. */
  public SessionSpec(
      String model, List<Integer> promptTokens, Sampling sampling, int maxTokens, String tenant, int priority,
      String batchId, List<String> stop) {
    this(model, promptTokens, sampling, maxTokens, tenant, priority, batchId, stop, Api.COMPLETION, null);
  }

  /** A spec without stop sequences. */
  public SessionSpec(
      String model, List<Integer> promptTokens, Sampling sampling, int maxTokens, String tenant, int priority,
      String batchId) {
    this(model, promptTokens, sampling, maxTokens, tenant, priority, batchId, List.of(), Api.COMPLETION, null);
  }

  /** The same spec recorded as created through {@code through}. */
  public SessionSpec withApi(Api through) {
    return new SessionSpec(model, promptTokens, sampling, maxTokens, tenant, priority, batchId, stop, through, response);
  }

  /**
   * Whether {@code other} asks for the same work: everything but how it is labelled (its API and
   * class), which a node of another version, or a tenant's changed class, may set otherwise. A
   * replayed batch line is the same session however it is labelled.
   */
  public boolean sameWork(SessionSpec other) {
    return other != null && model.equals(other.model) && promptTokens.equals(other.promptTokens) && sampling.equals(other.sampling)
        && maxTokens == other.maxTokens && tenant.equals(other.tenant) && Objects.equals(batchId, other.batchId)
        && stop.equals(other.stop) && Objects.equals(response, other.response);
  }

  /** The class the session runs in: {@code priority} is its rank. */
  public ServiceClass serviceClass() {
    return ServiceClass.ofRank(priority);
  }

  /** Why this spec cannot run, or empty when it can. */
  public Optional<String> invalidity() {
    if (model == null || model.isBlank()) {
      return Optional.of("model is required");
    }
    if (promptTokens.isEmpty()) {
      return Optional.of("the prompt must hold at least one token");
    }
    if (maxTokens < 1) {
      return Optional.of("max_tokens must be at least 1, was " + maxTokens);
    }
    if (sampling == null) {
      return Optional.of("sampling parameters are required");
    }
    if (!(sampling.temperature() >= 0 && sampling.temperature() <= 2)) {
      return Optional.of("temperature must be between 0 and 2, was " + sampling.temperature());
    }
    if (!(sampling.topP() > 0 && sampling.topP() <= 1)) {
      return Optional.of("top_p must be in (0, 1], was " + sampling.topP());
    }
    if (stop.size() > MAX_STOPS || stop.stream().anyMatch(x -> x == null || x.isEmpty())) {
      return Optional.of("stop takes up to " + MAX_STOPS + " non-empty sequences");
    }
    if ((api == Api.RESPONSE) != (response != null)) {
      return Optional.of("a response's details come with a response spec, and only with one");
    }
    return Optional.empty();
  }
}
