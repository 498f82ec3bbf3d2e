package io.baton.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What the clients will ask, decided entirely by the run seed before anything starts, so a failing
 * run can be replayed request for request. Streaming completions arrive spread over the first part
 * of the scenario (faults land among running sessions); one small batch runs beside them, unless a
 * scenario brings its own {@link Shape}. Reserve completions start only when a fault finds no
 * target: the workload then makes one.
 */
record Workload(long seed, List<Completion> completions, List<BatchLine> batch, List<Completion> reserve) {

  static final String MODEL = "baton-small";
  /** Sampling is not greedy, so the per-request seed really decides the text (invariant 2 tests it). */
  static final double TEMPERATURE = 0.8;
  static final double TOP_P = 0.95;
  /** Streams a scenario may add when a fault finds no GPU running a session it may hit. */
  static final int RESERVE = 6;

  /**
   * One streaming completion.
   *
   * @param startAt when its client submits, from the start of the workload
   * @param node index of the node its POST goes to (the client moves on if that node is down)
   * @param dropAfter the client drops its connection after this many tokens and resumes with
   *     Last-Event-ID on another node; -1 for a client that reads to the end
   */
  record Completion(int index, String prompt, int maxTokens, long seed, Duration startAt, int node, int dropAfter) {
    String body() {
      return "{\"model\":\"" + MODEL + "\",\"prompt\":" + Http.write(prompt) + ",\"max_tokens\":" + maxTokens
          + ",\"seed\":" + seed + ",\"temperature\":" + TEMPERATURE + ",\"top_p\":" + TOP_P + ",\"stream\":true}";
    }
  }

  /** One line of the batch input; its session is {@code <batch>-req-<line>} (0-based line). */
  record BatchLine(int line, String customId, String prompt, int maxTokens, long seed) {
    String jsonl() {
      return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/completions\",\"body\":{\"model\":\""
          + MODEL + "\",\"prompt\":" + Http.write(prompt) + ",\"max_tokens\":" + maxTokens + ",\"seed\":" + seed
          + ",\"temperature\":" + TEMPERATURE + ",\"top_p\":" + TOP_P + "}}";
    }
  }

  private static final String[] WORDS = {"the", "GPU", "token", "model", "cache", "block", "Baton", "worker", "node",
      "stream", "resume", "failure", "journal", "replay", "session", "shard", "spare", "cordon", "reset", "kernel",
      "attention", "layer", "prompt", "decode", "prefill", "latency", "cluster", "leader", "quorum", "write"};

  /**
   * A scenario's own workload, in place of the default spread of streams beside a small batch: a
   * batch long and large enough to keep every place of the fleet busy, and streams that arrive in
   * bursts over it. One batch runs at most 32 lines at once (the batch driver's parallelism), which
   * is every place of the default chaos fleet (4 active GPUs x 8 sessions); a larger fleet keeps
   * places free.
   *
   * @param fullUntil the batch keeps every place busy until about this fraction of the duration
   * @param minTokens least output of a batch line: it must outlast the queue's min-run-time
   * @param maxTokens most output of a batch line; its prompt is short ({@link #MAX_LINE_WORDS}), so
   *     both fit the model's context
   * @param bursts fractions of the duration at which a burst of streams arrives
   * @param burstSize streams per burst, all arriving within {@link #BURST_SPREAD}
   * @param preempts the shape exists to make the queue preempt: a run without one showed nothing
   */
  record Shape(double fullUntil, int minTokens, int maxTokens, List<Double> bursts, int burstSize, boolean preempts) {
    Shape {
      bursts = List.copyOf(bursts);
    }

    /** Lines enough that each of {@code places} runs one after another until {@code fullUntil}. */
    int batchLines(Duration duration, int places, Duration perToken) {
      long lineMillis = Math.max(1, (minTokens + maxTokens) / 2 * perToken.toMillis());
      long full = Math.round(duration.toMillis() * fullUntil);
      return places * (int) Math.max(1, (full + lineMillis - 1) / lineMillis);
    }
  }

  /** A shaped batch line's prompt: at most about 110 tokens, which leaves room for a long output. */
  static final int MAX_LINE_WORDS = 10;

  /** A burst's streams arrive within this of its planned time: together, as a burst does. */
  static final Duration BURST_SPREAD = Duration.ofMillis(300);

