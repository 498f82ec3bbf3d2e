package io.baton.orchestrator.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Lets an appender of logback.xml write only when it is the format chosen by
 * {@code BATON_LOG_FORMAT} (or the system property {@code baton.log.format}): {@code plain}
 * (key=value lines, the default) or {@code json} (logback's JsonEncoder). Both appenders stay
 * attached to the root logger, so logback has nothing to warn about, and the other one drops every
 * event before encoding it. An unknown value logs plain lines and says so on logback's status.
 */
public final class LogFormatFilter extends Filter<ILoggingEvent> {
  public static final String ENV = "BATON_LOG_FORMAT";
  public static final String PROPERTY = "baton.log.format";

  private String format = "plain";
  private boolean chosen;

  /** The format of the appender this filter guards: plain or json. */
  public void setFormat(String format) {
    this.format = format;
  }

  @Override
  public void start() {
    chosen = format.equals(chosen(System.getProperty(PROPERTY, System.getenv(ENV)), this::addWarn));
    super.start();
  }

  @Override
  public FilterReply decide(ILoggingEvent event) {
    return chosen ? FilterReply.NEUTRAL : FilterReply.DENY;
  }

  static String chosen(String value, Consumer<String> warn) {
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
