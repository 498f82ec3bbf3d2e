package io.baton.persistence.cassandra;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where the Cassandra child's jars are. The distribution carries them in its {@code cassandra/}
 * folder ({@code bin/baton} sets {@code baton.home}); a source checkout records their paths in the
 * local Maven repository when it builds (the cassandra-server module's {@code
 * baton/cassandra.classpath}), which exist only on the machine that built it.
 */
final class CassandraClasspath {
  /** A folder of Cassandra's jars, chosen explicitly: used as it is, never passed over. */
  static final String LIB_PROPERTY = "baton.cassandra.lib";
  /** The distribution's home; its cassandra/ folder is used when it holds jars. */
  static final String HOME_PROPERTY = "baton.home";
  private static final String RESOURCE = "baton/cassandra.classpath";
  private static final String WHAT_NEXT = " Run Baton from the whole unpacked distribution (bin/baton), rebuild the"
      + " checkout (mvn -q -DskipTests package), or use an external Cassandra (--cassandra host:port).";

  private CassandraClasspath() {}

  /** Cassandra's jars, then our own code location, which supplies CassandraMain (it needs only the JDK). */
  static String resolve() {
    return cassandraJars() + File.pathSeparator + ours();
  }

  private static String cassandraJars() {
    String lib = System.getProperty(LIB_PROPERTY, "");
    if (!lib.isBlank()) {
      return folder(Path.of(lib)).orElseThrow(() -> new CassandraStartException(
          "No Cassandra jars in " + lib + " (-D" + LIB_PROPERTY + ")." + WHAT_NEXT));
    }
    String home = System.getProperty(HOME_PROPERTY, "");
    Optional<String> distribution = home.isBlank() ? Optional.empty() : folder(Path.of(home, "cassandra"));
    if (distribution.isPresent()) {
      return distribution.get();
    }
    String recorded = recorded();
    if (recorded == null) {
      throw new CassandraStartException("Cassandra's jars are missing: "
          + (home.isBlank() ? "" : "no jars in " + Path.of(home, "cassandra") + " and ")
          + "no " + RESOURCE + " on the classpath." + WHAT_NEXT);
    }
    // A recorded classpath outlives the repository it points into (a cleaned ~/.m2, another machine).
    Optional<String> missing = Arrays.stream(recorded.split(File.pathSeparator))
        .filter(jar -> !jar.isBlank() && !Files.isRegularFile(Path.of(jar)))
        .findFirst();
    if (missing.isPresent()) {
      throw new CassandraStartException("Cassandra's jars are missing: " + missing.get() + " (from " + RESOURCE
          + (home.isBlank() ? "" : "; and no jars in " + Path.of(home, "cassandra")) + ")." + WHAT_NEXT);
    }
    return recorded;
  }

  /** The folder's jars, sorted so the classpath is the same on every start; empty if it has none. */
  private static Optional<String> folder(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<String> jars = files.filter(f -> f.getFileName().toString().endsWith(".jar"))
          .map(f -> f.toAbsolutePath().toString())
          .sorted()
          .toList();
      return jars.isEmpty() ? Optional.empty() : Optional.of(jars.stream().collect(Collectors.joining(File.pathSeparator)));
    } catch (IOException e) {
      throw new CassandraStartException("Cannot list Cassandra's jars in " + dir + ": " + e.getMessage());
    }
  }

  /** The classpath the checkout's build recorded, or null when this classpath has none. */
  private static String recorded() {
    try (InputStream in = CassandraClasspath.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new CassandraStartException("Cannot read Cassandra's classpath " + RESOURCE + ": " + e.getMessage());
    }
  }

  private static Path ours() {
    try {
      return Path.of(CassandraMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new CassandraStartException("Cannot locate Baton's own jar: " + e.getMessage());
    }
  }
}
