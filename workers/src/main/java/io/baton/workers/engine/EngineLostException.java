package io.baton.workers.engine;

/**
 * The engine server cannot be reached or its stream broke off before the generation ended: the
 * process died, was restarted, or its host went away. Unlike an engine's answer that it refuses a
 * request, this says nothing about the request; the GPU is suspect.
 */
public final class EngineLostException extends RuntimeException {
  public EngineLostException(String message, Throwable cause) {
    super(message, cause);
  }
}
