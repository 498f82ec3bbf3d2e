package io.baton.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replication per datacenter ("dc1:3,dc2:3") picks NetworkTopologyStrategy for new keyspaces, and
 * list settings may come from the environment as one comma-separated string.
 */
class PersistenceSettingsReplicationTest {

  private static PersistenceSettings settings(Map<String, Object> overrides) {
    return PersistenceSettings.fromConfig(BatonConfig.load(ConfigFactory.parseMap(overrides)));
  }

  @Test
  void datacentersKeepTheirOrderAndFactors() {
    Map<String, Integer> factors = PersistenceSettings.replication("dc2:3, dc1:5 ,eu-west.a:2");
    assertEquals(List.of("dc2", "dc1", "eu-west.a"), List.copyOf(factors.keySet()));
    assertEquals(List.of(3, 5, 2), List.copyOf(factors.values()));
  }

  @Test
  void aBlankSpecMeansSimpleStrategy() {
    assertTrue(PersistenceSettings.replication("").isEmpty());
    assertTrue(PersistenceSettings.replication("  ").isEmpty());
    assertTrue(settings(Map.of()).datacenterReplication().isEmpty(), "the shipped default");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dc1", "dc1:0", "dc1:x", ":3", "dc1:3:1", "dc1:-1", "dc 1:3"})
  void aMalformedEntryIsRefusedShowingTheFormat(String spec) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PersistenceSettings.replication("dc0:1," + spec));
    assertTrue(e.getMessage().contains("'dc1:3,dc2:3' (datacenter:replicas)"), e::getMessage);
    assertTrue(e.getMessage().endsWith("got '" + spec.trim() + "'"), e::getMessage);
  }

  @Test
  void withoutDatacentersKeyspacesUseSimpleStrategyWithTheReplicationFactor() {
    assertEquals("CREATE KEYSPACE IF NOT EXISTS baton WITH replication = {'class': 'SimpleStrategy',"
            + " 'replication_factor': 3}",
        Schema.keyspaceStatement("baton", settings(Map.of("baton.persistence.replication-factor", 3))));
  }

  @Test
  void datacenterReplicationWinsOverTheReplicationFactor() {
    PersistenceSettings s = settings(Map.of("baton.persistence.replication", "dc1:3,dc2:2",
        "baton.persistence.replication-factor", 5));
    assertEquals("CREATE KEYSPACE IF NOT EXISTS baton_journal WITH replication = {'class':"
        + " 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2}", Schema.keyspaceStatement("baton_journal", s));
  }

  @Test
  void aListSettingReadsAsAListOrAsACommaSeparatedString() {
    Config list = ConfigFactory.parseMap(Map.of("points", List.of("a:9042", "b:9042")));
    assertEquals(List.of("a:9042", "b:9042"), BatonConfig.stringList(list, "points"));
    Config string = ConfigFactory.parseMap(Map.of("points", " a:9042 ,, b:9042,  ,c:9042, "));
    assertEquals(List.of("a:9042", "b:9042", "c:9042"), BatonConfig.stringList(string, "points"));
    assertEquals(List.of(), BatonConfig.stringList(ConfigFactory.parseMap(Map.of("points", "")), "points"));
    assertEquals(List.of(), BatonConfig.stringList(ConfigFactory.parseMap(Map.of("points", List.of())), "points"));
  }

  @Test
  void contactPointsFromAnEnvironmentStyleStringBecomeAList() {
    PersistenceSettings s = settings(Map.of("baton.persistence.contact-points", "10.0.0.5:9042, 10.0.0.6:9042"));
    assertEquals(List.of("10.0.0.5:9042", "10.0.0.6:9042"), s.contactPoints());
    assertFalse(s.usesEmbeddedCassandra());
    assertTrue(settings(Map.of("baton.persistence.contact-points", "")).usesEmbeddedCassandra());
  }
}
