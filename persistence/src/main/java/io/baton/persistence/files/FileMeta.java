package io.baton.persistence.files;

import java.time.Instant;

/**
 * A stored file as OpenAI's file object describes it.
 *
 * @param owner the tenant (API key name) that uploaded it, or whose batch wrote it: the only one that
 *     sees it. Files stored before owners were recorded belong to {@link #DEFAULT_OWNER}.
 */
public record FileMeta(String id, String purpose, String filename, long bytes, int chunks, Instant createdAt,
    String owner) {
  public static final String DEFAULT_OWNER = "default";
}
