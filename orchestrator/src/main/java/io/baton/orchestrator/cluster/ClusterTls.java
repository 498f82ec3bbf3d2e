package io.baton.orchestrator.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Cluster transport security: with {@code baton.orchestrator.cluster.tls.enabled}, Artery runs
 * over TLS 1.3 and both sides of every connection must present a certificate from the trust store
 * (mutual authentication), so a process without the cluster's key cannot join or send a message.
 * {@link #generate} makes a throwaway key pair and trust store with the JDK's keytool, for local
 * clusters; production brings its own files.
 */
public final class ClusterTls {
  private static final String PATH = "baton.orchestrator.cluster.tls";

  /** A key store, the trust store that accepts it, and their password. */
  public record Material(Path keyStore, Path trustStore, String password) {
    /** The environment a node reads them from (reference.conf substitutes these). */
    public Map<String, String> environment() {
      return Map.of("BATON_CLUSTER_TLS", "on", "BATON_TLS_KEY_STORE", keyStore.toString(),
          "BATON_TLS_TRUST_STORE", trustStore.toString(), "BATON_TLS_PASSWORD", password);
    }
  }

  private ClusterTls() {}

  /** {@code config} with Artery's transport set from Baton's TLS section; unchanged when TLS is off. */
  public static Config apply(Config config) {
    Config tls = config.getConfig(PATH);
    if (!tls.getBoolean("enabled")) {
      return config;
    }
    Path keyStore = Path.of(tls.getString("key-store"));
    Path trustStore = Path.of(tls.getString("trust-store"));
    for (Path store : List.of(keyStore, trustStore)) {
      if (!Files.isReadable(store)) {
        throw new IllegalStateException(PATH + " is on, but the store " + store + " cannot be read; set "
            + PATH + ".key-store and .trust-store (BATON_TLS_KEY_STORE, BATON_TLS_TRUST_STORE) to PKCS12 files");
      }
    }
    String password = tls.getString("password");
    Map<String, Object> artery = Map.of(
        "pekko.remote.artery.transport", "tls-tcp",
        "pekko.remote.artery.ssl.config-ssl-engine.key-store", keyStore.toString(),
        "pekko.remote.artery.ssl.config-ssl-engine.trust-store", trustStore.toString(),
        "pekko.remote.artery.ssl.config-ssl-engine.key-store-password", password,
        "pekko.remote.artery.ssl.config-ssl-engine.key-password", password,
        "pekko.remote.artery.ssl.config-ssl-engine.trust-store-password", password,
        "pekko.remote.artery.ssl.config-ssl-engine.require-mutual-authentication", "on");
    return ConfigFactory.parseMap(artery).withFallback(config);
  }

  /**
   * A fresh key pair (self-signed, EC P-256, valid 30 days) in {@code dir/cluster-key.p12} and a
   * trust store holding its certificate in {@code dir/cluster-trust.p12}: every node of one local
   * cluster presents the same certificate, and trusts only it.
   */
  public static Material generate(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    String password = HexFormat.of().formatHex(secret);
    Path key = dir.resolve("cluster-key.p12").toAbsolutePath();
    Path cert = dir.resolve("cluster.crt").toAbsolutePath();
    Path trust = dir.resolve("cluster-trust.p12").toAbsolutePath();
    for (Path p : List.of(key, cert, trust)) {
      Files.deleteIfExists(p);
    }
    keytool("-genkeypair", "-alias", "baton", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "30",
        "-dname", "CN=baton-local-cluster", "-storetype", "PKCS12", "-keystore", key.toString(),
        "-storepass", password, "-keypass", password);
    keytool("-exportcert", "-alias", "baton", "-keystore", key.toString(), "-storepass", password,
        "-file", cert.toString());
    keytool("-importcert", "-noprompt", "-alias", "baton", "-file", cert.toString(), "-storetype", "PKCS12",
        "-keystore", trust.toString(), "-storepass", password);
    return new Material(key, trust, password);
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> command = new ArrayList<>(List.of(keytool.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + output.strip());
    }
  }
}
