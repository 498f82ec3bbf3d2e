package io.baton.workers.host;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A command's standard output, e.g. {@code journalctl -k -f -o short -n 0} (-n 0: no history, only
 * what is logged from now on). Run by /bin/sh so that operators may write pipes; its standard error
 * goes to the node's, where its complaints are seen. A command that exits has failed: a kernel log
 * never ends.
 */
final class CommandSource implements LineSource {
  private final String command;
  private volatile Process process;
  private BufferedReader out;

  CommandSource(String command) {
    this.command = command;
  }

  @Override
  public void open() throws IOException {
    process = new ProcessBuilder("/bin/sh", "-c", command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  @Override
  public String next() throws IOException, InterruptedException {
    String line = out.readLine();
    if (line == null) {
      throw new EOFException("`" + command + "` exited with status " + process.waitFor());
    }
    return line;
  }

  @Override
  public void close() {
    Process p = process;
    if (p != null) {
      // The shell's children first: killing sh alone would leave journalctl -f running.
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
    }
  }

  @Override
  public String describe() {
    return "command:" + command;
  }

  @Override
  public String advice(Exception error) {
    return "check that `" + command + "` runs as this user and keeps running (journalctl needs -f, and may need"
        + " the adm or systemd-journal group)";
  }
}
