package io.baton.chaos;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clients' view of the cluster's HTTP endpoints, like a load balancer with health checks: the
 * injector marks a node out while it is killed or frozen, so new requests go elsewhere. Streams
 * already open on that node are not moved: they break, or go silent, and their clients resume.
 */
final class NodeDirectory {
  private final List<String> nodeIds;
  private final java.util.Map<String, String> urls = new ConcurrentHashMap<>();
  private final Set<String> out = ConcurrentHashMap.newKeySet();

  NodeDirectory(List<String> nodeIds, java.util.Map<String, String> urls) {
    this.nodeIds = List.copyOf(nodeIds);
    this.urls.putAll(urls);
  }

  void markOut(String nodeId) {
    out.add(nodeId);
  }

  void markIn(String nodeId, String url) {
    urls.put(nodeId, url);
    out.remove(nodeId);
  }

  /** The URL of the {@code n}-th node counting from {@code preferred}, skipping nodes marked out. */
  String pick(int preferred) {
    for (int i = 0; i < nodeIds.size(); i++) {
      String id = nodeIds.get(Math.floorMod(preferred + i, nodeIds.size()));
      if (!out.contains(id)) {
        return urls.get(id);
      }
    }
    return urls.get(nodeIds.get(Math.floorMod(preferred, nodeIds.size()))); // all out: try anyway
  }

  /** A node other than the one at {@code url}, when there is one in service. */
  String other(String url, int salt) {
    for (int i = 0; i < nodeIds.size(); i++) {
      String candidate = pick(salt + i);
      if (!candidate.equals(url)) {
        return candidate;
      }
    }
    return pick(salt);
  }

  /** Node id to URL of every node in service. */
  java.util.Map<String, String> inService() {
    java.util.Map<String, String> in = new java.util.LinkedHashMap<>();
    nodeIds.stream().filter(id -> !out.contains(id)).forEach(id -> in.put(id, urls.get(id)));
    return in;
  }

  int size() {
    return nodeIds.size();
  }

  String nodeOf(String url) {
    return urls.entrySet().stream().filter(e -> e.getValue().equals(url)).map(java.util.Map.Entry::getKey)
        .findFirst().orElse("?");
  }
}
