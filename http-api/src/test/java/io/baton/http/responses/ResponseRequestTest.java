package io.baton.http.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.app.ChatFormat;
import io.baton.actors.session.ResponseSpec;
import io.baton.actors.session.SessionSpec;
import io.baton.http.HttpSettings;
import io.baton.http.JsonBody;
import io.baton.http.errors.ApiException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A Responses API body: what it becomes, and each refusal naming its parameter. */
class ResponseRequestTest {
  static final HttpSettings LIMITS = HttpSettings.fromConfig(ConfigFactory.defaultReference().resolve());

  static ResponseRequest parse(String json) {
    return ResponseRequest.parse(JsonBody.parse(json), LIMITS);
  }

  @Test
  void aStringInputIsOneUserMessageAndTheDefaultsAreOpenAis() {
    ResponseRequest r = parse("{\"model\":\"m\",\"input\":\"Hi\"}");
    assertEquals(SessionSpec.Api.RESPONSE, r.session().api());
    ResponseSpec spec = r.session().response();
    assertEquals(List.of(new ResponseSpec.InputItem("user", List.of("Hi"))), spec.input());
    assertTrue(spec.store());
    assertFalse(spec.background());
    assertFalse(r.stream());
    assertNull(r.session().maxTokens());
    assertNull(r.session().seed());
    assertEquals(1.0, r.session().temperature());
  }

  @Test
  void messageItemsWithPartsAndInstructionsBecomeTheTurn() {
    ResponseRequest r = parse("{\"model\":\"m\",\"instructions\":\"Be brief\",\"input\":[{\"type\":\"message\","
        + "\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"a\"},{\"type\":\"input_text\",\"text\":\"b\"}]},"
        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"c\"}]},{\"role\":\"developer\","
        + "\"content\":\"d\"}],\"max_output_tokens\":9,\"seed\":4,\"metadata\":{\"k\":\"v\"},\"background\":true,"
        + "\"stream\":true,\"previous_response_id\":\"resp_x\"}");
    assertEquals(List.of(new ChatFormat.Turn("system", "Be brief"), new ChatFormat.Turn("user", "ab"),
        new ChatFormat.Turn("assistant", "c"), new ChatFormat.Turn("developer", "d")), r.session().messages());
    assertEquals(9, r.session().maxTokens());
    assertEquals(4L, r.session().seed());
    assertEquals(Map.of("k", "v"), r.session().response().metadata());
    assertTrue(r.session().response().background());
    assertTrue(r.stream());
    assertEquals("resp_x", r.session().response().previousResponseId());
  }

  @Test
  void neutralValuesOfUnsupportedParametersAreAccepted() {
    parse("{\"model\":\"m\",\"input\":\"Hi\",\"tools\":[],\"tool_choice\":\"auto\",\"reasoning\":{},\"text\":"
        + "{\"format\":{\"type\":\"text\"}},\"truncation\":\"disabled\",\"include\":[],\"parallel_tool_calls\":true,"
        + "\"user\":\"u\",\"service_tier\":\"auto\"}");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "tools                | {\"model\":\"m\",\"input\":\"Hi\",\"tools\":[{\"type\":\"web_search\"}]}",
      "reasoning            | {\"model\":\"m\",\"input\":\"Hi\",\"reasoning\":{\"effort\":\"high\"}}",
      "text                 | {\"model\":\"m\",\"input\":\"Hi\",\"text\":{\"format\":{\"type\":\"json_object\"}}}",
      "include              | {\"model\":\"m\",\"input\":\"Hi\",\"include\":[\"message.output_text.logprobs\"]}",
      "frobnicate           | {\"model\":\"m\",\"input\":\"Hi\",\"frobnicate\":1}",
      "model                | {\"input\":\"Hi\"}",
      "input                | {\"model\":\"m\",\"input\":[]}",
      "input[0].type        | {\"model\":\"m\",\"input\":[{\"type\":\"function_call_output\",\"call_id\":\"c\"}]}",
      "input[0].role        | {\"model\":\"m\",\"input\":[{\"role\":\"tool\",\"content\":\"x\"}]}",
      "input[0].content[0]  | {\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\"}]}]}",
      "max_output_tokens    | {\"model\":\"m\",\"input\":\"Hi\",\"max_output_tokens\":0}",
      "temperature          | {\"model\":\"m\",\"input\":\"Hi\",\"temperature\":3}",
      "top_p                | {\"model\":\"m\",\"input\":\"Hi\",\"top_p\":0}",
      "background           | {\"model\":\"m\",\"input\":\"Hi\",\"background\":true,\"store\":false}",
      "metadata             | {\"model\":\"m\",\"input\":\"Hi\",\"metadata\":{\"k\":1}}",
      "seed                 | {\"model\":\"m\",\"input\":\"Hi\",\"seed\":1.5}",
      "previous_response_id | {\"model\":\"m\",\"input\":\"Hi\",\"previous_response_id\":7}"})
  void eachMistakeIsA400NamingItsParameter(String param, String body) {
    ApiException e = assertThrows(ApiException.class, () -> parse(body));
    assertEquals(400, e.error().status());
    assertEquals(param, e.error().param(), e.error().message());
  }
}
