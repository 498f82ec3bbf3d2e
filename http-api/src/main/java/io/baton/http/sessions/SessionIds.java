package io.baton.http.sessions;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The shapes a session id can have: {@code cmpl-} or {@code chatcmpl-} and 32 hex digits for a
 * request, {@code batch_<32 hex>-req-<line>} for a batch line. A lookup checks the shape before it
 * touches sharding, because asking an entity for an id creates (and remembers) it.
 */
public final class SessionIds {
  private static final Pattern SHAPE =
      Pattern.compile("(?:(?:chat)?cmpl-[0-9a-f]{32})|(?:batch_[0-9a-f]{32}-req-(?:0|[1-9][0-9]{0,8}))");

  private SessionIds() {}

  public static String fresh(boolean chat) {
    return (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
  }

  public static boolean wellFormed(String id) {
    return id != null && SHAPE.matcher(id).matches();
  }
}
