package io.baton.http.errors;

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
}
