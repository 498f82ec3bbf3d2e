package io.baton.actors.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class XidCatalogTest {

  @Test
  void theShippedCatalogFollowsTheDesign() {
    XidCatalog catalog = XidCatalog.standard();
    assertClass(catalog, XidClass.APP_FAULT, 13, 31, 43, 94);
    assertClass(catalog, XidClass.RESET_GPU, 46, 48, 62, 64, 95, 109, 119, 120, 136, 140);
    assertClass(catalog, XidClass.NODE_FATAL, 79, 74, 144, 145, 146, 147, 148, 149, 150);
    assertClass(catalog, XidClass.INFORMATIONAL, 63, 92, 154);
    assertClass(catalog, XidClass.SECONDARY, 45);
    assertClass(catalog, XidClass.UNKNOWN, 1, 143, 151, 10_000);
  }

  @Test
  void theMetricLabelOfAnUncataloguedCodeIsOther() {
    XidCatalog catalog = XidCatalog.standard();
    assertEquals("13", catalog.label(13));
    assertEquals("79", catalog.label(79));
    assertEquals("other", catalog.label(424242));
    assertEquals("other", catalog.label(-1));
  }

  @Test
  void aCodeInTwoClassesIsRefused() {
    var config = ConfigFactory.parseString(XidCatalog.PATH + " { app-fault = [13], reset-gpu = [13] }");
    assertThrows(IllegalArgumentException.class, () -> XidCatalog.fromConfig(config));
  }

  @Test
  void aMisspeltClassIsRefused() {
    var config = ConfigFactory.parseString(XidCatalog.PATH + " { reset_gpu = [48] }");
    assertThrows(IllegalArgumentException.class, () -> XidCatalog.fromConfig(config));
  }

  private static void assertClass(XidCatalog catalog, XidClass expected, int... codes) {
    for (int code : codes) {
      assertEquals(expected, catalog.classify(code), "XID " + code);
    }
  }
}
