package io.baton.http;

import io.baton.actors.Printable;
import io.baton.http.errors.ApiError;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Keeps web pages from driving a node through a visitor's browser (a dev node on loopback has no
 * API key, so any page could otherwise post to it). API clients send neither header; browsers send
 * {@code Origin} on cross-origin requests and every POST, and {@code Sec-Fetch-Site} on all
 * requests. A request from another origin, or that the browser marks as not same-origin, is a 403;
 * Baton sends no CORS headers, so no preflight ever succeeds either.
 */
final class BrowserGuard {
  private BrowserGuard() {}

  static Route sameOriginOnly(Supplier<Route> inner) {
    return Directives.optionalHeaderValueByName("Origin", origin ->
        Directives.optionalHeaderValueByName("Sec-Fetch-Site", site ->
            Directives.optionalHeaderValueByName("Host", host -> {
              Optional<String> refusal = refusal(origin, site, host);
              return refusal.isPresent()
                  ? Directives.complete(Json.error(ApiError.forbidden(refusal.get(), "cross_origin_refused")))
                  : inner.get();
            })));
  }

  static Optional<String> refusal(Optional<String> origin, Optional<String> site, Optional<String> host) {
    if (site.isPresent()) {
      String s = site.get().trim().toLowerCase(Locale.ROOT);
      if (!s.equals("same-origin") && !s.equals("none")) {
        return Optional.of("requests from other sites' pages are refused (Sec-Fetch-Site: " + Printable.of(s) + ")");
      }
    }
    if (origin.isPresent() && !sameAuthority(origin.get(), host.orElse(""))) {
      return Optional.of("cross-origin requests are refused (Origin: " + Printable.of(origin.get()) + ")");
    }
    return Optional.empty();
  }

  private static boolean sameAuthority(String origin, String host) {
    try {
      URI uri = new URI(origin.trim());
      return uri.getRawAuthority() != null && uri.getRawAuthority().equalsIgnoreCase(host.trim());
    } catch (URISyntaxException malformed) {
      return false; // "null" (a sandboxed page or a file) and anything unparsable
    }
  }
}
