package io.baton.orchestrator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.lang.reflect.Field;
import java.nio.Buffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where sharding remembers which sessions and batches run. Distributed data kept in LMDB is the
 * default: no Cassandra write stands between a new session and its entity. LMDB reads buffer
 * addresses by reflection, so its JVM needs {@link #JVM_FLAGS}; a JVM started without them would
 * exit on the first remembered entity, so such a node keeps them in the Cassandra journal instead
 * and says how to turn the faster store on.
 */
public final class RememberStore {
  private static final Logger log = LoggerFactory.getLogger(RememberStore.class);
  private static final String STORE = "pekko.cluster.sharding.remember-entities-store";

  /** What `./baton`, the local cluster's node JVMs and the tests start with. */
  public static final List<String> JVM_FLAGS = List.of(
      "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

  private RememberStore() {}

  /** {@code config} as it is when LMDB can run here, else with the journal store. */
  public static Config resolve(Config config) {
    if (!"ddata".equals(config.getString(STORE)) || lmdbUsable()) {
      return config;
    }
    log.warn("remembered sessions are kept in the Cassandra journal (one more write per new session): this JVM"
        + " was started without {}; add them to keep them in LMDB under baton.orchestrator.state-dir",
        String.join(" ", JVM_FLAGS));
    return config.withValue(STORE, ConfigValueFactory.fromAnyRef("eventsourced"));
  }

  private static boolean lmdbUsable() {
    try {
      Field address = Buffer.class.getDeclaredField("address");
      address.setAccessible(true);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
