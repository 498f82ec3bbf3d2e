package io.baton.orchestrator.formation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.persistence.BatonConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node's address and seeds, from a seed list (bare metal, env vars as comma-separated strings) or
 * from a StatefulSet's stable DNS names, where every pod must compute the same list, pod 0 first.
 */
class ClusterFormationTest {
  private static final String CLUSTER = "baton.orchestrator.cluster.";

  private static ClusterFormation formation(Map<String, Object> overrides) {
    return ClusterFormation.fromConfig(BatonConfig.load(ConfigFactory.parseMap(overrides)));
  }

  private static ClusterFormation statefulSet(String pod, Map<String, Object> overrides) {
    Map<String, Object> all = new HashMap<>(Map.of(CLUSTER + "formation", "statefulset",
        "baton.orchestrator.node-id", pod));
    all.putAll(overrides);
    return formation(all);
  }

  @Test
  void theDefaultIsASeedListWithoutSeedsSoTheNodeFormsItsOwnCluster() {
    ClusterFormation f = formation(Map.of());
    assertEquals("seed-list", f.mode());
    assertEquals(List.of(), f.seeds());
    assertEquals("127.0.0.1", f.hostname());
    assertEquals(2551, f.port());
    assertEquals(List.of("orchestrator", "worker"), f.roles());
  }

  @Test
  void seedsAndRolesMayBeListsInConfig() {
    ClusterFormation f = formation(Map.of(
        CLUSTER + "seed-nodes", List.of("pekko://baton@10.0.0.1:2551", "pekko://baton@10.0.0.2:2551"),
        CLUSTER + "roles", List.of("worker"),
        CLUSTER + "hostname", "10.0.0.3"));
    assertEquals(List.of("pekko://baton@10.0.0.1:2551", "pekko://baton@10.0.0.2:2551"), f.seeds());
    assertEquals(List.of("worker"), f.roles());
    assertEquals("10.0.0.3", f.hostname());
  }

  @Test
  void seedsAndRolesMayBeCommaSeparatedStringsAsEnvironmentVariablesGiveThem() {
    ClusterFormation f = formation(Map.of(
        CLUSTER + "seed-nodes", "pekko://baton@10.0.0.1:2551, pekko://baton@10.0.0.2:2551,",
        CLUSTER + "roles", "orchestrator"));
    assertEquals(List.of("pekko://baton@10.0.0.1:2551", "pekko://baton@10.0.0.2:2551"), f.seeds());
    assertEquals(List.of("orchestrator"), f.roles());
    assertEquals(List.of("orchestrator", "worker"), formation(Map.of(CLUSTER + "roles", "orchestrator,worker")).roles());
  }

  @Test
  void everyPodOfAStatefulSetComputesTheSameSeedsPodZeroFirst() {
    List<String> seeds = List.of(
        "pekko://baton@baton-0.baton-headless.default.svc.cluster.local:2551",
        "pekko://baton@baton-1.baton-headless.default.svc.cluster.local:2551",
        "pekko://baton@baton-2.baton-headless.default.svc.cluster.local:2551");
    for (String pod : List.of("baton-0", "baton-1", "baton-2")) {
      ClusterFormation f = statefulSet(pod, Map.of());
      assertEquals("statefulset", f.mode());
      assertEquals(seeds, f.seeds(), pod);
      assertEquals(pod + ".baton-headless.default.svc.cluster.local", f.hostname(), "its own stable DNS name");
    }
  }

  @Test
  void serviceNamespaceDomainPortAndReplicasShapeTheNames() {
    ClusterFormation f = statefulSet("gpu-fleet-1", Map.of(
        CLUSTER + "statefulset.service", "gpu-headless",
        CLUSTER + "statefulset.namespace", "inference",
        CLUSTER + "statefulset.domain", "corp.internal",
        CLUSTER + "statefulset.replicas", 2,
        CLUSTER + "port", 25520));
    assertEquals(List.of("pekko://baton@gpu-fleet-0.gpu-headless.inference.svc.corp.internal:25520",
        "pekko://baton@gpu-fleet-1.gpu-headless.inference.svc.corp.internal:25520"), f.seeds());
    assertEquals("gpu-fleet-1.gpu-headless.inference.svc.corp.internal", f.hostname());
    assertEquals(25520, f.port());
  }

  @Test
  void replicasMayComeAsAStringFromTheEnvironment() {
    assertEquals(5, statefulSet("baton-4", Map.of(CLUSTER + "statefulset.replicas", "5")).seeds().size());
  }

  @Test
  void pekkoBindsToTheHostnameUnlessABindHostnameIsSet() {
    Config own = statefulSet("baton-2", Map.of()).pekkoConfig();
    assertEquals("baton-2.baton-headless.default.svc.cluster.local", own.getString("pekko.remote.artery.bind.hostname"));
    Config any = statefulSet("baton-2", Map.of(CLUSTER + "bind-hostname", "0.0.0.0")).pekkoConfig();
    assertEquals("0.0.0.0", any.getString("pekko.remote.artery.bind.hostname"));
    assertEquals("baton-2.baton-headless.default.svc.cluster.local",
        any.getString("pekko.remote.artery.canonical.hostname"), "others still reach it by its DNS name");
  }

  @Test
  void pekkoConfigCarriesAddressSeedsAndRoles() {
    Config p = formation(Map.of(
        CLUSTER + "hostname", "10.0.0.3",
        CLUSTER + "port", 2552,
        CLUSTER + "seed-nodes", "pekko://baton@10.0.0.1:2551,pekko://baton@10.0.0.2:2551",
        CLUSTER + "roles", "worker")).pekkoConfig();
    assertEquals("10.0.0.3", p.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals(2552, p.getInt("pekko.remote.artery.canonical.port"));
    assertEquals("10.0.0.3", p.getString("pekko.remote.artery.bind.hostname"));
    assertEquals(List.of("pekko://baton@10.0.0.1:2551", "pekko://baton@10.0.0.2:2551"),
        p.getStringList("pekko.cluster.seed-nodes"));
    assertEquals(List.of("worker"), p.getStringList("pekko.cluster.roles"));
    assertEquals(List.of(), formation(Map.of()).pekkoConfig().getStringList("pekko.cluster.seed-nodes"));
  }

  @Test
  void aPodNameWithoutAnOrdinalIsRefusedNamingTheSetting() {
    for (String pod : List.of("baton", "baton-", "baton-a")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> statefulSet(pod, Map.of()));
      assertTrue(e.getMessage().contains("BATON_NODE_ID"), e::getMessage);
      assertTrue(e.getMessage().contains("'" + pod + "'"), e::getMessage);
    }
  }

  @Test
  void noReplicasIsRefusedNamingTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> statefulSet("baton-0", Map.of(CLUSTER + "statefulset.replicas", 0)));
    assertTrue(e.getMessage().contains("baton.orchestrator.cluster.statefulset.replicas (BATON_REPLICAS)"),
        e::getMessage);
    assertTrue(e.getMessage().endsWith("was 0"), e::getMessage);
  }

  @Test
  void anUnknownFormationIsRefusedNamingTheChoices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> formation(Map.of(CLUSTER + "formation", "kubernetes-api")));
    assertTrue(e.getMessage().contains("baton.orchestrator.cluster.formation (BATON_CLUSTER_FORMATION)"),
        e::getMessage);
    assertTrue(e.getMessage().contains("seed-list or statefulset"), e::getMessage);
    assertTrue(e.getMessage().contains("'kubernetes-api'"), e::getMessage);
  }
}
