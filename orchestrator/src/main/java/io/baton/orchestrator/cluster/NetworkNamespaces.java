package io.baton.orchestrator.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Linux network namespace per node, joined by veth pairs to a bridge in this namespace, so that
 * the chaos suite can cut the network between nodes without touching the shared loopback. Node i
 * has {@code 10.231.S.(i+1)}, the bridge (where Cassandra serves CQL and the suite's clients
 * connect from) has {@code 10.231.S.254}.
 *
 * <p>A partition adds blackhole routes between the two sides inside their namespaces: packets
 * between them are discarded, the bridge stays reachable from both, so the minority still reaches
 * Cassandra (the case fencing must cover). Routes rather than tc filters because the kernels this
 * runs on ship no tc action modules (drop, netem). Needs root and iproute2; everything created is
 * named after this process's pid and removed on {@link #close}, and leftovers of a process that
 * died are removed by the next {@link #create}.
 */
public final class NetworkNamespaces implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NetworkNamespaces.class);
  private static final String NS_PREFIX = "baton-";
  private static final String LINK_PREFIX = "btn";
  /** TCP's longest retransmission interval inside the nodes' namespaces; see {@link #boundRetransmission}. */
  private static final int RTO_MAX_MS = 1000;
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final String tag;
  private final int subnet;
  private final int nodes;
  private final Set<String> blackholes = new HashSet<>(); // "from to", node indexes

  private NetworkNamespaces(String tag, int subnet, int nodes) {
    this.tag = tag;
    this.subnet = subnet;
    this.nodes = nodes;
  }

  /** Creates the bridge and one namespace per node; on failure removes whatever it made. */
  public static NetworkNamespaces create(int nodes) {
    if (nodes > 250) {
      throw new IllegalArgumentException("at most 250 nodes per isolated network: " + nodes);
    }
    removeStale();
    long pid = ProcessHandle.current().pid();
    int k = SEQUENCE.getAndIncrement() % 10; // interface names stay within 15 characters
    NetworkNamespaces net = new NetworkNamespaces(pid + "k" + k, (int) ((pid + k) % 250), nodes);
    try {
      String bridge = net.bridge();
      ip("link", "add", bridge, "type", "bridge");
      ip("addr", "add", net.bridgeAddress() + "/24", "dev", bridge);
      ip("link", "set", bridge, "up");
      for (int i = 0; i < nodes; i++) {
        String ns = net.namespace(i);
        String host = LINK_PREFIX + net.tag + "v" + i;
        String peer = LINK_PREFIX + net.tag + "p" + i;
        ip("netns", "add", ns);
        ip("link", "add", host, "type", "veth", "peer", "name", peer);
        ip("link", "set", peer, "netns", ns);
        ip("link", "set", host, "master", bridge);
        ip("link", "set", host, "up");
        ip("-n", ns, "link", "set", "lo", "up");
        ip("-n", ns, "link", "set", peer, "name", "eth0");
        ip("-n", ns, "addr", "add", net.address(i) + "/24", "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        boundRetransmission(ns);
      }
      log.info("isolated network up bridge={} address={} nodes={}", bridge, net.bridgeAddress(), nodes);
      return net;
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }

  /** Whether this process may create namespaces: root, with iproute2 installed. */
  public static boolean available() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid() == 0 && !run(List.of("ip", "netns", "list"))
          .contains("Object \"netns\" is unknown");
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** Node {@code index}'s address (0-based index). */
  public String address(int index) {
    return "10.231." + subnet + "." + (index + 1);
  }

  /** The bridge's address in this namespace: Cassandra serves here, the suite connects from here. */
  public String bridgeAddress() {
    return "10.231." + subnet + ".254";
  }

  /** {@code command} run inside node {@code index}'s namespace (ip netns exec keeps the pid). */
  public List<String> wrap(int index, List<String> command) {
    List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", namespace(index)));
    out.addAll(command);
    return out;
  }

  /** Cuts every path between {@code side} and the other nodes, in both directions; the bridge stays reachable. */
  public synchronized void partition(Set<Integer> side) {
    for (int a : side) {
      for (int b = 0; b < nodes; b++) {
        if (!side.contains(b)) {
          blackhole(a, b);
          blackhole(b, a);
        }
      }
    }
    log.info("network partition side={} rest cut off", side);
  }

  /** Removes every partition route: all nodes reach each other again. */
  public synchronized void heal() {
    for (String route : List.copyOf(blackholes)) {
      String[] ends = route.split(" ");
      ip("-n", namespace(Integer.parseInt(ends[0])), "route", "del", "blackhole",
          address(Integer.parseInt(ends[1])) + "/32");
      blackholes.remove(route);
    }
    log.info("network partition healed");
  }

  public synchronized boolean isPartitioned() {
    return !blackholes.isEmpty();
  }

  /** Deletes the namespaces (their veth ends go with them) and the bridge; never throws. */
  @Override
  public synchronized void close() {
    for (int i = 0; i < nodes; i++) {
      quietly("netns", "del", namespace(i));
    }
    quietly("link", "del", bridge());
    blackholes.clear();
  }

  private void blackhole(int from, int to) {
    if (blackholes.add(from + " " + to)) {
      ip("-n", namespace(from), "route", "add", "blackhole", address(to) + "/32");
    }
  }

  String namespace(int index) {
    return NS_PREFIX + tag + "-node-" + (index + 1);
  }

  private String bridge() {
    return LINK_PREFIX + tag;
  }

  /** Namespaces and bridges named after a process that no longer runs (a killed suite). */
  private static void removeStale() {
    for (String line : run(List.of("ip", "netns", "list")).lines().toList()) {
      String name = line.split(" ")[0];
      if (name.startsWith(NS_PREFIX) && !alive(name.substring(NS_PREFIX.length()))) {
        quietly("netns", "del", name);
      }
    }
    for (String line : run(List.of("ip", "-o", "link", "show", "type", "bridge")).lines().toList()) {
      String[] fields = line.split(":\\s*");
      if (fields.length > 1 && fields[1].startsWith(LINK_PREFIX) && !alive(fields[1].substring(LINK_PREFIX.length()))) {
        quietly("link", "del", fields[1]);
      }
    }
  }

  /** Whether the process a tag ("<pid>k<n>...") names still runs; an unparsable tag is left alone. */
  private static boolean alive(String tag) {
    int end = tag.indexOf('k');
    try {
      return ProcessHandle.of(Long.parseLong(end < 0 ? tag : tag.substring(0, end))).isPresent();
    } catch (NumberFormatException notOurs) {
      return true;
    }
  }

  /**
   * Caps TCP's retransmission back-off in the node's namespace. A partition drops packets, so the
   * connections between nodes back off exponentially while it lasts: after a 4 s cut the next
   * retransmission could come 3 s after the heal, and a session whose entity sat on the far side
   * waited for it (seen as a 6.6 s stall against a 6 s bound). With the cap the link resumes within
   * a second of the heal, as it would between hosts tuned the same way (README, Multi-node
   * cluster). Kernels before 6.11 lack the setting: the back-off is then the kernel's.
   */
  private static void boundRetransmission(String ns) {
    try {
      run(List.of("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.tcp_rto_max_ms=" + RTO_MAX_MS));
    } catch (RuntimeException e) {
      log.warn("net.ipv4.tcp_rto_max_ms not set in {} ({}); links resume after a partition on the kernel's"
          + " retransmission back-off", ns, e.getMessage());
    }
  }

  private static void ip(String... args) {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    run(command);
  }

  private static void quietly(String... args) {
    try {
      ip(args);
    } catch (RuntimeException e) {
      log.debug("ignored: {}", e.getMessage());
    }
  }

  private static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out.strip()
            + ". An isolated cluster network needs root and iproute2 (ip netns, veth, bridge).");
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage()
          + ". Install iproute2 to run a cluster with isolated networks.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }
}
