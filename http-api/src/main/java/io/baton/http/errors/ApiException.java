package io.baton.http.errors;

import io.baton.actors.app.Result;

/** Thrown where a request is found wrong; the error handling turns it into its {@link ApiError}. */
public final class ApiException extends RuntimeException {
  private final transient ApiError error;

  public ApiException(ApiError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public ApiError error() {
    return error;
  }

  /** The value of an application-layer result; a refusal is thrown, for the error handling to answer. */
  public static <T> T valueOf(Result<T> result) {
    if (result instanceof Result.Refused<T> refused) {
      throw new ApiException(ApiError.from(refused.refusal()));
    }
    return ((Result.Ok<T>) result).value();
  }
}
