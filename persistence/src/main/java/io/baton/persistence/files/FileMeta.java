package io.baton.persistence.files;

import java.time.Instant;

/** A stored file as OpenAI's file object describes it. */
public record FileMeta(String id, String purpose, String filename, long bytes, int chunks, Instant createdAt) {}
