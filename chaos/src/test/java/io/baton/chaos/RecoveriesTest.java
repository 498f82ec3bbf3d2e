package io.baton.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** How invariant 5 reads the time of a node's downing from the nodes' log lines. */
class RecoveriesTest {

  @Test
  void aLogTimeIsReadAsAnIsoInstantOrAsATimeOfDayOnTheFaultsDate() {
    Instant fault = Instant.parse("2026-11-28T13:59:20Z");
    assertEquals(Instant.parse("2026-11-28T13:59:31.040Z"), Recoveries.logTime("2026-11-28T13:59:31.040Z", fault));
    assertEquals(Instant.parse("2026-11-28T13:59:31.040Z"),
        Recoveries.logTime("2026-11-28T14:59:31.040+01:00", fault));
    ZoneId zone = ZoneId.systemDefault();
    Instant local = LocalTime.parse("14:23:42").atDate(fault.atZone(zone).toLocalDate()).atZone(zone).toInstant();
    assertEquals(local, Recoveries.logTime("14:23:42", fault));
    assertNull(Recoveries.logTime("level=WARN", fault));
    assertNull(Recoveries.logTime("", fault));
  }
}
