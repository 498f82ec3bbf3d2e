package io.baton.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * Loads Baton's configuration in a defined order, highest first: the given overrides, system
 * properties, application.conf, every module's baton.conf, then every reference.conf. Settings
 * that override a library's defaults live in baton.conf, because when two reference.conf files set
 * one key, the winner depends on classpath order, which a wildcard classpath does not define.
 */
public final class BatonConfig {
  private BatonConfig() {}

  public static Config load(Config overrides) {
    return ConfigFactory.load(
        overrides
            .withFallback(ConfigFactory.defaultApplication())
            .withFallback(ConfigFactory.parseResources("baton.conf")));
  }

  public static Config load() {
    return load(ConfigFactory.empty());
  }
}
