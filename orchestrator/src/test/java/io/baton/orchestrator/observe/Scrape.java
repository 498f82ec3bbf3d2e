package io.baton.orchestrator.observe;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A Prometheus text scrape, as the metric contract needs it: each sample name ({@code _bucket},
 * {@code _count} and {@code _sum} are names of their own, as PromQL sees them) with the label names
 * and values its series carry.
 */
final class Scrape {
  private final Map<String, Map<String, Set<String>>> labels = new HashMap<>();

  Scrape(String text) {
    for (String line : text.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        sample(line.trim());
      }
    }
  }

  boolean has(String metric) {
    return labels.containsKey(metric);
  }

  Set<String> labelsOf(String metric) {
    return labels.getOrDefault(metric, Map.of()).keySet();
  }

  Set<String> valuesOf(String metric, String label) {
    return labels.getOrDefault(metric, Map.of()).getOrDefault(label, Set.of());
  }

  private void sample(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    String name = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
    Map<String, Set<String>> series = labels.computeIfAbsent(name, n -> new HashMap<>());
    if (brace < 0 || brace > space) {
      return;
    }
    // name{a="x",b="y \"quoted\""} value: label values may hold escaped quotes, commas and braces.
    int i = brace + 1;
    while (i < line.length() && line.charAt(i) != '}') {
      int eq = line.indexOf('=', i);
      String label = line.substring(i, eq).trim();
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      for (; line.charAt(j) != '"'; j++) {
        if (line.charAt(j) == '\\') {
          j++;
        }
        value.append(line.charAt(j));
      }
      series.computeIfAbsent(label, l -> new HashSet<>()).add(value.toString());
      i = j + 1;
      if (i < line.length() && line.charAt(i) == ',') {
        i++;
      }
    }
  }
}
