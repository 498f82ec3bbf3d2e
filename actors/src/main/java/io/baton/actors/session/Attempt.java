package io.baton.actors.session;

import io.baton.actors.CborSerializable;
import java.time.Instant;

/**
 * One placement of a session on a GPU, as recorded in its history.
 *
 * @param resumeFrom the number of generated tokens already durable when the attempt began
 * @param failure why the attempt ended early, or null while it runs or if it finished the session
 */
public record Attempt(
    int number, String workerId, ResumeMethod method, int resumeFrom, Instant placedAt, FailureCause failure)
    implements CborSerializable {

  Attempt failed(FailureCause cause) {
    return new Attempt(number, workerId, method, resumeFrom, placedAt, cause);
  }
}
