package io.baton.workers.engine;

/**
 * The GPU reported an XID. The worker agent catches this, reports the code (the actors module's
 * XidCatalog classifies it) and fails over the generations that ran on the GPU.
 */
public final class XidException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int code;

  public XidException(int code, String detail) {
    super("XID " + code + ": " + detail);
    this.code = code;
  }

  public int code() {
    return code;
  }
}
