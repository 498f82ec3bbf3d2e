package io.baton.orchestrator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** Reads pekko-management's {@code GET /cluster/members} answer (management port) as a node sees it. */
public final class ClusterMembers {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ClusterMembers() {}

  /** The addresses {@code node} lists as Up members; empty when it does not answer. */
  public static List<String> up(NodeProcess node) {
    return node.manage("/cluster/members").filter(r -> r.statusCode() == 200).map(r -> up(r.body()))
        .orElse(List.of());
  }

  /** The Up members' addresses in a members document. */
  public static List<String> up(String membersJson) {
    List<String> up = new ArrayList<>();
    try {
      for (JsonNode member : JSON.readTree(membersJson).path("members")) {
        if ("Up".equals(member.path("status").asText())) {
          up.add(member.path("node").asText());
        }
      }
    } catch (java.io.IOException e) {
      return List.of();
    }
    return up;
  }
}
