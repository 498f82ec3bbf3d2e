package io.baton.actors.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.actors.session.ServiceClass;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Tenants from configuration, and a tenant's tokens-per-minute bucket on a clock the test moves. */
class TenantsTest {
  static Tenants parse(String conf) {
    return Tenants.fromConfig(ConfigFactory.parseString(conf).withFallback(ConfigFactory.defaultReference()).resolve());
  }

  @Test
  void anEntryFallsBackToTheDefaultsAndAnUnknownTenantTakesThem() {
    Tenants t = parse("baton.tenants { defaults.weight = 2, alice { weight = 3, tokens-per-minute = 600 },"
        + " bots { class = background } }");
    assertEquals(3, t.of("alice").weight());
    assertEquals(ServiceClass.INTERACTIVE, t.of("alice").serviceClass());
    assertEquals(600, t.of("alice").tokensPerMinute());
    assertEquals(ServiceClass.BACKGROUND, t.of("bots").serviceClass());
    assertEquals(2, t.of("bots").weight(), "from the defaults");
    assertEquals("carol", t.of("carol").name());
    assertEquals(2, t.of("carol").weight());
    assertEquals(0, t.of("carol").tokensPerMinute(), "unlimited");
  }

  @Test
  void aBadEntryStopsTheNodeNamingIt() {
    IllegalArgumentException cls = assertThrows(IllegalArgumentException.class,
        () -> parse("baton.tenants.alice.class = urgent"));
    assertTrue(cls.getMessage().contains("baton.tenants.alice.class"), cls.getMessage());
    IllegalArgumentException weight = assertThrows(IllegalArgumentException.class,
        () -> parse("baton.tenants.alice.weight = 0"));
    assertTrue(weight.getMessage().contains("baton.tenants.alice"), weight.getMessage());
  }

  @Test
  void aBucketRefillsContinuouslyAndSaysWhenARequestWouldFit() {
    AtomicLong now = new AtomicLong(0);
    TokenBuckets buckets = new TokenBuckets(parse("baton.tenants.alice.tokens-per-minute = 600"), now::get);
    assertTrue(buckets.draw("alice", 400).taken());
    TokenBuckets.Draw refused = buckets.draw("alice", 400);
    assertFalse(refused.taken());
    assertEquals(200, refused.remaining(), "a refused draw takes nothing");
    assertEquals(600, refused.limit());
    // 600 a minute is 10 a second: the missing 200 come in 20 s, the bucket is full in 40 s.
    assertEquals(Duration.ofSeconds(20), refused.untilEnough());
    assertEquals(Duration.ofSeconds(40), refused.untilFull());
    now.addAndGet(Duration.ofSeconds(20).toNanos());
    assertTrue(buckets.draw("alice", 400).taken());
    now.addAndGet(Duration.ofHours(1).toNanos());
    assertEquals(600, buckets.remaining("alice"), "never more than a minute's worth");
    assertTrue(buckets.draw("bob", 1_000_000).taken(), "a tenant without a limit");
    assertEquals(-1, buckets.remaining("bob"));
  }

  @Test
  void aRequestMayAskForALowerClassNeverAHigherOne() {
    Tenants tenants = parse("baton.tenants.jobs.class = batch");
    SessionPrompts prompts = new SessionPrompts(SessionPromptsTest.CATALOG, tenants, 50);
    SessionRequest lower = SessionPromptsTest.response("m", "Hi", null, 8).withPriority(ServiceClass.BACKGROUND);
    assertEquals(ServiceClass.BACKGROUND, ((Result.Ok<SessionService.Prepared>) prompts.prepare(lower, "jobs", null,
        null, 1)).value().spec().serviceClass());
    SessionRequest higher = lower.withPriority(ServiceClass.INTERACTIVE);
    Result<SessionService.Prepared> refused = prompts.prepare(higher, "jobs", null, null, 1);
    assertEquals("priority", ((Result.Refused<SessionService.Prepared>) refused).refusal().param());
    assertEquals(ServiceClass.BATCH, ((Result.Ok<SessionService.Prepared>) prompts.prepare(
        SessionPromptsTest.response("m", "Hi", null, 8), "alice", null, "batch_x", 1)).value().spec().serviceClass(),
        "a batch line runs as batch");
  }
}
