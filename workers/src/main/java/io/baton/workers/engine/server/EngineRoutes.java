package io.baton.workers.engine.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.workers.engine.ModelInfo;
import io.baton.workers.engine.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.Materializer;

/**
 * The engine server's HTTP surface, in vLLM's shapes: {@code /health}, {@code /v1/models},
 * {@code /tokenize}, {@code /detokenize} and {@code /v1/completions}. {@code /baton/info} says which
 * GPU the process stands for; {@code /baton/hang} and {@code /baton/resume} exist only when the
 * server was started with faults enabled (tests and dev).
 */
final class EngineRoutes extends AllDirectives {
  private final ServedEngine served;
  private final EngineServer.Options options;
  private final Materializer materializer;
  private final long created = System.currentTimeMillis() / 1000;

  EngineRoutes(ServedEngine served, EngineServer.Options options, Materializer materializer) {
    this.served = served;
    this.options = options;
    this.materializer = materializer;
  }

  Route routes() {
    return concat(
        path("health", () -> get(() -> onSuccess(served.unhung(), u -> complete(StatusCodes.OK)))),
        path(PathMatchers.segment("v1").slash("models"), () -> get(() -> json(StatusCodes.OK, models()))),
        path("tokenize", () -> post(() -> body(this::tokenize))),
        path("detokenize", () -> post(() -> body(this::detokenize))),
        path(PathMatchers.segment("v1").slash("completions"), () -> post(() -> body(this::completion))),
        path(PathMatchers.segment("baton").slash("info"), () -> get(() -> json(StatusCodes.OK, info()))),
        options.faults() ? faults() : reject());
  }

  private Route faults() {
    return concat(
        path(PathMatchers.segment("baton").slash("hang"), () -> post(() -> {
          served.hang();
          return json(StatusCodes.OK, info());
        })),
        path(PathMatchers.segment("baton").slash("resume"), () -> post(() -> {
          served.resume();
          return json(StatusCodes.OK, info());
        })));
  }

  private Route completion(JsonNode body) {
    ModelInfo model = served.engine().model();
    CompletionCall.Parsed parsed = CompletionCall.parse(body, model.id(), model.vocabSize());
    if (parsed instanceof CompletionCall.Invalid invalid) {
      return error(StatusCodes.BAD_REQUEST, invalid.message(), invalid.param());
    }
    CompletionCall call = ((CompletionCall.Valid) parsed).call();
    int requested = call.prompt().size() + call.maxTokens();
    if (call.prompt().size() >= model.maxContext()) {
      return error(StatusCodes.BAD_REQUEST, "This model's maximum context length is " + model.maxContext()
          + " tokens. However, you requested " + requested + " tokens (" + call.prompt().size()
          + " in the messages, " + call.maxTokens() + " in the completion).", "prompt");
    }
    CompletionBody answer = new CompletionBody(served, call, "cmpl-" + UUID.randomUUID().toString().replace("-", ""),
        System.currentTimeMillis() / 1000);
    if (call.stream()) {
      return complete(HttpResponse.create().withEntity(
          HttpEntities.create(ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), answer.sse())));
    }
    return onSuccess(answer.whole(materializer), whole -> json(StatusCodes.OK, whole));
  }

  private Route tokenize(JsonNode body) {
    JsonNode prompt = body.path("prompt");
    if (!prompt.isTextual()) {
      return error(StatusCodes.BAD_REQUEST, "prompt must be a string", "prompt");
    }
    int[] tokens = served.engine().tokenizer().encode(prompt.asText());
    ObjectNode out = CompletionBody.JSON.createObjectNode();
    out.put("count", tokens.length);
    out.put("max_model_len", served.engine().model().maxContext());
    ArrayNode ids = out.putArray("tokens");
    for (int t : tokens) {
      ids.add(t);
    }
    out.putNull("token_strs");
    return json(StatusCodes.OK, out);
  }

  private Route detokenize(JsonNode body) {
    JsonNode tokens = body.path("tokens");
    Tokenizer tokenizer = served.engine().tokenizer();
    if (!tokens.isArray()) {
      return error(StatusCodes.BAD_REQUEST, "tokens must be a list of token ids", "tokens");
    }
    List<Integer> ids = new ArrayList<>();
    for (JsonNode t : tokens) {
      if (!t.isIntegralNumber() || t.asInt() < 0 || t.asInt() >= tokenizer.vocabSize()) {
        return error(StatusCodes.BAD_REQUEST, "token " + t + " is outside the vocabulary", "tokens");
      }
      ids.add(t.asInt());
    }
    return json(StatusCodes.OK, CompletionBody.JSON.createObjectNode().put("prompt", tokenizer.decode(ids)));
  }

  private ObjectNode models() {
    ObjectNode out = CompletionBody.JSON.createObjectNode().put("object", "list");
    ObjectNode card = out.putArray("data").addObject();
    ModelInfo model = served.engine().model();
    card.put("id", model.id()).put("object", "model").put("created", created).put("owned_by", "baton")
        .put("root", model.id()).putNull("parent");
    card.put("max_model_len", model.maxContext());
    return out;
  }

  private ObjectNode info() {
    ObjectNode out = CompletionBody.JSON.createObjectNode();
    out.put("model", served.engine().model().id()).put("pid", ProcessHandle.current().pid())
        .put("gpu_uuid", options.gpuUuid()).put("pci_bus_id", options.pciBusId()).put("hung", served.hung());
    return out;
  }

  private Route body(Function<JsonNode, Route> inner) {
    return entity(Unmarshaller.entityToString(), text -> {
      JsonNode node;
      try {
        node = CompletionBody.JSON.readTree(text.isEmpty() ? "{}" : text);
      } catch (JsonProcessingException e) {
        return error(StatusCodes.BAD_REQUEST, "the body is not valid JSON: " + e.getOriginalMessage(), null);
      }
      return node.isObject() ? inner.apply(node) : error(StatusCodes.BAD_REQUEST, "the body must be a JSON object", null);
    });
  }

  /** vLLM's error object (0.10.1 and later). */
  private Route error(StatusCode status, String message, String param) {
    ObjectNode out = CompletionBody.JSON.createObjectNode();
    out.putObject("error").put("message", message).put("type", "BadRequestError").put("param", param)
        .put("code", status.intValue());
    return json(status, out);
  }

  private Route json(StatusCode status, JsonNode body) {
    return complete(HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString())));
  }
}
