package io.baton.actors.batch;

import io.baton.actors.CborSerializable;

/**
 * One entry of OpenAI's {@code errors.data[]} on a batch.
 *
 * @param param the offending field of the request line, or null
 * @param line the 1-based line of the input file, as OpenAI reports it, or null for an error of the
 *     whole batch
 */
public record LineError(String code, String message, String param, Integer line) implements CborSerializable {

  /** An error of the whole batch rather than of one line. */
  public static LineError of(String code, String message) {
    return new LineError(code, message, null, null);
  }
}
