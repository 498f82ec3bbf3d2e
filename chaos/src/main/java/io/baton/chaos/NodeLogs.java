package io.baton.chaos;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The nodes' logs, read from where each scenario began: a node's log file is appended to across
 * restarts and scenarios, so a mark (the file's length) taken at the start of a scenario separates
 * its lines from earlier ones.
 */
final class NodeLogs {
  private NodeLogs() {}

  static Map<String, Long> mark(Map<String, Path> files) {
    Map<String, Long> out = new HashMap<>();
    files.forEach((node, file) -> {
      try {
        out.put(node, Files.exists(file) ? Files.size(file) : 0L);
      } catch (IOException e) {
        out.put(node, 0L);
      }
    });
    return out;
  }

  /** Each node's log text since its mark (a file that shrank is read from the start). */
  static Map<String, String> since(Map<String, Path> files, Map<String, Long> marks) {
    Map<String, String> out = new HashMap<>();
    files.forEach((node, file) -> {
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
        long from = marks.getOrDefault(node, 0L);
        if (from > f.length()) {
          from = 0;
        }
        byte[] bytes = new byte[(int) Math.min(Integer.MAX_VALUE - 16, f.length() - from)];
        f.seek(from);
        f.readFully(bytes);
        out.put(node, new String(bytes, StandardCharsets.UTF_8));
      } catch (IOException e) {
        out.put(node, "");
      }
    });
    return out;
  }

  /** "node: line" for every line matching {@code pattern}. */
  static List<String> matching(Map<String, String> logs, Pattern pattern) {
    List<String> out = new ArrayList<>();
    logs.forEach((node, text) -> text.lines().filter(l -> pattern.matcher(l).find())
        .forEach(l -> out.add(node + ": " + (l.length() > 300 ? l.substring(0, 300) + "..." : l))));
    return out;
  }
}
