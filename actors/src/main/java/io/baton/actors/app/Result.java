package io.baton.actors.app;

import java.util.function.Function;

/** What the application layer answers: the value, or why not. Never an exception for a refusal. */
public sealed interface Result<T> {

  record Ok<T>(T value) implements Result<T> {}

  record Refused<T>(Refusal refusal) implements Result<T> {}

  static <T> Result<T> ok(T value) {
    return new Ok<>(value);
  }

  static <T> Result<T> refused(Refusal refusal) {
    return new Refused<>(refusal);
  }

  default <U> Result<U> map(Function<T, U> f) {
    return this instanceof Ok<T> ok ? new Ok<>(f.apply(ok.value())) : new Refused<>(((Refused<T>) this).refusal());
  }

  default <U> Result<U> flatMap(Function<T, Result<U>> f) {
    return this instanceof Ok<T> ok ? f.apply(ok.value()) : new Refused<>(((Refused<T>) this).refusal());
  }
}
