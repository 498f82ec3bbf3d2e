package io.baton.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A node that could expose /admin without a credential refuses to start, with one line saying what to set. */
class HttpSettingsTest {
  static Config with(Map<String, Object> http) {
    return ConfigFactory.parseMap(http).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void apiKeysWithoutAnAdminTokenRefuseToStart() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HttpSettings.fromConfig(with(Map.of("baton.http.api-keys", "alice:sk-a"))));
    assertTrue(e.getMessage().startsWith("set baton.http.admin-token (BATON_ADMIN_TOKEN)"), e.getMessage());
    assertTrue(e.getMessage().contains("API keys are configured"), e.getMessage());
  }

  @Test
  void bindingBeyondLoopbackWithoutAnAdminTokenRefusesToStart() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HttpSettings.fromConfig(with(Map.of("baton.http.host", "0.0.0.0"))));
    assertTrue(e.getMessage().contains("HTTP binds to 0.0.0.0, beyond loopback"), e.getMessage());
  }

  @Test
  void metricsBeyondLoopbackNeedTheAdminTokenUnlessConfiguredOpen() {
    assertTrue(HttpSettings.fromConfig(with(Map.of())).metricsOpen(), "loopback");
    assertFalse(HttpSettings.fromConfig(with(Map.of("baton.http.host", "0.0.0.0", "baton.http.admin-token", "t")))
        .metricsOpen());
    assertTrue(HttpSettings.fromConfig(with(Map.of("baton.http.host", "0.0.0.0", "baton.http.admin-token", "t",
        "baton.http.metrics-access", "open"))).metricsOpen());
    assertThrows(IllegalArgumentException.class, () -> HttpSettings.fromConfig(with(Map.of(
        "baton.http.metrics-access", "sometimes"))));
  }

  @Test
  void anIdleTimeoutThatWouldCutAQuietStreamIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HttpSettings.fromConfig(with(
        Map.of("pekko.http.server.idle-timeout", "20s"))));
    assertTrue(e.getMessage().startsWith("pekko.http.server.idle-timeout (20 s) must exceed two"), e.getMessage());
  }

  @Test
  void onlyTheLoopbackNodeWithoutKeysIsInDevMode() {
    assertTrue(HttpSettings.fromConfig(with(Map.of())).devMode());
    assertFalse(HttpSettings.fromConfig(with(Map.of("baton.http.host", "0.0.0.0", "baton.http.admin-token", "t")))
        .devMode());
    assertFalse(HttpSettings.fromConfig(with(Map.of("baton.http.api-keys", "a:k", "baton.http.admin-token", "t")))
        .devMode());
  }
}
