package io.baton.workers.host;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One NVIDIA Xid report from the kernel log. NVIDIA's "Xid Errors" guide
 * (docs.nvidia.com/deploy/xid-errors, "Viewing Xid Messages") says to grep for {@code NVRM: Xid} and
 * shows {@code NVRM: Xid (0000:03:00): 14, Channel 00000001}: the GPU's PCI bus id in parentheses,
 * the Xid code, then free text. Current drivers write {@code (PCI:0000:3b:00)} and put the faulting
 * process first: {@code 79, pid=1234, name=python3, GPU has fallen off the bus.}, with
 * {@code pid='<unknown>'} when no process is to blame. Whatever precedes {@code NVRM:} (a /dev/kmsg
 * record header {@code 4,1234,567890123,-;}, journalctl's {@code Dec 06 10:00:00 host kernel:},
 * dmesg's {@code [12345.678]}) is not read, so every source goes through this one parser.
 *
 * @param pciBusId normalized ({@link PciBusId})
 * @param pid the process the driver blamed, or null when it names none
 * @param processName its name, or null when it names none
 * @param detail the driver's text after the code and process
 */
public record XidLine(String pciBusId, int code, Integer pid, String processName, String detail) {

  /** What one kernel log line is to the watcher. */
  public sealed interface Result {}

  /** Not an NVIDIA Xid line: the rest of the kernel log, passed over silently. */
  public record Ignored() implements Result {}

  public record Found(XidLine xid) implements Result {}

  /**
   * An NVRM Xid line this parser cannot read (a driver that changed its format, a cut line).
   *
   * @param kind what was wrong, a metric tag: shape, pci-bus-id or code
   */
  public record Unparsed(String kind, String line) implements Result {}

  private static final Ignored IGNORED = new Ignored();
  private static final Pattern XID = Pattern.compile("NVRM: Xid \\(([^)]*)\\): *([^,]*),? *(.*)");
  private static final Pattern PID = Pattern.compile("pid=('?<unknown>'?|\\d+), *(.*)");
  private static final Pattern NAME = Pattern.compile("name=([^,]*), *(.*)");
  /** Xid codes are small numbers; anything longer is a garbled line, not a new code. */
  private static final int MAX_CODE_DIGITS = 5;

  public static Result parse(String line) {
    int at = line.indexOf("NVRM:");
    if (at < 0 || line.indexOf("Xid", at) < 0) {
      return IGNORED;
    }
    Matcher m = XID.matcher(line.substring(at).strip());
    if (!m.matches()) {
      return new Unparsed("shape", line);
    }
    String pci = PciBusId.normalize(m.group(1)).orElse(null);
    if (pci == null) {
      return new Unparsed("pci-bus-id", line);
    }
    String code = m.group(2).strip();
    if (!code.matches("\\d{1," + MAX_CODE_DIGITS + "}")) {
      return new Unparsed("code", line);
    }
    Integer pid = null;
    String name = null;
    String rest = m.group(3);
    Matcher p = PID.matcher(rest);
    if (p.matches()) {
      pid = p.group(1).contains("unknown") ? null : Integer.valueOf(p.group(1));
      rest = p.group(2);
      Matcher n = NAME.matcher(rest);
      if (n.matches()) {
        name = n.group(1).strip().equals("<unknown>") ? null : n.group(1).strip();
        rest = n.group(2);
      }
    }
    return new Found(new XidLine(pci, Integer.parseInt(code), pid, name, rest.strip()));
  }

  /** The XID's detail as the GpuWorker records it: the driver's text, the process, the device. */
  public String describe() {
    String process = pid == null && processName == null ? ""
        : ", pid=" + (pid == null ? "unknown" : pid) + " name=" + (processName == null ? "unknown" : processName);
    return detail + " (kernel log, PCI " + pciBusId + process + ")";
  }
}
