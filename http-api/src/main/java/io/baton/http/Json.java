package io.baton.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.http.errors.ApiError;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import java.util.List;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** One JSON mapper for every route: snake_case fields as OpenAI's API spells them. */
public final class Json {
  public static final ObjectMapper MAPPER =
      new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  private Json() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + value.getClass().getSimpleName(), e);
    }
  }

  public static HttpResponse ok(Object body) {
    return HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, write(body)));
  }

  /** {@code {"error":{"message","type","param","code"}}} with the error's status. */
  public static HttpResponse error(ApiError e) {
    List<HttpHeader> headers = e.headers().entrySet().stream()
        .map(h -> (HttpHeader) RawHeader.create(h.getKey(), h.getValue())).toList();
    return HttpResponse.create().withStatus(e.status()).withHeaders(headers)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, write(errorBody(e))));
  }

  public static ObjectNode errorBody(ApiError e) {
    ObjectNode body = MAPPER.createObjectNode();
    ObjectNode error = body.putObject("error");
    error.put("message", e.message());
    error.put("type", e.type());
    error.put("param", e.param());
    error.put("code", e.code());
    return body;
  }
}
