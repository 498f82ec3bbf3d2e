package io.baton.actors.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.actors.session.ResponseSpec;
import io.baton.actors.session.SessionEvent;
import io.baton.actors.session.ServiceClass;
import io.baton.actors.session.SessionSpec;
import io.baton.actors.session.SessionState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a request becomes a spec: prompt from the model's format, a conversation's earlier tokens first, checks. */
class SessionPromptsTest {
  /** One token per byte: enough to see exactly which text became the prompt. */
  static final ModelCatalog.TextCodec BYTES = new ModelCatalog.TextCodec() {
    @Override
    public List<Integer> encode(String text) {
      List<Integer> ids = new ArrayList<>();
      for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
        ids.add(b & 0xff);
      }
      return ids;
    }

    @Override
    public String decode(List<Integer> tokens) {
      byte[] bytes = new byte[tokens.size()];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (int) tokens.get(i);
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  };
  static final ModelCatalog CATALOG = new ModelCatalog() {
    @Override
    public List<Model> models() {
      return List.of(new Model("m", "baton", 0, 200), new Model("other", "baton", 0, 200));
    }

    @Override
    public Optional<TextCodec> codec(String modelId) {
      return Optional.of(BYTES);
    }
  };
  final SessionPrompts prompts = new SessionPrompts(CATALOG, Tenants.of(new Tenants.Tenant("defaults", 1,
      ServiceClass.INTERACTIVE, 0, 0)), 50);

  static SessionRequest response(String model, String input, String previous, Integer maxTokens) {
    ResponseSpec spec = new ResponseSpec(null, List.of(new ResponseSpec.InputItem("user", List.of(input))), Map.of(),
        true, false, previous);
    return new SessionRequest(SessionSpec.Api.RESPONSE, model, null,
        List.of(new ChatFormat.Turn("user", input)), maxTokens, 1, 1, 9L, List.of(), spec, null);
  }

  static SessionState ended(SessionSpec spec, List<Integer> output) {
    return SessionState.empty("resp_0").apply(new SessionEvent.Submitted("resp_0", spec, Instant.EPOCH))
        .apply(new SessionEvent.Placed(1, "gpu", 0, io.baton.actors.session.ResumeMethod.FRESH, Instant.EPOCH))
        .apply(new SessionEvent.TokensAppended(1, 0, output, Instant.EPOCH))
        .apply(new SessionEvent.Completed("stop", null, Instant.EPOCH));
  }

  SessionService.Prepared ok(Result<SessionService.Prepared> r) {
    return assertInstanceOf(Result.Ok.class, r, () -> "refused: " + r).value() instanceof SessionService.Prepared p
        ? p : null;
  }

  @Test
  void aFirstTurnIsTheModelsChatFormatOfItsMessages() {
    SessionService.Prepared p = ok(prompts.prepare(response("m", "Hi", null, 8), "t", null, null, 1));
    assertEquals("user: Hi\nassistant:", BYTES.decode(p.spec().promptTokens()));
    assertEquals(SessionSpec.Api.RESPONSE, p.spec().api());
    assertEquals(8, p.spec().maxTokens());
    assertEquals(9L, p.spec().sampling().seed());
  }

  @Test
  void aFollowUpStartsWithTheEarlierPromptAndAnswerTokenForToken() {
    SessionSpec first = ok(prompts.prepare(response("m", "Hi", null, 8), "t", null, null, 1)).spec();
    SessionState previous = ended(first, BYTES.encode(" Hello"));
    SessionService.Prepared p = ok(prompts.prepare(response("m", "More", "resp_0", 8), "t", previous, null, 1));
    List<Integer> expected = new ArrayList<>(first.promptTokens());
    expected.addAll(BYTES.encode(" Hello"));
    assertEquals(expected, p.spec().promptTokens().subList(0, expected.size()), "the earlier tokens come first");
    assertEquals("user: Hi\nassistant: Hello\nuser: More\nassistant:", BYTES.decode(p.spec().promptTokens()));
  }

  @Test
  void aFollowUpKeepsItsModel() {
    SessionSpec first = ok(prompts.prepare(response("m", "Hi", null, 8), "t", null, null, 1)).spec();
    Result<SessionService.Prepared> r = prompts.prepare(response("other", "More", "resp_0", 8), "t",
        ended(first, List.of(65)), null, 1);
    assertEquals("model", assertInstanceOf(Result.Refused.class, r).refusal().param());
  }

  @Test
  void aPromptBeyondTheContextNamesTheInputAndAnOutputBoundBeyondItNamesItsParameter() {
    Result<SessionService.Prepared> tooLong = prompts.prepare(response("m", "x".repeat(300), null, 8), "t", null,
        null, 1);
    Refusal refusal = assertInstanceOf(Result.Refused.class, tooLong).refusal();
    assertEquals("input", refusal.param());
    assertEquals(Refusal.Kind.INVALID, refusal.kind());
    Result<SessionService.Prepared> tooMuch = prompts.prepare(response("m", "Hi", null, 190), "t", null, null, 1);
    assertEquals("max_output_tokens", assertInstanceOf(Result.Refused.class, tooMuch).refusal().param());
  }

  @Test
  void anUnknownModelIsNotFound() {
    Refusal refusal = assertInstanceOf(Result.Refused.class,
        prompts.prepare(response("nope", "Hi", null, 8), "t", null, null, 1)).refusal();
    assertEquals(Refusal.Kind.NOT_FOUND, refusal.kind());
    assertTrue(refusal.message().contains("/v1/models"), refusal.message());
  }

  @Test
  void sessionIdsNameTheirApiAndOnlyWellFormedOnesReachSharding() {
    assertTrue(SessionIds.fresh(SessionSpec.Api.RESPONSE).startsWith("resp_"));
    assertTrue(SessionIds.wellFormed(SessionIds.fresh(SessionSpec.Api.RESPONSE)));
    assertTrue(SessionIds.wellFormed(SessionIds.fresh(SessionSpec.Api.CHAT)));
    assertEquals(false, SessionIds.wellFormed("resp_../../etc"));
  }
}
