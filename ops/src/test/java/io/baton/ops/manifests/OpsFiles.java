package io.baton.ops.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the ops files and the code they name live, seen from the ops module (Maven's working directory). */
final class OpsFiles {
  static final Path OPS = locate();
  static final Path ROOT = OPS.getParent();
  static final Path K8S = OPS.resolve("k8s");
  static final Path SYSTEMD = OPS.resolve("systemd");
  static final Path RUNBOOKS = OPS.resolve("runbooks");
  static final Path CONTAINERFILE = OPS.resolve("Containerfile");
  static final List<String> OVERLAYS = List.of("dev", "production", "gpu-workers");

  private OpsFiles() {}

  private static Path locate() {
    Path here = Path.of("").toAbsolutePath();
    for (Path candidate : List.of(here, here.resolve("ops"))) {
      if (Files.isDirectory(candidate.resolve("k8s")) && Files.isRegularFile(candidate.resolve("pom.xml"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("run from the ops module or the repository root; found no ops/k8s under " + here);
  }

  static Path overlay(String name) {
    return K8S.resolve("overlays").resolve(name);
  }

  /** Regular files under {@code dir} whose name ends with one of the suffixes (all files when none), sorted. */
  static List<Path> files(Path dir, String... suffixes) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> suffixes.length == 0 || Stream.of(suffixes).anyMatch(s -> p.getFileName().toString().endsWith(s)))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String relative(Path file) {
    return ROOT.relativize(file.toAbsolutePath().normalize()).toString();
  }
}
