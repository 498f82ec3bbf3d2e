package io.baton.workers.engine.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.Tokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The answer to one completion call in vLLM's shapes: {@code text_completion} objects whose choice
 * carries the text and, when asked with {@code return_token_ids}, the {@code token_ids}; the last
 * token's choice has {@code finish_reason} {@code "length"}; then, when asked, a chunk with no
 * choices and the {@code usage} (with {@code prompt_tokens_details.cached_tokens}, the prefix-cache
 * hit); then {@code data: [DONE]}.
 */
final class CompletionBody {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final ByteString DONE = ByteString.fromString("data: [DONE]\n\n");

  private final ServedEngine served;
  private final CompletionCall call;
  private final String id;
  private final long created;

  CompletionBody(ServedEngine served, CompletionCall call, String id, long created) {
    this.served = served;
    this.call = call;
    this.id = id;
    this.created = created;
  }

  /** Steps taken and the simulated time the last one still owes before the next. */
  private record Progress(int steps, Duration owed) {}

  /** The generation's steps as they are produced, the last one included. */
  Source<Generation.Step, NotUsed> steps(Generation generation) {
    int maxContext = served.engine().model().maxContext();
    return Source.unfoldAsync(new Progress(0, Duration.ZERO), p -> {
      if (p.steps() >= call.maxTokens() || generation.contextLength() >= maxContext) {
        return CompletableFuture.completedFuture(Optional.<Pair<Progress, Generation.Step>>empty());
      }
      return served.step(generation, p.owed())
          .thenApply(s -> Optional.of(Pair.create(new Progress(p.steps() + 1, s.simulated()), s)));
    });
  }

  /** The SSE body. A GPU fault mid-stream breaks the stream off, as a crashing engine's would. */
  Source<ByteString, NotUsed> sse() {
    int maxContext = served.engine().model().maxContext();
    return Source.completionStage(served.start(call))
        .flatMapConcat(g -> Source.<Progress, ByteString>unfoldAsync(new Progress(0, Duration.ZERO), p -> {
          if (p.steps() < 0) {
            return CompletableFuture.completedFuture(Optional.empty());
          }
          if (p.steps() >= call.maxTokens() || g.contextLength() >= maxContext) {
            // -1: the usage chunk and [DONE] went out; nothing follows.
            return CompletableFuture.completedFuture(Optional.of(Pair.create(new Progress(-1, Duration.ZERO),
                tail(g, p.steps()))));
          }
          return served.step(g, p.owed()).thenApply(step -> {
            boolean last = p.steps() + 1 >= call.maxTokens() || g.contextLength() >= maxContext;
            return Optional.of(Pair.create(new Progress(p.steps() + 1, step.simulated()),
                event(chunk(List.of(step.token()), last ? "length" : null))));
          });
        }))
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }

  private ByteString tail(Generation g, int completionTokens) {
    if (!call.includeUsage()) {
      return DONE;
    }
    ObjectNode chunk = envelope();
    chunk.putArray("choices");
    chunk.set("usage", usage(g, completionTokens));
    return event(chunk).concat(DONE);
  }

  /** The whole answer at once, for {@code stream: false}. */
  CompletionStage<ObjectNode> whole(Materializer materializer) {
    return served.start(call).thenCompose(g -> steps(g)
        .runFold(new ArrayList<Integer>(), (all, s) -> {
          all.add(s.token());
          return all;
        }, materializer)
        .thenApply(tokens -> {
          ObjectNode body = chunk(tokens, "length");
          body.set("usage", usage(g, tokens.size()));
          return body;
        }));
  }

  private ObjectNode chunk(List<Integer> tokens, String finishReason) {
    Tokenizer tokenizer = served.engine().tokenizer();
    ObjectNode body = envelope();
    ObjectNode choice = body.putArray("choices").addObject();
    choice.put("index", 0);
    choice.put("text", tokenizer.decode(tokens));
    choice.putNull("logprobs");
    if (finishReason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason);
    }
    choice.putNull("stop_reason");
    if (call.returnTokenIds()) {
      ArrayNode ids = choice.putArray("token_ids");
      tokens.forEach(ids::add);
    }
    return body;
  }

  private ObjectNode envelope() {
    ObjectNode body = JSON.createObjectNode();
    body.put("id", id);
    body.put("object", "text_completion");
    body.put("created", created);
    body.put("model", call.model());
    return body;
  }

  private ObjectNode usage(Generation g, int completionTokens) {
    ObjectNode usage = JSON.createObjectNode();
    usage.put("prompt_tokens", call.prompt().size());
    usage.put("total_tokens", call.prompt().size() + completionTokens);
    usage.put("completion_tokens", completionTokens);
    usage.putObject("prompt_tokens_details").put("cached_tokens", g.prefill().reusedTokens());
    return usage;
  }

  private static ByteString event(ObjectNode json) {
    return ByteString.fromString("data: " + json + "\n\n");
  }
}
