package io.baton.persistence;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * For a node that runs no DDL at start: every table {@link Schema} would create, with every column,
 * must be there. The answer is what is missing, empty when the schema is current, so the node can
 * say in one line what to run instead of failing later on a query.
 */
public final class SchemaCheck {
  private static final Pattern TABLE = Pattern.compile("CREATE TABLE IF NOT EXISTS\\s+([\\w.]+)\\s*\\(",
      Pattern.CASE_INSENSITIVE);

  // A column added to an existing table (FileSchema's upgrades) is expected as well.
  private static final Pattern ADD = Pattern.compile("ALTER TABLE\\s+([\\w.]+)\\s+ADD\\s+(?:IF NOT EXISTS\\s+)?(\\w+)",
      Pattern.CASE_INSENSITIVE);

  private SchemaCheck() {}

  /** Each expected table ({@code keyspace.table}) with its column names, from the DDL itself. */
  static Map<String, List<String>> expected(List<String> statements) {
    Map<String, List<String>> tables = new LinkedHashMap<>();
    for (String statement : statements) {
      Matcher m = TABLE.matcher(statement);
      if (m.find()) {
        tables.put(m.group(1).toLowerCase(), columns(statement.substring(m.end())));
      }
      Matcher add = ADD.matcher(statement);
      if (add.find()) {
        List<String> columns = tables.get(add.group(1).toLowerCase());
        String column = add.group(2).toLowerCase();
        if (columns != null && !columns.contains(column)) {
          columns.add(column);
        }
      }
    }
    return tables;
  }

  /** The column names of a table body: its top-level comma-separated parts, less the key clause. */
  static List<String> columns(String body) {
    List<String> names = new ArrayList<>();
    int depth = 0;
    StringBuilder part = new StringBuilder();
    for (char c : body.toCharArray()) {
      if (depth == 0 && (c == ',' || c == ')')) {
        String p = part.toString().trim();
        if (!p.isEmpty() && !p.toUpperCase().startsWith("PRIMARY KEY")) {
          names.add(p.split("\\s+")[0].toLowerCase());
        }
        part.setLength(0);
        if (c == ')') {
          break;
        }
        continue;
      }
      depth += (c == '(' || c == '<') ? 1 : (c == ')' || c == '>') ? -1 : 0;
      part.append(c);
    }
    return names;
  }

  /** What is missing: "table k.t" or "column k.t.c", in DDL order; empty when current. */
  public static CompletionStage<List<String>> missing(ClassicActorSystemProvider system) {
    CassandraSession session = Schema.session(system);
    List<CompletableFuture<List<String>>> checks = new ArrayList<>();
    for (Map.Entry<String, List<String>> table : expected(Schema.statements(system)).entrySet()) {
      String[] name = table.getKey().split("\\.");
      checks.add(session.selectAll("SELECT column_name FROM system_schema.columns WHERE keyspace_name = ?"
              + " AND table_name = ?", name[0], name[1])
          .thenApply(rows -> {
            Set<String> present = rows.stream().map(r -> r.getString("column_name")).collect(Collectors.toSet());
            if (present.isEmpty()) {
              return List.of("table " + table.getKey());
            }
            return table.getValue().stream().filter(c -> !present.contains(c))
                .map(c -> "column " + table.getKey() + "." + c).toList();
          }).toCompletableFuture());
    }
    return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
        .thenApply(done -> checks.stream().flatMap(c -> c.join().stream()).toList());
  }
}
