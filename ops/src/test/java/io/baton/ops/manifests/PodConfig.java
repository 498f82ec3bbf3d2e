package io.baton.ops.manifests;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Baton container's configuration as its node would load it (io.baton.persistence.BatonConfig's
 * order): the file named by -Dconfig.file in BATON_JAVA_OPTS, with its includes, over every
 * baton.conf and reference.conf of the code, substitutions resolved from the container's own
 * environment (BATON_* variables) and never from this JVM's.
 */
final class PodConfig {
  private static final Pattern CONFIG_FILE = Pattern.compile("-Dconfig\\.file=(\\S+)");

  private PodConfig() {}

  /** {@code files}: what the container sees by absolute path (its ConfigMap mounts). */
  static Config load(Map<String, String> env, Map<String, String> files, Path scratch) {
    Config app = ConfigFactory.empty();
    Matcher m = CONFIG_FILE.matcher(env.getOrDefault("BATON_JAVA_OPTS", ""));
    if (m.find()) {
      String path = m.group(1);
      if (!files.containsKey(path)) {
        throw new AssertionError("BATON_JAVA_OPTS names -Dconfig.file=" + path + ", which no ConfigMap mount provides"
            + " (mounted: " + files.keySet() + ")");
      }
      app = ConfigFactory.parseFile(write(files, scratch).resolve(path.substring(1)).toFile(),
          ConfigParseOptions.defaults().setAllowMissing(false));
    }
    return load(app, env);
  }

  /** {@code app} as the application layer. */
  static Config load(Config app, Map<String, String> env) {
    // ${?BATON_X} finds the path BATON_X at the root: the environment as the lowest layer, as
    // Typesafe Config falls back to the real one.
    return app.withFallback(ConfigFactory.parseResources("baton.conf"))
        .withFallback(ConfigFactory.defaultReferenceUnresolved())
        .withFallback(ConfigFactory.parseMap(env))
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
  }

  /** The mounted files under {@code scratch}, at the same paths, so relative includes work. */
  private static Path write(Map<String, String> files, Path scratch) {
    try {
      for (Map.Entry<String, String> f : files.entrySet()) {
        Path target = scratch.resolve(f.getKey().substring(1));
        Files.createDirectories(target.getParent());
        Files.writeString(target, f.getValue());
      }
      return scratch;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
