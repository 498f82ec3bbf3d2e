package io.baton.actors.app;

import io.baton.actors.session.SessionSpec;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The shapes a session id can have: {@code cmpl-}, {@code chatcmpl-} or {@code resp_} and 32 hex
 * digits for a request, {@code batch_<32 hex>-req-<line>} for a batch line. A lookup checks the
 * shape before it touches sharding, because asking an entity for an id creates (and remembers) it.
 * The id only names a session; what kind it is lives in its spec.
 */
public final class SessionIds {
  private static final Pattern SHAPE = Pattern.compile(
      "(?:(?:(?:chat)?cmpl-|resp_)[0-9a-f]{32})|(?:batch_[0-9a-f]{32}-req-(?:0|[1-9][0-9]{0,8}))");

  private SessionIds() {}

  public static String fresh(SessionSpec.Api api) {
    String prefix = switch (api) {
      case CHAT -> "chatcmpl-";
      case COMPLETION -> "cmpl-";
      case RESPONSE -> "resp_";
    };
    return prefix + UUID.randomUUID().toString().replace("-", "");
  }

  public static boolean wellFormed(String id) {
    return id != null && SHAPE.matcher(id).matches();
  }
}
