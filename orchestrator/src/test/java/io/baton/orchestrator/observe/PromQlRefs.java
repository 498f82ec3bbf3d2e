package io.baton.orchestrator.observe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a PromQL expression (or a Grafana {@code label_values(metric, label)} query) asks of the
 * scraped metrics: the metric names, the labels each selector matches on (with the value of each
 * {@code =} matcher), and the labels it groups or joins by. Enough of PromQL for the dashboards and
 * alerts Baton ships; not a validator of the language.
 */
record PromQlRefs(List<Selector> selectors, Set<String> groupingLabels) {
  /** A metric selector: {@code name{label="value", other=~"re"}}; {@code equal} holds the = matchers. */
  record Selector(String metric, Set<String> labels, Map<String, String> equal) {}

  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right", "and", "or", "unless", "bool", "offset",
      // aggregations, which may stand before their "by (...)" instead of their "(":
      "sum", "min", "max", "avg", "count", "group", "stddev", "stdvar", "topk", "bottomk", "quantile",
      "count_values");
  private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
  private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\(\\s*([^,]+?)\\s*,\\s*(\\w+)\\s*\\)\\s*$");
  private static final Pattern TOKEN = Pattern.compile(
      "\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|\\[[^\\]]*\\]|[A-Za-z_:][A-Za-z0-9_:]*|=~|!~|!=|==|>=|<=|[0-9.]+[a-z]*|.)");

  static PromQlRefs parse(String expression) {
    // Grafana's own variables stand for durations; the dashboard's ($node) only ever appear in strings.
    String e = expression.replaceAll("\\$__(rate_interval|interval|range)", "5m");
    Matcher lv = LABEL_VALUES.matcher(e);
    if (lv.matches()) {
      PromQlRefs inner = parse(lv.group(1));
      Set<String> grouping = new LinkedHashSet<>(inner.groupingLabels());
      grouping.add(lv.group(2));
      return new PromQlRefs(inner.selectors(), grouping);
    }
    List<String> tokens = tokens(e);
    List<Selector> selectors = new ArrayList<>();
    Set<String> grouping = new LinkedHashSet<>();
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      String next = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
      if (!isIdentifier(t)) {
        continue;
      }
      if (GROUPING.contains(t)) {
        if (next.equals("(")) {
          i = labelList(tokens, i + 2, grouping);
        }
      } else if (KEYWORDS.contains(t) || next.equals("(")) {
        continue; // a keyword, a function or an aggregation
      } else if (next.equals("{")) {
        Set<String> labels = new LinkedHashSet<>();
        Map<String, String> equal = new HashMap<>();
        i = matchers(tokens, i + 2, labels, equal);
        selectors.add(new Selector(t, labels, equal));
      } else {
        selectors.add(new Selector(t, Set.of(), Map.of()));
      }
    }
    return new PromQlRefs(selectors, grouping);
  }

  private static int labelList(List<String> tokens, int from, Set<String> into) {
    int i = from;
    for (; i < tokens.size() && !tokens.get(i).equals(")"); i++) {
      if (isIdentifier(tokens.get(i))) {
        into.add(tokens.get(i));
      }
    }
    return i;
  }

  private static int matchers(List<String> tokens, int from, Set<String> labels, Map<String, String> equal) {
    int i = from;
    while (i < tokens.size() && !tokens.get(i).equals("}")) {
      String t = tokens.get(i);
      if (isIdentifier(t) && i + 2 < tokens.size()) {
        labels.add(t);
        if (tokens.get(i + 1).equals("=")) {
          equal.put(t, unquote(tokens.get(i + 2)));
        }
        i += 3;
      } else {
        i++;
      }
    }
    return i;
  }

  private static List<String> tokens(String e) {
    List<String> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(e);
    while (m.lookingAt()) {
      String t = m.group(1);
      if (!t.startsWith("[")) { // a range or a subquery: durations only
        out.add(t);
      }
      m.region(m.end(), e.length());
    }
    return out;
  }

  private static boolean isIdentifier(String t) {
    return !t.isEmpty() && (Character.isLetter(t.charAt(0)) || t.charAt(0) == '_' || t.charAt(0) == ':');
  }

  private static String unquote(String t) {
    return t.length() >= 2 && (t.startsWith("\"") || t.startsWith("'")) ? t.substring(1, t.length() - 1) : t;
  }
}
