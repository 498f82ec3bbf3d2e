package io.baton.orchestrator.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Every port a local cluster needs, chosen before anything starts, so a restart reuses the same ones. */
record Ports(int[] http, int[] cluster, int[] management, int cassandraNative, int cassandraStorage) {

  /**
   * Cluster ports ascend with the node index: with an even split, keep-majority keeps the side
   * holding the lowest address, so in a two-node cluster the seed (node-1) is the survivor.
   *
   * @param baseHttpPort node i serves HTTP on base + i; 0 picks free ports
   */
  static Ports pick(int nodes, int baseHttpPort, boolean embeddedCassandra) {
    int[] http = new int[nodes];
    if (baseHttpPort > 0) {
      for (int i = 0; i < nodes; i++) {
        http[i] = baseHttpPort + i;
        if (!free(http[i])) {
          throw new IllegalStateException("HTTP port " + http[i] + " is taken; choose another --base-http-port"
              + " (0 picks free ports)");
        }
      }
    }
    Set<Integer> fixed = Arrays.stream(http).boxed().collect(java.util.stream.Collectors.toSet());
    int needed = 2 * nodes + (baseHttpPort > 0 ? 0 : nodes) + (embeddedCassandra ? 2 : 0);
    List<Integer> ports = freePorts(needed, fixed);
    int[] cluster = ports.subList(0, nodes).stream().mapToInt(Integer::intValue).sorted().toArray();
    int next = nodes;
    int[] management = new int[nodes];
    for (int i = 0; i < nodes; i++) {
      management[i] = ports.get(next++);
    }
    if (baseHttpPort <= 0) {
      for (int i = 0; i < nodes; i++) {
        http[i] = ports.get(next++);
      }
    }
    int cql = embeddedCassandra ? ports.get(next++) : 0;
    int storage = embeddedCassandra ? ports.get(next) : 0;
    return new Ports(http, cluster, management, cql, storage);
  }

  private static boolean free(int port) {
    try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Distinct free ports; every probe socket stays open until all are chosen. */
  private static List<Integer> freePorts(int count, Set<Integer> exclude) {
    List<ServerSocket> sockets = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    try {
      while (ports.size() < count) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(socket);
        if (!exclude.contains(socket.getLocalPort())) {
          ports.add(socket.getLocalPort());
        }
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // A probe socket; nothing to do.
        }
      }
    }
  }
}
