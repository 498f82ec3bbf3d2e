package io.baton.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.actors.ActorsSettings;
import io.baton.actors.Timing;
import io.baton.orchestrator.fleet.FleetTiming;
import io.baton.persistence.BatonConfig;
import io.baton.workers.WorkersSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Timeouts come from configuration, and a setting that breaks a relation stops the node with one clear line. */
class TimingRelationsTest {

  private static Config config(Map<String, Object> overrides) {
    return BatonConfig.load(ConfigFactory.parseMap(overrides));
  }

  private static void check(Config c) {
    TimingRelations.check(ActorsSettings.fromConfig(c), WorkersSettings.fromConfig(c));
  }

  @Test
  void theShippedSettingsHoldEveryRelation() {
    check(config(Map.of()));
  }

  @Test
  void aLeaseWithinTwoHeartbeatsIsRefusedNamingBothSettings() {
    Timing.InvalidTiming e = assertThrows(Timing.InvalidTiming.class, () -> check(config(Map.of(
        "baton.actors.session.lease", "1500ms", "baton.actors.session.grant-window", "1500ms"))));
    assertTrue(e.getMessage().contains("baton.actors.session.lease (1500 ms)"), e::getMessage);
    assertTrue(e.getMessage().contains("baton.workers.agent.runner.heartbeat-interval (1000 ms)"), e::getMessage);
  }

  @Test
  void aGrantWindowLongerThanTheLeaseIsRefusedWhenTheSettingsAreRead() {
    Timing.InvalidTiming e = assertThrows(Timing.InvalidTiming.class, () -> ActorsSettings.fromConfig(config(Map.of(
        "baton.actors.session.lease", "4s", "baton.actors.session.grant-window", "5s"))));
    assertTrue(e.getMessage().contains("grant-window (5000 ms) must not exceed baton.actors.session.lease (4000 ms)"),
        e::getMessage);
  }

  @Test
  void anAckTimeoutBeyondTheLeaseIsRefused() {
    Timing.InvalidTiming e = assertThrows(Timing.InvalidTiming.class,
        () -> check(config(Map.of("baton.workers.agent.runner.ack-timeout", "12s"))));
    assertTrue(e.getMessage().contains("ack-timeout (12000 ms)"), e::getMessage);
  }

  @Test
  void theShippedReadinessTimeoutLeavesRoomForTheJournalCheck() {
    TimingRelations.checkHealth(config(Map.of()));
  }

  @Test
  void aReadinessTimeoutNotAboveTheJournalCheckIsRefusedNamingBothSettings() {
    Timing.InvalidTiming e = assertThrows(Timing.InvalidTiming.class, () -> TimingRelations.checkHealth(config(Map.of(
        "pekko.management.health-checks.check-timeout", "2s",
        "pekko.persistence.cassandra.healthcheck.timeout", "2s"))));
    assertTrue(e.getMessage().contains("pekko.management.health-checks.check-timeout (2000 ms)"), e::getMessage);
    assertTrue(e.getMessage().contains("pekko.persistence.cassandra.healthcheck.timeout (2000 ms)"), e::getMessage);
    assertThrows(Timing.InvalidTiming.class, () -> TimingRelations.checkHealth(config(Map.of(
        "pekko.management.health-checks.check-timeout", "1s"))));
  }

  @Test
  void fleetWindowsStretchWithTheReportInterval() {
    FleetTiming shipped = FleetTiming.from(WorkersSettings.fromConfig(config(Map.of())).agent(), config(Map.of()));
    assertEquals(Duration.ofSeconds(3), shipped.reportStaleAfter());
    assertEquals(Duration.ofSeconds(1), shipped.stillTalking());
    assertEquals(Duration.ofSeconds(4), shipped.distrustAfterFreeze(), "detection 2.5 s + three reports");
    Config slow = config(Map.of("baton.workers.agent.report-interval", "1s"));
    FleetTiming stretched = FleetTiming.from(WorkersSettings.fromConfig(slow).agent(), slow);
    assertEquals(shipped.reportStaleAfter().multipliedBy(2), stretched.reportStaleAfter());
    assertEquals(shipped.promotePatience().multipliedBy(2), stretched.promotePatience());
  }
}
