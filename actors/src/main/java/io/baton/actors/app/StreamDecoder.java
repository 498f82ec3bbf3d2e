package io.baton.actors.app;

/** One stream's text, token by token: what each token adds, and at the end what was held back. */
public interface StreamDecoder {
  /** The text this token adds; empty while it may still change (the middle of a character). */
  String next(int token);

  /** What is still held back when the stream ends. */
  default String flush() {
    return "";
  }
}
