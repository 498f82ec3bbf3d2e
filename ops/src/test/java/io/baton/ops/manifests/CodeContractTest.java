package io.baton.ops.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What ops/ names must exist in the code (no kubectl needed): every BATON_* variable, every
 * `baton ...` option, the probes' port and paths, the Containerfile's ports.
 */
class CodeContractTest {
  static final Path SCHEMA_COMMAND = OpsFiles.ROOT.resolve("orchestrator/src/main/java/io/baton/orchestrator/cli/SchemaCommand.java");
  static final Path ENGINE_COMMAND = OpsFiles.ROOT.resolve("orchestrator/src/main/java/io/baton/orchestrator/cli/EngineCommand.java");
  static final Path NODE_COMMAND = OpsFiles.ROOT.resolve("orchestrator/src/main/java/io/baton/orchestrator/cli/NodeCommand.java");
  private static final Pattern VARIABLE = Pattern.compile("\\bBATON_[A-Z0-9_]*[A-Z0-9]\\b");
  private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");

  /** The ops files that name variables and commands for operators. */
  static List<Path> opsTexts() {
    return Stream.of(OpsFiles.files(OpsFiles.K8S), OpsFiles.files(OpsFiles.SYSTEMD), OpsFiles.files(OpsFiles.RUNBOOKS),
        List.of(OpsFiles.CONTAINERFILE)).flatMap(List::stream).toList();
  }

