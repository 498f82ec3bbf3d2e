package io.baton.workers.agent;

import io.baton.actors.session.SessionCommand.CheckpointKv;
import io.baton.actors.session.SessionCommand.Rejected;
import io.baton.persistence.kv.KvBlockStore;
import io.baton.persistence.kv.StoredBlock;
import io.baton.workers.engine.BlockHash;
import io.baton.workers.engine.Generation;
import io.baton.workers.engine.InferenceEngine;
import io.baton.workers.engine.KvBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * Checkpoints one attempt's KV cache, one batch of full blocks at a time.
 *
 * <ul>
 *   <li>Checkpoints cover durable tokens only: a block is exported once the session has acknowledged
 *       every token in it, so a checkpoint never names tokens the session could lose.
 *   <li>The blocks are written to the {@link KvBlockStore} before {@link CheckpointKv} is sent: the
 *       session's KvCheckpointed may only name blocks the store already holds.
 *   <li>A failed block write is retried with the next durable chunk; an unanswered CheckpointKv is
 *       resent unchanged. A rejection for a stale attempt or an ended session fences the runner;
 *       any other rejection turns checkpoints off for this attempt, which then just streams tokens.
 * </ul>
 */
final class KvCheckpointer {

  /** What the runner does after a message about a checkpoint. */
  enum Next {
    /** The checkpoint is still under way. */
    WAIT,
    /** No checkpoint is under way any more: carry on towards the attempt's end. */
    CARRY_ON,
    /** The session refused this attempt: stop as a fenced zombie. */
    FENCED
  }

  private final SessionLink link;
  /** Null: checkpoints are off. */
  private final KvBlockStore store;
  private final InferenceEngine engine;
  private final int promptLength;
  /** Tokens (prompt included) the session's checkpoint covers; a multiple of the block size. */
  private int checkpointUpto;
  private boolean checkpointing;
  private boolean disabled;
  /** When the CheckpointKv awaiting its answer was first sent. */
  private long firstSent;

  KvCheckpointer(SessionLink link, KvBlockStore store, InferenceEngine engine, int promptLength, int checkpointUpto) {
    this.link = link;
    this.store = store;
    this.engine = engine;
    this.promptLength = promptLength;
    this.checkpointUpto = checkpointUpto;
  }

  /** True while blocks are being written or a CheckpointKv awaits its answer. */
  boolean busy() {
    return checkpointing;
  }

  /** Forgets the checkpoint under way: the attempt is failing and its answer no longer matters. */
  void abandon() {
    checkpointing = false;
  }

  /** Starts writing the full blocks among the first {@code durable} generated tokens not yet checkpointed. */
  void maybeCheckpoint(Generation generation, int durable) {
    if (store == null || checkpointing || disabled) {
      return;
    }
    int durableBlocks = (promptLength + durable) / BlockHash.BLOCK_TOKENS;
    int checkpointed = checkpointUpto / BlockHash.BLOCK_TOKENS;
    if (durableBlocks <= checkpointed) {
      return;
    }
    List<KvBlock> exported = generation.exportBlocks(checkpointed);
    int count = Math.min(durableBlocks - checkpointed, exported.size());
    if (count <= 0) {
      return;
    }
    List<StoredBlock> blocks = new ArrayList<>(count);
    List<String> hashes = new ArrayList<>(count);
    for (KvBlock b : exported.subList(0, count)) {
      blocks.add(KvBlocks.toStored(b));
      hashes.add(b.hash());
    }
    int upto = (checkpointed + count) * BlockHash.BLOCK_TOKENS;
    checkpointing = true;
    // The blob first: KvCheckpointed may only name blocks the store already holds.
    link.context().pipeToSelf(store.putAll(engine.model().id(), blocks),
        (done, error) -> new SessionRunner.BlocksWritten(upto, List.copyOf(hashes), error));
  }

  /** WAIT while the CheckpointKv is in flight; CARRY_ON when the write failed (retried later). */
  Next onBlocksWritten(SessionRunner.BlocksWritten m) {
    if (m.error() != null) {
      link.log().warn("session {} attempt {}: KV block write failed, will retry: {}", link.sessionId(),
          link.attempt(), m.error().toString());
      checkpointing = false;
      return Next.CARRY_ON;
    }
    firstSent = System.nanoTime();
    sendCheckpoint(m.uptoToken(), m.hashes());
    return Next.WAIT;
  }

  private void sendCheckpoint(int upto, List<String> hashes) {
    link.ask(replyTo -> new CheckpointKv(link.attempt(), upto, hashes, replyTo),
        (reply, error) -> new SessionRunner.CheckpointResult(upto, hashes, reply, error));
  }

  /**
   * Records the session's answer. On CARRY_ON after an accepted checkpoint the runner calls
   * {@link #maybeCheckpoint} again, since more blocks may have become durable meanwhile.
   */
  Next onCheckpointResult(SessionRunner.CheckpointResult m) {
    if (m.error() != null) {
      sendCheckpoint(m.uptoToken(), m.hashes());
      return Next.WAIT;
    }
    checkpointing = false;
    if (m.reply() instanceof Rejected r) {
      if (AttemptEnd.fences(r.rejection())) {
        return Next.FENCED;
      }
      link.log().warn("session {} attempt {}: checkpoint rejected, checkpoints off: {}", link.sessionId(),
          link.attempt(), r.rejection());
      disabled = true;
      return Next.CARRY_ON;
    }
    link.checkpointAcknowledged(firstSent);
    checkpointUpto = Math.max(checkpointUpto, m.uptoToken());
    return Next.CARRY_ON;
  }
}
