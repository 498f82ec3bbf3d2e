package io.baton.persistence.files;

import io.baton.persistence.PersistenceSettings;
import java.util.List;

/**
 * The file store's tables. A file's bytes are split into chunks of at most
 * {@link FileStore#CHUNK_BYTES}, one partition per chunk, so a 100 MB file is a hundred-odd small
 * partitions spread over the ring rather than one huge one. The {@code files} row is written last:
 * a file is listed only once every chunk is stored.
 */
public final class FileSchema {
  public static final String FILES = "files";
  public static final String CHUNKS = "file_chunks";
  /** Batches by creation time, newest first, for {@code GET /v1/batches}; one partition (dev scale). */
  public static final String BATCH_INDEX = "batch_index";

  private FileSchema() {}

  public static String files(PersistenceSettings s) {
    return s.dataKeyspace() + "." + FILES;
  }

  public static String chunks(PersistenceSettings s) {
    return s.dataKeyspace() + "." + CHUNKS;
  }

  public static String batchIndex(PersistenceSettings s) {
    return s.dataKeyspace() + "." + BATCH_INDEX;
  }

  public static List<String> statements(PersistenceSettings s) {
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + files(s) + " (id text PRIMARY KEY, purpose text, filename text, "
            + "bytes bigint, chunks int, created_at timestamp, owner text)",
        // Tables created before tenants were recorded get the column; their rows read as the default tenant.
        "ALTER TABLE " + files(s) + " ADD IF NOT EXISTS owner text",
        "CREATE TABLE IF NOT EXISTS " + chunks(s) + " (file_id text, chunk int, data blob, "
            + "PRIMARY KEY ((file_id, chunk)))",
        "CREATE TABLE IF NOT EXISTS " + batchIndex(s) + " (bucket int, created_at timestamp, id text, "
            + "PRIMARY KEY (bucket, created_at, id)) WITH CLUSTERING ORDER BY (created_at DESC, id ASC)",
        "ALTER TABLE " + batchIndex(s) + " ADD IF NOT EXISTS tenant text");
  }
}
