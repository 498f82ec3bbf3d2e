package io.baton.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;

/**
 * This JVM's live objects by class (the JDK's {@code GC.class_histogram} diagnostic command, which
 * runs a full GC first), and the difference between two of them: what a phase added, class by
 * class, so a per-stream heap figure comes with where it goes.
 */
record HeapHistogram(Map<String, Long> bytesByClass) {

  static HeapHistogram take() {
    try {
      Object text = ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      Map<String, Long> bytes = new HashMap<>();
      for (String line : ((String) text).lines().toList()) {
        // "   1:        12345       67890  java.lang.String (java.base@17)"
        String[] cols = line.trim().split("\\s+");
        if (cols.length >= 4 && cols[0].endsWith(":")) {
          bytes.merge(cols[3], Long.parseLong(cols[2]), Long::sum);
        }
      }
      return new HeapHistogram(Map.copyOf(bytes));
    } catch (Exception e) {
      throw new IllegalStateException("could not take a class histogram of this JVM: " + e, e);
    }
  }

  /** The classes that grew most from {@code before} to this one, as table rows per {@code perUnit} units. */
  List<String> growthTable(HeapHistogram before, int perUnit, int top) {
    List<Map.Entry<String, Long>> grown = new ArrayList<>();
    bytesByClass.forEach((cls, b) -> grown.add(Map.entry(cls, b - before.bytesByClass.getOrDefault(cls, 0L))));
    grown.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    long total = grown.stream().mapToLong(Map.Entry::getValue).sum();
    List<String> out = new ArrayList<>(List.of("| class | grew by, MiB | bytes per open stream |", "|---|---:|---:|"));
    for (Map.Entry<String, Long> e : grown.subList(0, Math.min(top, grown.size()))) {
      out.add(String.format("| `%s` | %.1f | %d |", e.getKey(), e.getValue() / 1048576.0, e.getValue() / perUnit));
    }
    out.add(String.format("| all classes | %.1f | %d |", total / 1048576.0, total / perUnit));
    return out;
  }
}
