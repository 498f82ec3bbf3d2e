package io.baton.persistence.cassandra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Cassandra 5.0 runs on JDK 17 only (on 25 it fails at start, on a system-wide Policy object). The
 * Baton JVM itself may run on another JDK, so the child's java is looked up separately.
 */
final class Jdk17Locator {
  static final String OVERRIDE_ENV = "BATON_CASSANDRA_JAVA_HOME";

  private Jdk17Locator() {}

  static Path locate() {
    List<Path> candidates = new ArrayList<>();
    Optional.ofNullable(System.getenv(OVERRIDE_ENV)).map(Path::of).ifPresent(candidates::add);
    candidates.add(Path.of(System.getProperty("java.home")));
    Optional.ofNullable(System.getenv("JAVA_HOME")).map(Path::of).ifPresent(candidates::add);
    candidates.addAll(installedJdks(Path.of("/usr/lib/jvm")));
    return candidates.stream()
        .filter(Jdk17Locator::isJdk17)
        .findFirst()
        .map(home -> home.resolve("bin").resolve("java"))
        .orElseThrow(
            () ->
                new CassandraStartException(
                    "Cassandra 5.0 needs a JDK 17 and none was found (looked at "
                        + candidates
                        + "). Install one (apt-get install openjdk-17-jdk-headless) or set "
                        + OVERRIDE_ENV
                        + " to its home."));
  }

  private static List<Path> installedJdks(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  static boolean isJdk17(Path home) {
    Path release = home.resolve("release");
    if (!Files.isExecutable(home.resolve("bin").resolve("java")) || !Files.isReadable(release)) {
      return false;
    }
    try {
      return Files.readAllLines(release).stream().anyMatch(l -> l.startsWith("JAVA_VERSION=\"17"));
    } catch (IOException e) {
      return false;
    }
  }
}
