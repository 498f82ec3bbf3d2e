package io.baton.workers.host;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PCI bus ids in one spelling, so the kernel's and nvidia-smi's names for the same GPU compare equal.
 * nvidia-smi prints {@code 00000000:3B:00.0} (an 8-digit domain, upper case, a function); the
 * driver's Xid lines print {@code PCI:0000:3b:00}, and older drivers {@code 0000:3b:00} or even
 * {@code 3b:00}. All become {@code 0000:3b:00}: lower case, a domain of at least 4 digits,
 * bus:device, no function (a GPU is function 0 of its device, and the kernel line names no function).
 */
public final class PciBusId {
  private static final Pattern FORM = Pattern.compile(
      "(?:pci:)?(?:([0-9a-f]{1,8}):)?([0-9a-f]{1,2}):([0-9a-f]{1,2})(?:\\.[0-7])?");

  private PciBusId() {}

  /** The normalized id, or empty when {@code raw} is no PCI bus id. */
  public static Optional<String> normalize(String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    Matcher m = FORM.matcher(raw.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return Optional.empty();
    }
    long domain = m.group(1) == null ? 0 : Long.parseLong(m.group(1), 16);
    return Optional.of(String.format("%04x:%02x:%02x", domain, Integer.parseInt(m.group(2), 16),
        Integer.parseInt(m.group(3), 16)));
  }
}