  /** Where the code reads variables: every module's src/main, the launchers. */
  static String codeText() {
    StringBuilder all = new StringBuilder();
    List<Path> roots = new ArrayList<>(List.of(OpsFiles.ROOT.resolve("baton"), OpsFiles.OPS.resolve("src/dist")));
    try (Stream<Path> modules = Files.walk(OpsFiles.ROOT, 3)) {
      modules.filter(p -> p.endsWith(Path.of("src", "main")) && !p.toString().contains("/target/")).forEach(roots::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path root : roots) {
      List<Path> files = Files.isDirectory(root) ? OpsFiles.files(root) : List.of(root);
      files.stream().filter(f -> !f.toString().endsWith(".jar")).forEach(f -> all.append(OpsFiles.read(f)).append('\n'));
    }
    return all.toString();
  }

  @Test
  void everyBatonVariableInOpsIsReadByTheCode() {
    Map<String, Set<String>> named = new TreeMap<>();
    for (Path f : opsTexts()) {
      Matcher m = VARIABLE.matcher(OpsFiles.read(f));
      while (m.find()) {
        named.computeIfAbsent(m.group(), k -> new TreeSet<>()).add(OpsFiles.relative(f));
      }
    }
    assertTrue(named.size() >= 20, "expected the manifests' variables, found " + named.keySet());
    String code = codeText();
    Map<String, Set<String>> unknown = new TreeMap<>();
    named.forEach((name, where) -> {
      // ${?NAME} or ${NAME} in HOCON and logback, "NAME" in Java, $NAME or ${NAME...} in a shell script.
      Pattern read = Pattern.compile("(\\$\\{\\??|\"|\\$)" + name + "(?![A-Z0-9_])");
      if (!read.matcher(code).find()) {
        unknown.put(name, where);
      }
    });
    assertEquals(Map.of(), unknown, "variables no code reads (name: where ops uses it)");
  }

  @Test
  void everyBatonCommandOptionInOpsExists() {
    Map<String, Path> commands = Map.of("baton schema apply", SCHEMA_COMMAND, "baton engine serve", ENGINE_COMMAND,
        "bin/baton node", NODE_COMMAND);
    int lines = 0;
    for (Path f : opsTexts()) {
      String text = OpsFiles.read(f).replace("\\\n", " ");
      for (String line : text.split("\n")) {
        for (Map.Entry<String, Path> c : commands.entrySet()) {
          int at = line.indexOf(c.getKey());
          if (at >= 0) {
            lines++;
            List<String> words = List.of(line.substring(at + c.getKey().length()).split("\\s+"));
            assertOptionsExist(OpsFiles.relative(f) + ": " + c.getKey(), words, c.getValue());
          }
        }
      }
    }
    assertTrue(lines >= 4, "expected `baton schema apply` and `baton engine serve` lines in ops, found " + lines);
  }

  /** Every --option among {@code words} is declared by the picocli command in {@code source}. */
  static void assertOptionsExist(String where, List<String> words, Path source) {
    String code = OpsFiles.read(source);
    for (String w : words) {
      Matcher m = OPTION.matcher(w);
      if (m.lookingAt() && !code.contains("\"" + m.group() + "\"")) {
        throw new AssertionError(where + " uses " + m.group() + ", which " + source.getFileName() + " does not declare");
      }
    }
  }

  @Test
  void probesUseTheManagementPortAndItsHealthPaths() {
    Config defaults = PodConfig.load(ConfigFactory.empty(), Map.of());
    int management = defaults.getInt("baton.management.port");
    String alive = "/" + defaults.getString("pekko.management.health-checks.liveness-path");
    String ready = "/" + defaults.getString("pekko.management.health-checks.readiness-path");
    assertEquals("/alive", alive, "the paths ops/k8s/README.md documents");
    assertEquals("/ready", ready, "the paths ops/k8s/README.md documents");
    int checked = 0;
    for (Path f : List.of(OpsFiles.K8S.resolve("base/statefulset.yaml"), OpsFiles.overlay("gpu-workers").resolve("daemonset.yaml"))) {
      JsonNode c = Yaml.documents(f).get(0).path("spec").path("template").path("spec").path("containers").get(0);
      for (JsonNode p : c.path("ports")) {
        if (p.path("name").asText().equals("management")) {
          assertEquals(management, p.path("containerPort").asInt(), f + ": baton.management.port");
        }
      }
      assertEquals(alive, c.path("startupProbe").path("httpGet").path("path").asText(), f.toString());
      assertEquals(alive, c.path("livenessProbe").path("httpGet").path("path").asText(), f.toString());
      assertEquals(ready, c.path("readinessProbe").path("httpGet").path("path").asText(), f.toString());
      checked++;
    }
    assertEquals(2, checked);
    String envPort = Kustomization.read(OpsFiles.K8S.resolve("base/kustomization.yaml")).literals("configMapGenerator",
        "baton-env").stream().filter(l -> l.startsWith("BATON_MANAGEMENT_PORT=")).findFirst().orElseThrow();
    assertEquals("BATON_MANAGEMENT_PORT=" + management, envPort);
  }

  @Test
  void theImageExposesTheDefaultPortsAndRunsAsThePodsUser() {
    Config defaults = PodConfig.load(ConfigFactory.empty(), Map.of());
    String containerfile = OpsFiles.read(OpsFiles.CONTAINERFILE);
    Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(containerfile);
    assertTrue(expose.find());
    assertEquals(new TreeSet<>(List.of(defaults.getInt("baton.http.port"), defaults.getInt("baton.management.port"),
            defaults.getInt("baton.orchestrator.cluster.port"))),
        new TreeSet<>(Stream.of(expose.group(1).trim().split("\\s+")).map(Integer::parseInt).toList()));
    JsonNode pod = Yaml.documents(OpsFiles.K8S.resolve("base/statefulset.yaml")).get(0).path("spec").path("template")
        .path("spec").path("securityContext");
    assertTrue(containerfile.contains("USER " + pod.path("runAsUser").asInt() + ":" + pod.path("runAsGroup").asInt()));
    String pom = OpsFiles.read(OpsFiles.OPS.resolve("pom.xml"));
    assertTrue(pom.contains("<dist.name>baton-${project.version}</dist.name>"), "the tarball the Containerfile adds");
    Matcher version = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
    assertTrue(version.find());
    assertTrue(containerfile.contains("ARG VERSION=" + version.group(1)), "the Containerfile's default VERSION");
    assertTrue(containerfile.contains("ADD ops/target/baton-${VERSION}.tar.gz"));
  }
}
