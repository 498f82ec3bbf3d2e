package io.baton.http;

import io.baton.http.errors.ApiError;
import io.baton.http.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The admin token check, the one place it is made: for /admin and /metrics on the API port and for
 * the cluster and log-level routes on the management port. Without a token the routes are open
 * only in loopback dev mode: {@link HttpSettings} refuses to start a node that has API keys or
 * binds beyond loopback and has no admin token.
 */
public final class AdminAuth extends AllDirectives {
  private final HttpSettings settings;

  public AdminAuth(HttpSettings settings) {
    this.settings = settings;
  }

  public Route adminOnly(Supplier<Route> inner) {
    if (settings.adminToken().isBlank()) {
      return settings.devMode() ? inner.get() : complete(Json.error(ApiError.unauthorized(
          "this route is closed: the node has no admin token (baton.http.admin-token)")));
    }
    byte[] expected = settings.adminToken().getBytes(StandardCharsets.UTF_8);
    return optionalHeaderValueByName("Authorization", header -> {
      Optional<String> token = bearer(header);
      // Constant time, so the token cannot be guessed byte by byte from response times.
      if (token.isPresent() && MessageDigest.isEqual(expected, token.get().getBytes(StandardCharsets.UTF_8))) {
        return inner.get();
      }
      return complete(Json.error(ApiError.unauthorized(token.isEmpty()
          ? "no admin token: send the header 'Authorization: Bearer <admin token>'"
          : "incorrect admin token")));
    });
  }

  /** The token of an {@code Authorization: Bearer ...} header. */
  public static Optional<String> bearer(Optional<String> header) {
    return header.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).trim());
  }
}