  /**
   * @param sessions streaming completions
   * @param batchLines lines of the batch (0: no batch)
   * @param spread arrivals are spread evenly over this, with a little seeded jitter
   * @param dropEvery every n-th client drops and resumes (0: none)
   */
  static Workload generate(long seed, int sessions, int batchLines, Duration spread, int nodes, int dropEvery) {
    Random random = new Random(seed);
    List<Completion> completions = new ArrayList<>();
    long step = sessions <= 1 ? 0 : spread.toMillis() / sessions;
    for (int i = 0; i < sessions; i++) {
      long at = i * step + (step == 0 ? 0 : random.nextInt((int) Math.max(1, step / 2)));
      completions.add(completion(random, i, at, nodes, dropEvery));
    }
    List<BatchLine> batch = new ArrayList<>();
    for (int i = 0; i < batchLines; i++) {
      batch.add(new BatchLine(i, "chaos-line-" + i, prompt(random), 16 + random.nextInt(33),
          random.nextLong() & Long.MAX_VALUE));
    }
    return new Workload(seed, List.copyOf(completions), List.copyOf(batch), reserve(seed, sessions, nodes));
  }

  /** The workload of a {@link Shape}: its bursts of streams and its batch, drawn from the seed alone. */
  static Workload shaped(long seed, Shape shape, Duration duration, int places, Duration perToken, int nodes,
      int dropEvery) {
    Random random = new Random(seed);
    List<Completion> completions = new ArrayList<>();
    for (double burst : shape.bursts()) {
      long start = (long) (duration.toMillis() * burst);
      for (int k = 0; k < shape.burstSize(); k++) {
        long at = start + random.nextInt((int) BURST_SPREAD.toMillis());
        completions.add(completion(random, completions.size(), at, nodes, dropEvery));
      }
    }
    List<BatchLine> batch = new ArrayList<>();
    int span = shape.maxTokens() - shape.minTokens() + 1;
    for (int i = 0; i < shape.batchLines(duration, places, perToken); i++) {
      batch.add(new BatchLine(i, "chaos-line-" + i, words(random, 2 + random.nextInt(MAX_LINE_WORDS - 1)),
          shape.minTokens() + random.nextInt(span), random.nextLong() & Long.MAX_VALUE));
    }
    return new Workload(seed, List.copyOf(completions), List.copyOf(batch),
        reserve(seed, completions.size(), nodes));
  }

  /** Stream {@code i}, submitted {@code at} ms after the start; every {@code dropEvery}-th drops and resumes. */
  private static Completion completion(Random random, int i, long at, int nodes, int dropEvery) {
    boolean drops = dropEvery > 0 && i % dropEvery == dropEvery - 1;
    int maxTokens = 48 + random.nextInt(49);
    return new Completion(i, prompt(random), maxTokens, random.nextLong() & Long.MAX_VALUE,
        Duration.ofMillis(at), i % Math.max(1, nodes), drops ? 4 + random.nextInt(maxTokens / 2) : -1);
  }

  /** Drawn from their own generator, so the planned requests are the same with or without them. */
  private static List<Completion> reserve(long seed, int first, int nodes) {
    Random spare = new Random(~seed);
    List<Completion> reserve = new ArrayList<>();
    for (int i = 0; i < RESERVE; i++) {
      reserve.add(new Completion(first + i, prompt(spare), 96, spare.nextLong() & Long.MAX_VALUE, Duration.ZERO,
          i % Math.max(1, nodes), -1));
    }
    return List.copyOf(reserve);
  }

  /** Prompts from a few words to a few hundred tokens: long ones span many KV blocks (restore), short ones few. */
  private static String prompt(Random random) {
    int words = switch (random.nextInt(4)) {
      case 0 -> 2 + random.nextInt(6);
      case 1 -> 10 + random.nextInt(30);
      case 2 -> 40 + random.nextInt(60);
      default -> 40 + random.nextInt(40); // up to ~500 tokens (bytes): dozens of KV blocks to restore
    };
    return words(random, words);
  }

  private static String words(Random random, int words) {
    StringBuilder text = new StringBuilder();
    for (int w = 0; w < words; w++) {
      if (w > 0) {
        text.append(random.nextInt(12) == 0 ? ". " : " ");
      }
      text.append(WORDS[random.nextInt(WORDS.length)]);
    }
    return text.toString();
  }
}
