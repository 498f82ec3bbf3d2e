package io.baton.actors.batch;

import io.baton.actors.CborSerializable;

/** OpenAI's {@code request_counts}: the batch's requests and how many have finished each way. */
public record RequestCounts(int total, int completed, int failed) implements CborSerializable {

  public static final RequestCounts NONE = new RequestCounts(0, 0, 0);

  public int finished() {
    return completed + failed;
  }

  public boolean allFinished() {
    return finished() == total;
  }

  RequestCounts plus(int newlyCompleted, int newlyFailed) {
    return new RequestCounts(total, completed + newlyCompleted, failed + newlyFailed);
  }
}
