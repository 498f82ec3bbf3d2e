package io.baton.orchestrator;

import com.typesafe.config.Config;
import io.baton.workers.WorkersSettings;
import io.baton.workers.engine.ModelSpec;

/**
 * Whether the largest message Baton sends between nodes fits Artery's frame. A session's state
 * (prompt, tokens so far, checkpoint references) travels whole in a grant to a remote agent and in
 * answers to {@code GetState} from other nodes; Artery drops a message over
 * {@code maximum-frame-size} with only a log line, which would leave a grant unconfirmed and a
 * client waiting. So a node whose models could produce such a state does not start.
 */
final class MessageSizes {
  /** CBOR spends at most 5 bytes on a token id below 2^32; the rest of the state is small. */
  static final int BYTES_PER_TOKEN = 5;
  static final int STATE_OVERHEAD = 16 * 1024;

  private MessageSizes() {}

  /** The largest session state any configured model can reach, in bytes, an upper bound. */
  static long largestState(WorkersSettings workers) {
    int context = workers.engine().models().stream().mapToInt(ModelSpec::maxContext).max().orElse(0);
    // Prompt and output together never exceed the model's context.
    return (long) context * BYTES_PER_TOKEN + STATE_OVERHEAD;
  }

  static void check(Config config, WorkersSettings workers) {
    long frame = config.getBytes("pekko.remote.artery.advanced.maximum-frame-size");
    long largest = largestState(workers);
    if (largest > frame) {
      throw new IllegalStateException("pekko.remote.artery.advanced.maximum-frame-size (" + frame + " bytes) is smaller"
          + " than the largest session state the configured models can reach (" + largest + " bytes); raise it"
          + " (and buffer-pool-size with it) or lower the models' max-context");
    }
  }
}
