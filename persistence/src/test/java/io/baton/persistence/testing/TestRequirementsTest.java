package io.baton.persistence.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** A missing requirement skips a contributor's test, fails CI's, and names what to install either way. */
class TestRequirementsTest {

  @Test
  void aMissingRequirementSkipsOutsideCiAndFailsUnderCi() {
    String need = "needs a widget: apt-get install widget";
    assertDoesNotThrow(() -> TestRequirements.require(true, need, true));
    TestAbortedException skipped = assertThrows(TestAbortedException.class,
        () -> TestRequirements.require(false, need, false));
    assertTrue(skipped.getMessage().contains("apt-get install widget"), skipped.getMessage());
    AssertionError failed = assertThrows(AssertionError.class, () -> TestRequirements.require(false, need, true));
    assertTrue(failed.getMessage().contains("apt-get install widget") && failed.getMessage().contains("CI=true"),
        failed.getMessage());
  }

  @Test
  void nodeVersionsAreReadByTheirMajor() {
    assertEquals(20, TestRequirements.nodeMajor("v20.20.2\n"));
    assertEquals(18, TestRequirements.nodeMajor("v18.19.0"));
    assertEquals(22, TestRequirements.nodeMajor("22"));
    assertEquals(0, TestRequirements.nodeMajor("command not found"));
  }
}
