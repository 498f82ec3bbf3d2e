package io.baton.http.management;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.baton.http.AdminAuth;
import io.baton.http.HttpSettings;
import io.baton.http.Json;
import io.baton.http.errors.ApiError;
import io.baton.http.errors.ErrorHandling;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.slf4j.LoggerFactory;

/**
 * Log levels at runtime on the management port, behind the admin token, with the paths and
 * parameters of pekko-management's log-level module (not published for 1.1.1, so written here):
 * {@code GET|PUT /loglevel/logback?logger=io.baton&level=DEBUG} and {@code GET|PUT
 * /loglevel/pekko?level=DEBUG}. Pekko filters its own events before logback sees them, so raising
 * a Pekko logger needs both.
 */
public final class LogLevelRoutes extends AllDirectives implements ManagementRouteProvider {
  // Pekko's levels are plain ints; WARN is accepted as logback spells it.
  private static final Map<String, Integer> PEKKO_LEVELS = new LinkedHashMap<>(Map.of(
      "ERROR", Logging.ErrorLevel(), "WARNING", Logging.WarningLevel(), "WARN", Logging.WarningLevel(),
      "INFO", Logging.InfoLevel(), "DEBUG", Logging.DebugLevel()));
  private final ExtendedActorSystem system;

  public LogLevelRoutes(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    AdminAuth auth = new AdminAuth(HttpSettings.fromConfig(system.settings().config()));
    return pathPrefix("loglevel", () -> new ErrorHandling().handle(() -> auth.adminOnly(() -> concat(
        path("logback", () -> parameter("logger", name -> concat(
            get(() -> logback(name, Optional.empty())),
            put(() -> parameter("level", level -> logback(name, Optional.of(level))))))),
        path("pekko", () -> concat(
            get(() -> complete(Json.ok(Map.of("level", pekkoLevel())))),
            put(() -> parameter("level", this::pekko))))))));
  }

  private Route logback(String name, Optional<String> requested) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return complete(Json.error(ApiError.unavailable("logging is not done by logback in this process")));
    }
    Logger logger = context.getLogger(name);
    if (requested.isPresent()) {
      Level level = Level.toLevel(requested.get().toUpperCase(Locale.ROOT), null);
      if (level == null) {
        return complete(Json.error(ApiError.invalid("level", "level must be one of OFF, ERROR, WARN, INFO, DEBUG,"
            + " TRACE, was " + requested.get())));
      }
      logger.setLevel(level);
      system.log().info("event=log-level-changed logger={} level={}", name, level);
    }
    return complete(Json.ok(Map.of("logger", name, "level", logger.getEffectiveLevel().toString())));
  }

  private Route pekko(String requested) {
    Integer level = PEKKO_LEVELS.get(requested.toUpperCase(Locale.ROOT));
    if (level == null) {
      return complete(Json.error(ApiError.invalid("level", "level must be one of " + PEKKO_LEVELS.keySet()
          + ", was " + requested)));
    }
    system.eventStream().setLogLevel(level);
    system.log().info("event=pekko-log-level-changed level={}", pekkoLevel());
    return complete(Json.ok(Map.of("level", pekkoLevel())));
  }

  private String pekkoLevel() {
    int current = system.eventStream().logLevel();
    return PEKKO_LEVELS.entrySet().stream().filter(e -> e.getValue() == current).map(Map.Entry::getKey)
        .findFirst().orElse(Integer.toString(current));
  }
}
