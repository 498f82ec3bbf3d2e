package io.baton.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The tarball unpacked into a fresh temporary folder, with what an operator's machine would have
 * and nothing more: an empty HOME, a PATH without Maven, and a Java.
 *
 * @param home the distribution's folder (baton-VERSION)
 */
record Unpacked(Path scratch, Path home) {
  /** A third-party list's entry: "(group:artifact:version - url)". */
  private static final Pattern LISTED = Pattern.compile("\\([^:()\\s]+:([^:()\\s]+):([^:()\\s]+) - ");
  /** What bin/baton runs besides the shell's built-ins. */
  private static final List<String> TOOLS = List.of("dirname", "readlink");

  static Unpacked from(Path tarball, String distName) throws Exception {
    assertTrue(Files.isRegularFile(tarball), "no distribution at " + tarball + "; run mvn -B package first");
    Path scratch = Files.createTempDirectory("baton-dist-it-");
    run(List.of("tar", "-xzf", tarball.toString(), "-C", scratch.toString()), Duration.ofMinutes(2));
    Files.createDirectories(scratch.resolve("home"));
    Path tools = Files.createDirectories(scratch.resolve("tools"));
    for (String tool : TOOLS) {
      Path found = Stream.of("/usr/bin", "/bin").map(dir -> Path.of(dir, tool)).filter(Files::isExecutable)
          .findFirst().orElseThrow(() -> new AssertionError("no " + tool + " in /usr/bin or /bin"));
      Files.createSymbolicLink(tools.resolve(tool), found);
    }
    return new Unpacked(scratch, scratch.resolve(distName));
  }

  /** The whole environment of a process started from the distribution (nothing is inherited). */
  Map<String, String> baseEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", scratch.resolve("home").toString());
    env.put("PATH", scratch.resolve("tools").toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("LANG", "C.UTF-8");
    return env;
  }

  Path launcher() {
    return home.resolve("bin/baton");
  }

  void delete() throws IOException {
    deleteTree(scratch);
  }

  /**
   * Every jar in {@code folder} (Baton's own aside) has its line, at its version, in the
   * third-party list {@code list}: the list describes what ships, not what some build resolved.
   */
  void assertEveryJarListed(String folder, String list) throws IOException {
    Set<String> listed = new HashSet<>();
    Matcher line = LISTED.matcher(Files.readString(home.resolve(list)));
    while (line.find()) {
      listed.add(line.group(1) + "-" + line.group(2));
    }
    List<String> unlisted;
    try (Stream<Path> jars = Files.list(home.resolve(folder))) {
      unlisted = jars.map(jar -> jar.getFileName().toString())
          .filter(jar -> jar.endsWith(".jar") && !jar.startsWith("baton-"))
          .filter(jar -> listed.stream().noneMatch(l -> jar.equals(l + ".jar") || jar.startsWith(l + "-")))
          .sorted()
          .toList();
    }
    assertTrue(unlisted.isEmpty(), folder + " holds jars that " + list + " does not list at that version: " + unlisted);
  }

  static int[] freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0);
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void run(List<String> command, Duration timeout) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS), command + " did not finish");
    assertEquals(0, process.exitValue(), command + " failed: " + output);
  }
}
