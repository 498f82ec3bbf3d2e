package io.baton.workers.engine.openai;

/**
 * The OpenAI-compatible server failed: a non-2xx answer, a connection failure, a stream that broke
 * off or carried an error object. The worker treats it like any engine failure and fails the
 * generation over (resuming by recompute elsewhere).
 */
public final class OpenAiHttpException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  /** Most characters of the response body kept in the message. */
  static final int EXCERPT = 500;

  private final int status;
  private final String bodyExcerpt;

  /**
   * @param status the HTTP status, or 0 when no HTTP status applies (connection failure, broken
   *     stream)
   */
  public OpenAiHttpException(int status, String detail, String body, Throwable cause) {
    super(message(status, detail, excerpt(body)), cause);
    this.status = status;
    this.bodyExcerpt = excerpt(body);
  }

  public OpenAiHttpException(int status, String detail, String body) {
    this(status, detail, body, null);
  }

  /** The HTTP status, or 0 when the failure was not an HTTP answer. */
  public int status() {
    return status;
  }

  /** The start of the response body, at most {@value #EXCERPT} characters; empty when none. */
  public String bodyExcerpt() {
    return bodyExcerpt;
  }

  private static String excerpt(String body) {
    if (body == null) {
      return "";
    }
    return body.length() <= EXCERPT ? body : body.substring(0, EXCERPT) + "...";
  }

  private static String message(int status, String detail, String excerpt) {
    StringBuilder sb = new StringBuilder("OpenAI server: ").append(detail);
    if (status != 0) {
      sb.append(" (HTTP ").append(status).append(')');
    }
    if (!excerpt.isEmpty()) {
      sb.append(": ").append(excerpt);
    }
    return sb.toString();
  }
}
