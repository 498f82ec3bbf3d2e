package io.baton.actors.worker;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Maps XID codes to their {@link XidClass}. The table is data (xid-catalog.conf) rather than code,
 * so following NVIDIA's catalog means editing one list, and a code can never be in two classes.
 */
public final class XidCatalog {
  static final String PATH = "baton.actors.worker.xid-catalog";

  private static final XidCatalog DEFAULT = fromConfig(ConfigFactory.parseResources("xid-catalog.conf"));

  private final Map<Integer, XidClass> classes;

  private XidCatalog(Map<Integer, XidClass> classes) {
    this.classes = Map.copyOf(classes);
  }

  /** The catalog shipped in xid-catalog.conf. */
  public static XidCatalog standard() {
    return DEFAULT;
  }

  /** Reads {@code baton.actors.worker.xid-catalog}: one list of codes per class id. */
  public static XidCatalog fromConfig(Config root) {
    Config c = root.getConfig(PATH);
    Map<Integer, XidClass> classes = new HashMap<>();
    for (XidClass xidClass : XidClass.values()) {
      if (xidClass == XidClass.UNKNOWN || !c.hasPath(xidClass.id())) {
        continue;
      }
      for (int code : c.getIntList(xidClass.id())) {
        XidClass previous = classes.put(code, xidClass);
        if (previous != null) {
          throw new IllegalArgumentException(
              "XID " + code + " is listed as both " + previous.id() + " and " + xidClass.id());
        }
      }
    }
    for (String key : c.root().keySet()) {
      // A misspelt class would otherwise silently turn its codes into UNKNOWN.
      if (!knownId(key)) {
        throw new IllegalArgumentException("unknown XID class '" + key + "' in " + PATH);
      }
    }
    return new XidCatalog(classes);
  }

  public XidClass classify(int code) {
    return classes.getOrDefault(code, XidClass.UNKNOWN);
  }

  /**
   * The code as a metric label: a catalogued code is itself, any other is "other", so a flood of
   * made-up codes (from a driver or a caller of /admin/chaos) cannot grow the label set without bound.
   */
  public String label(int code) {
    return classes.containsKey(code) ? String.valueOf(code) : "other";
  }

  private static boolean knownId(String id) {
    for (XidClass xidClass : XidClass.values()) {
      if (xidClass != XidClass.UNKNOWN && xidClass.id().equals(id)) {
        return true;
      }
    }
    return false;
  }
}
