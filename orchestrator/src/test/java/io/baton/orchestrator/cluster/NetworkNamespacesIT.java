package io.baton.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.persistence.testing.TestRequirements;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The namespaces, links and routes the chaos suite's partitions rely on, read back from the kernel.
 * Root is needed (as on CI, which must not skip it); the traffic itself is exercised by the
 * partition scenario of ChaosSuiteIT.
 */
class NetworkNamespacesIT {

  @Test
  void aPartitionCutsOnlyBetweenItsSidesAndCloseRemovesEverything() throws Exception {
    TestRequirements.assumeRoot();
    String ns1;
    try (NetworkNamespaces net = NetworkNamespaces.create(3)) {
      ns1 = net.namespace(0);
      assertTrue(run("ip", "netns", "list").contains(ns1));
      assertTrue(run("ip", "-n", ns1, "addr", "show", "eth0").contains(net.address(0) + "/24"));
      assertRoutedVia(net, 0, net.address(1), "dev eth0");
      List<String> command = net.wrap(2, List.of("java", "-version"));
      assertEquals(List.of("ip", "netns", "exec", net.namespace(2), "java", "-version"), command);

      net.partition(Set.of(2));
      assertTrue(net.isPartitioned());
      assertRoutedVia(net, 0, net.address(1), "dev eth0"); // same side
      assertRoutedVia(net, 0, net.address(2), "blackhole");
      assertRoutedVia(net, 2, net.address(0), "blackhole");
      assertRoutedVia(net, 2, net.address(1), "blackhole");
      assertRoutedVia(net, 2, net.bridgeAddress(), "dev eth0"); // Cassandra and clients stay reachable

      net.heal();
      assertFalse(net.isPartitioned());
      assertRoutedVia(net, 2, net.address(0), "dev eth0");
      assertRoutedVia(net, 0, net.address(2), "dev eth0");
    }
    assertFalse(run("ip", "netns", "list").contains(ns1), "namespaces removed on close");
  }

  private static void assertRoutedVia(NetworkNamespaces net, int from, String to, String expected) throws Exception {
    // "route get" refuses a blackholed destination outright, so those are read from the table.
    String route = expected.equals("blackhole")
        ? run("ip", "-n", net.namespace(from), "route", "show", "to", "exact", to + "/32")
        : run("ip", "-n", net.namespace(from), "route", "get", to);
    assertTrue(route.contains(expected), "node " + from + " -> " + to + ": " + route);
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }
}
