package io.baton.persistence.cassandra;

import java.util.ArrayList;
import java.util.List;

/**
 * The JDK 17 flags from Cassandra's conf/jvm17-server.options, which the cassandra-all jar does not
 * ship. Without them Cassandra exits with code 3 (IllegalAccessException on DirectBuffer.cleaner).
 */
final class Jdk17Flags {
  private static final List<String> EXPORTS =
      List.of(
          "java.base/jdk.internal.misc",
          "java.management.rmi/com.sun.jmx.remote.internal.rmi",
          "java.rmi/sun.rmi.registry",
          "java.rmi/sun.rmi.server",
          "java.sql/java.sql",
          "java.base/java.lang.ref",
          "jdk.unsupported/sun.misc",
          "jdk.compiler/com.sun.tools.javac.file",
          "jdk.attach/sun.tools.attach");
  private static final List<String> OPENS =
      List.of(
          "java.base/java.lang.module",
          "java.base/jdk.internal.loader",
          "java.base/jdk.internal.ref",
          "java.base/jdk.internal.reflect",
          "java.base/jdk.internal.math",
          "java.base/jdk.internal.module",
          "java.base/jdk.internal.util.jar",
          "jdk.management/com.sun.management.internal",
          "java.base/sun.nio.ch",
          "java.base/java.io",
          "java.base/java.lang.reflect",
          "jdk.compiler/com.sun.tools.javac",
          "java.base/java.lang",
          "java.base/java.util");

  static final List<String> ALL = build();

  private Jdk17Flags() {}

  private static List<String> build() {
    List<String> flags = new ArrayList<>();
    EXPORTS.forEach(p -> flags.add("--add-exports=" + p + "=ALL-UNNAMED"));
    OPENS.forEach(p -> flags.add("--add-opens=" + p + "=ALL-UNNAMED"));
    flags.add("-Djdk.attach.allowAttachSelf=true");
    flags.add("-Dio.netty.tryReflectionSetAccessible=true");
    flags.add("-Djava.net.preferIPv4Stack=true");
    flags.add("-XX:+UseG1GC");
    flags.add("-XX:+ExitOnOutOfMemoryError");
    return List.copyOf(flags);
  }
}
