package io.baton.http.errors;

import io.baton.http.Json;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.AuthorizationFailedRejection;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every way a request can go wrong becomes an OpenAI error object here, and only here: thrown
 * {@link ApiException}s, Pekko HTTP's rejections (unknown path, wrong method, oversized or
 * malformed body) and unexpected exceptions, which are logged with their stack trace and answered
 * without one.
 */
public final class ErrorHandling extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);

  private final ExceptionHandler exceptions = ExceptionHandler.newBuilder()
      .match(ApiException.class, e -> complete(Json.error(e.error())))
      .match(org.apache.pekko.http.scaladsl.model.EntityStreamSizeException.class,
          e -> complete(Json.error(ApiError.tooLarge("the request body is larger than the limit of "
              + e.limit() + " bytes"))))
      .matchAny(e -> {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof ApiException api) {
          return complete(Json.error(api.error()));
        }
        if (cause instanceof java.util.concurrent.TimeoutException) {
          // An entity that did not answer: its node is down or cut off, or Cassandra is away.
          log.warn("request timed out waiting for the cluster: {}", cause.getMessage());
          return complete(Json.error(ApiError.unavailable("the cluster did not answer in time (the node holding"
              + " this resource may be down, cut off, or waiting on Cassandra); retry in a few seconds")));
        }
        log.error("request failed unexpectedly", cause);
        return complete(Json.error(ApiError.internal("internal error; the node's log has the details")));
      })
      .build();

  private final RejectionHandler rejections = RejectionHandler.newBuilder()
      .handle(MalformedRequestContentRejection.class, r -> complete(Json.error(ApiError.malformed(
          "the request body is not valid JSON: " + r.message()))))
      .handle(MethodRejection.class, r -> complete(Json.error(new ApiError(405, "invalid_request_error",
          "method not allowed here; use " + r.supported().name(), null, "method_not_allowed"))))
      .handle(AuthorizationFailedRejection.class, r -> complete(Json.error(ApiError.unauthorized("not allowed"))))
      .handleNotFound(extractUnmatchedPath(path -> complete(Json.error(ApiError.notFound(
          "no route for " + path, null, "unknown_url")))))
      .build()
      .withFallback(RejectionHandler.defaultHandler())
      .mapRejectionResponse(response -> {
        // Whatever the default handler answered (413, 400...), the body becomes an error object.
        if (response.entity().getContentType().mediaType().toString().contains("json")) {
          return response;
        }
        int status = response.status().intValue();
        ApiError e = status == 413 ? ApiError.tooLarge("the request body is too large")
            : new ApiError(status, "invalid_request_error", response.status().reason(), null, null);
        return Json.error(e);
      });

  public Route handle(Supplier<Route> inner) {
    return handleExceptions(exceptions, () -> handleRejections(rejections, inner));
  }

  /**
   * For routes mounted from a library (pekko-management's cluster routes), which complete their
   * own errors as {@code {"message": ...}}: those become the same error object as every other.
   */
  public Route libraryErrors(Supplier<Route> inner) {
    return mapResponse(response -> {
      int status = response.status().intValue();
      if (status < 400 || !(response.entity() instanceof HttpEntity.Strict strict)) {
        return response;
      }
      String message = response.status().reason();
      try {
        com.fasterxml.jackson.databind.JsonNode body = Json.MAPPER.readTree(strict.getData().utf8String());
        if (body != null && body.hasNonNull("error")) {
          return response;
        }
        if (body != null && body.hasNonNull("message")) {
          message = body.get("message").asText();
        }
      } catch (java.io.IOException notJson) {
        message = strict.getData().utf8String().isBlank() ? message : strict.getData().utf8String();
      }
      return Json.error(new ApiError(status, status >= 500 ? "server_error" : "invalid_request_error", message, null,
          response.status().reason().toLowerCase().replace(' ', '_')));
    }, inner);
  }
}
