package io.baton.actors.app;

import io.baton.actors.session.ResponseSpec;
import io.baton.actors.session.ServiceClass;
import io.baton.actors.session.SessionSpec;
import java.util.List;

/**
 * A request for a generation, whatever API it came through, parsed but not yet checked against its
 * model. The API's own layer parses its JSON into this; {@link SessionService} does the rest.
 *
 * @param prompt a completion's prompt text; null for the others
 * @param messages a chat's messages, or a response's turn (its instructions first, as a system
 *     message); null for a completion
 * @param maxTokens null when the client left it out: the rest of the model's context, capped
 * @param seed null when the client gave none; one is drawn, so a resume stays exact
 * @param response a Responses API request's details; null for the others
 * @param priority the class the client asked for; null for its tenant's own
 */
public record SessionRequest(
    SessionSpec.Api api,
    String model,
    String prompt,
    List<ChatFormat.Turn> messages,
    Integer maxTokens,
    double temperature,
    double topP,
    Long seed,
    List<String> stop,
    ResponseSpec response,
    ServiceClass priority) {

  public SessionRequest {
    stop = stop == null ? List.of() : List.copyOf(stop);
    messages = messages == null ? null : List.copyOf(messages);
  }

  /** The same request asking for another class. */
  public SessionRequest withPriority(ServiceClass asked) {
    return new SessionRequest(api, model, prompt, messages, maxTokens, temperature, topP, seed, stop, response, asked);
  }

  /** The parameter that holds the prompt, for errors about it. */
  String promptParam() {
    return switch (api) {
      case CHAT -> "messages";
      case COMPLETION -> "prompt";
      case RESPONSE -> "input";
    };
  }

  /** The parameter that bounds the output, for errors about it. */
  String maxTokensParam() {
    return api == SessionSpec.Api.RESPONSE ? "max_output_tokens" : "max_tokens";
  }
}
