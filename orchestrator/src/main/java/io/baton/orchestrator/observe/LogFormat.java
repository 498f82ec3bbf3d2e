package io.baton.orchestrator.observe;

import ch.qos.logback.core.PropertyDefinerBase;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * logback.xml's {@code LOG_FORMAT}: the appender the root logger writes to, {@code plain}
 * (key=value lines, the default) or {@code json} (one JSON object a line, logback's JsonEncoder),
 * from {@code BATON_LOG_FORMAT} or the system property {@code baton.log.format}. An unknown value
 * falls back to plain with a warning on logback's status, rather than to no appender at all.
 */
public final class LogFormat extends PropertyDefinerBase {
  public static final String ENV = "BATON_LOG_FORMAT";
  public static final String PROPERTY = "baton.log.format";

  @Override
  public String getPropertyValue() {
    String value = System.getProperty(PROPERTY, System.getenv(ENV));
    return of(value, this::addWarn);
  }

  static String of(String value, Consumer<String> warn) {
    if (value == null || value.isBlank()) {
      return "plain";
    }
    String format = value.trim().toLowerCase(Locale.ROOT);
    if (format.equals("json") || format.equals("plain")) {
      return format;
    }
    warn.accept(ENV + "=" + value + " is neither json nor plain; logging plain lines");
    return "plain";
  }
}
