package io.baton.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.util.Arrays;
import java.util.List;
import com.typesafe.config.ConfigFactory;

/**
 * Loads Baton's configuration in a defined order, highest first: the given overrides (command-line
 * options), system properties, application.conf, every module's baton.conf, then every
 * reference.conf. Substitutions are resolved last, so they see every layer. Settings
 * that override a library's defaults live in baton.conf, because when two reference.conf files set
 * one key, the winner depends on classpath order, which a wildcard classpath does not define.
 */
public final class BatonConfig {
  private BatonConfig() {}

  public static Config load(Config overrides) {
    return overrides
        .withFallback(ConfigFactory.defaultOverrides())
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.parseResources("baton.conf"))
        .withFallback(ConfigFactory.defaultReferenceUnresolved())
        .resolve();
  }

  /**
   * A list setting that an environment variable may also give as one comma-separated string
   * ({@code BATON_SEED_NODES="pekko://baton@a:2551,pekko://baton@b:2551"}): HOCON's {@code ${?VAR}}
   * yields a string, and a list cannot be written in one variable.
   */
  public static List<String> stringList(Config config, String path) {
    if (config.getValue(path).valueType() == ConfigValueType.LIST) {
      return config.getStringList(path);
    }
    return Arrays.stream(config.getString(path).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  public static Config load() {
    return load(ConfigFactory.empty());
  }
}
