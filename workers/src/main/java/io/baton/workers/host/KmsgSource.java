package io.baton.workers.host;

import java.io.EOFException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The kernel's own log, {@code /dev/kmsg} (the kernel's Documentation/ABI/testing/dev-kmsg): every
 * read returns one whole record, {@code prio,seq,usec,flags;message}, then dictionary lines that
 * start with a space. A fresh open starts at the oldest record still in the ring buffer, so records
 * stamped before the watcher started (its {@code /proc/uptime}) are skipped: an XID from yesterday
 * must not take a GPU out today. After a reopen, records up to the last sequence number read are skipped.
 */
final class KmsgSource implements LineSource {
  private static final Path KMSG = Path.of("/dev/kmsg");

  /** One read returns one record, and fails (EINVAL) when the record does not fit the buffer. */
  private final ByteBuffer record = ByteBuffer.allocateDirect(16 * 1024);
  private volatile FileChannel channel;
  private long startMicros = -1;
  private long lastSeq = -1;

  @Override
  public void open() throws IOException {
    if (startMicros < 0) {
      startMicros = uptimeMicros();
    }
    channel = FileChannel.open(KMSG, StandardOpenOption.READ);
  }

  @Override
  public String next() throws IOException {
    while (true) {
      record.clear();
      int n;
      try {
        n = channel.read(record);
      } catch (IOException e) {
        if ("Broken pipe".equals(e.getMessage())) {
          continue; // EPIPE: unread records were overwritten; the next read returns the oldest one left
        }
        throw e;
      }
      if (n < 0) {
        throw new EOFException(describe() + " ended");
      }
      record.flip();
      String first = StandardCharsets.UTF_8.decode(record).toString().lines().findFirst().orElse("");
      if (isNews(first)) {
        return first;
      }
    }
  }

  /** Whether a record is new to this watcher; a header it cannot read is passed on rather than lost. */
  boolean isNews(String line) {
    String[] header = line.substring(0, Math.max(0, line.indexOf(';'))).split(",");
    if (header.length < 3 || !header[1].matches("\\d+") || !header[2].matches("\\d+")) {
      return true;
    }
    long seq = Long.parseLong(header[1]);
    boolean news = lastSeq >= 0 ? seq > lastSeq : Long.parseLong(header[2]) > startMicros;
    if (news) {
      lastSeq = seq;
    }
    return news;
  }

  /** For tests: the uptime, in µs, before which records count as history. */
  KmsgSource startingAt(long uptimeMicros) {
    startMicros = uptimeMicros;
    return this;
  }

  static long uptimeMicros() throws IOException {
    String seconds = Files.readString(Path.of("/proc/uptime")).strip().split("\\s+")[0];
    return new BigDecimal(seconds).movePointRight(6).longValue();
  }

  @Override
  public void close() {
    LineSource.closeQuietly(channel);
  }

  @Override
  public String describe() {
    return "kmsg:" + KMSG;
  }

  @Override
  public String advice(Exception error) {
    return "reading /dev/kmsg needs root or CAP_SYSLOG (e.g. AmbientCapabilities=CAP_SYSLOG in the node's systemd"
        + " unit); or set baton.workers.kernel-log.source = \"command:journalctl -k -f -o short -n 0\"";
  }
}
