package io.baton.orchestrator.observe;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * The node id on every log line: logback's context property {@value #NODE}, which the plain
 * pattern prints as {@code node=...} and the JSON encoder under {@code context.properties.node}.
 * logback.xml sets it from {@code BATON_NODE_ID} for the lines before the node starts; the node
 * sets it from {@code baton.orchestrator.node-id} as its first step. A JVM running several nodes (as
 * some tests do) shows the last one started.
 */
public final class NodeLogging {
  public static final String NODE = "node";

  private NodeLogging() {}

  public static void identify(String nodeId) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.putProperty(NODE, nodeId);
    }
  }
}
