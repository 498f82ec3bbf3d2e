package io.baton.persistence.kv;

import io.baton.persistence.PersistenceSettings;
import java.util.List;

/**
 * The {@code kv_blocks} table. The partition key is {@code (model, hash)}: the hash already covers
 * the model, but keeping the model in the key means two models can never share a row even if a
 * caller's hash leaves the model out, and every query names the model it restores for. One block
 * per partition keeps partitions tiny and spreads a chain over the whole ring.
 *
 * <p>No {@code default_time_to_live}: every write sets its TTL ({@code baton.persistence.kv-blocks.ttl}),
 * so changing the setting applies to new writes without a schema change.
 */
public final class KvBlockSchema {
  public static final String TABLE = "kv_blocks";

  private KvBlockSchema() {}

  public static String table(PersistenceSettings settings) {
    return settings.dataKeyspace() + "." + TABLE;
  }

  public static List<String> statements(PersistenceSettings settings) {
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + table(settings) + " ("
            + "model text, hash text, parent_hash text, tokens list<int>, payload blob, "
            + "PRIMARY KEY ((model, hash)))");
  }
}
