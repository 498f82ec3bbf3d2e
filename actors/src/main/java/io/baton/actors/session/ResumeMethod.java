package io.baton.actors.session;

/** How an attempt starts: from scratch, from a KV checkpoint, or by recomputing the prefix. */
public enum ResumeMethod {
  FRESH,
  KV_RESTORE,
  RECOMPUTE
}
