package io.baton.ops.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * kubectl's built-in kustomize renders the overlays offline ({@code kubectl kustomize DIR} reads
 * files only; no cluster). Without kubectl the rendering tests are skipped with a message naming
 * what to install; under CI ({@code CI=true}) they fail instead, as the repository's other
 * requirement checks do, because a skipped test there would prove nothing.
 */
final class Kubectl {
  /** kubectl 1.27+ embeds kustomize 5, whose syntax the overlays use. */
  static final int MIN_MINOR = 27;
  private static final long TIMEOUT_S = 60;
  private static Optional<String> missing;

  private Kubectl() {}

  static synchronized void assumeAvailable() {
    if (missing == null) {
      missing = probe();
    }
    if (missing.isEmpty()) {
      return;
    }
    String need = "needs kubectl " + "1." + MIN_MINOR + "+ (its built-in kustomize renders the overlays offline): "
        + missing.get() + ". The java-maven machine image has it (package kubectl); elsewhere install kubectl from"
        + " the Kubernetes apt repository (pkgs.k8s.io); Debian's kubernetes-client is 1.20, too old";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("This test " + need + ". CI=true, so it fails instead of being skipped: .ci/run"
          + " must provide kubectl.");
    }
    Assumptions.abort("Skipped: this test " + need + ". CI runs it.");
  }

  /** Empty when a recent enough kubectl answers; otherwise why not. */
  private static Optional<String> probe() {
    Result r = run(List.of("kubectl", "version", "--client", "-o", "json"));
    if (r == null) {
      return Optional.of("no kubectl on the PATH");
    }
    if (r.exit != 0) {
      return Optional.of("`kubectl version --client` failed: " + r.err.strip());
    }
    try {
      JsonNode v = new ObjectMapper().readTree(r.out);
      String minor = v.path("clientVersion").path("minor").asText().replaceAll("\\D", "");
      if (minor.isEmpty() || Integer.parseInt(minor) < MIN_MINOR) {
        return Optional.of("found kubectl " + v.path("clientVersion").path("gitVersion").asText());
      }
    } catch (IOException | NumberFormatException e) {
      return Optional.of("unreadable `kubectl version` output: " + r.out);
    }
    return Optional.empty();
  }

  /** The objects an overlay (or any kustomization directory) renders to. */
  static List<JsonNode> render(Path dir) {
    Result r = run(List.of("kubectl", "kustomize", dir.toString()));
    if (r == null || r.exit != 0) {
      throw new AssertionError("kubectl kustomize " + OpsFiles.relative(dir) + " failed: "
          + (r == null ? "kubectl did not run" : r.err.strip()));
    }
    return Yaml.documents(r.out);
  }

  private record Result(int exit, String out, String err) {}

  private static Result run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).start();
      // Both pipes drained concurrently: a large rendering must not block on a full buffer.
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
      if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "", String.join(" ", command) + " did not finish within " + TIMEOUT_S + " s");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      return null; // not on the PATH
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String drain(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
