package io.baton.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ApiException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.util.ByteString;

/**
 * The one way a route reads a JSON request body. An empty body reads as an empty object; any other
 * must be declared {@code application/json}
 * (anything else is a 415: a browser's cross-site form post cannot declare it without a CORS
 * preflight, which Baton never grants), valid UTF-8, and one JSON value with nothing after it.
 */
public final class JsonBody {
  private static final ObjectReader READER = Json.MAPPER.reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

  private JsonBody() {}

  public static Route json(Function<JsonNode, Route> inner) {
    return Directives.extractRequestEntity(entity -> {
      if (entity.isKnownEmpty()) {
        return inner.apply(Json.MAPPER.createObjectNode()); // each route then names what is missing
      }
      if (!entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
        return Directives.complete(Json.error(ApiError.unsupportedMediaType("the request body must be JSON, sent with"
            + " 'Content-Type: application/json' (was '" + entity.getContentType() + "')")));
      }
      return Directives.entity(Unmarshaller.entityToByteString(), bytes -> inner.apply(parse(bytes)));
    });
  }

  /** One JSON value from UTF-8 bytes; anything else is a 400 that says what is wrong. */
  public static JsonNode parse(ByteString bytes) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toArray())).toString();
    } catch (CharacterCodingException e) {
      throw new ApiException(ApiError.malformed("the request body is not valid UTF-8"));
    }
    return parse(text);
  }

  public static JsonNode parse(String text) {
    try {
      JsonNode node = READER.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new ApiException(ApiError.malformed("the request body is empty; send a JSON object"));
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ApiException(ApiError.malformed("the request body is not valid JSON: "
          + e.getOriginalMessage().lines().findFirst().orElse("")));
    }
  }
}
