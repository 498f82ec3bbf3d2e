package io.baton.workers.host;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;

/**
 * A file followed as {@code tail -F} follows it: from its end at the first open (what was logged
 * before the watcher started is history, not news), then every append; a file truncated in place
 * is read again from its start, and a file renamed away and replaced (rotation) is read to its end,
 * then the new one from its start. A FIFO (or any non-regular file) is read as a stream.
 */
final class FileSource implements LineSource {
  /** A kernel line is at most a few hundred bytes; a longer run without a newline is cut, not buffered forever. */
  private static final int MAX_LINE = 64 * 1024;

  private final Path path;
  private final Duration poll;
  private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private volatile FileChannel channel;
  private boolean stream;
  /** The file last read, and where in it the last whole line ended: a reopen of the same file carries on there. */
  private Object fileKey;
  private long offset = -1;

  FileSource(Path path, Duration poll) {
    this.path = path;
    this.poll = poll;
  }

  @Override
  public void open() throws IOException {
    BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
    stream = !attrs.isRegularFile();
    buffer.clear().flip();
    line.reset();
    if (stream) {
      // Read-write, so that opening a FIFO does not wait for a writer and the reader never sees an
      // end of file when the last writer closes: it waits for the next writer instead.
      channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      return;
    }
    channel = FileChannel.open(path, StandardOpenOption.READ);
    long size = channel.size();
    boolean sameFile = Objects.equals(attrs.fileKey(), fileKey) && size >= offset;
    offset = offset < 0 ? size : sameFile ? offset : 0;
    fileKey = attrs.fileKey();
    channel.position(offset);
  }

  @Override
  public String next() throws IOException, InterruptedException {
    while (true) {
      while (buffer.hasRemaining()) {
        byte b = buffer.get();
        if (b == '\n' || line.size() >= MAX_LINE) {
          String text = line.toString(StandardCharsets.UTF_8);
          offset += line.size() + (b == '\n' ? 1 : 0);
          line.reset();
          if (b != '\n') {
            line.write(b);
          }
          return text;
        }
        line.write(b);
      }
      buffer.clear();
      int n = channel.read(buffer);
      buffer.flip();
      if (n < 0 && stream) {
        throw new EOFException(describe() + " ended");
      } else if (n <= 0 && !stream) {
        awaitAppend();
      }
    }
  }

  /** At the end of the regular file: notice truncation and rotation, else wait a poll interval for appends. */
  private void awaitAppend() throws IOException, InterruptedException {
    FileChannel current = channel;
    if (current.size() < current.position()) {
      // Truncated in place (logrotate's copytruncate): the writer starts again at 0, and so do we.
      current.position(0);
      offset = 0;
      line.reset();
      return;
    }
    BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class);
    if (!Objects.equals(now.fileKey(), fileKey) && current.size() == current.position()) {
      // Rotated, and the old file is read to its end: the new file at the path is all news.
      current.close();
      channel = FileChannel.open(path, StandardOpenOption.READ);
      fileKey = now.fileKey();
      offset = 0;
      line.reset();
      return;
    }
    Thread.sleep(poll.toMillis());
  }

  @Override
  public void close() {
    LineSource.closeQuietly(channel);
  }

  @Override
  public String describe() {
    return "file:" + path;
  }

  @Override
  public String advice(Exception error) {
    return "check that " + path + " exists and this user may read it (a FIFO must also be writable: Baton holds it"
        + " open read-write so that writers may come and go)";
  }
}
