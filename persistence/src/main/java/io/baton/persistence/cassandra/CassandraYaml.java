package io.baton.persistence.cassandra;

import java.nio.file.Path;

/** The smallest single-node cassandra.yaml that Cassandra 5.0 accepts, tuned for a 2-core box. */
final class CassandraYaml {
  private CassandraYaml() {}

  static String render(Path base, String clusterName, int nativePort, int storagePort, String rpcAddress) {
    return String.join(
        "\n",
        "cluster_name: '" + clusterName + "'",
        "num_tokens: 1",
        "initial_token: 0",
        "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
        "endpoint_snitch: SimpleSnitch",
        "seed_provider:",
        "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
        "    parameters:",
        "      - seeds: \"127.0.0.1:" + storagePort + "\"",
        "listen_address: 127.0.0.1",
        "rpc_address: " + rpcAddress,
        "storage_port: " + storagePort,
        "ssl_storage_port: " + storagePort,
        "native_transport_port: " + nativePort,
        "start_native_transport: true",
        "authenticator: AllowAllAuthenticator",
        "authorizer: AllowAllAuthorizer",
        "role_manager: CassandraRoleManager",
        "data_file_directories:",
        "  - " + base.resolve("data"),
        "commitlog_directory: " + base.resolve("commitlog"),
        "saved_caches_directory: " + base.resolve("saved_caches"),
        "hints_directory: " + base.resolve("hints"),
        "cdc_raw_directory: " + base.resolve("cdc_raw"),
        // Periodic commitlog sync: a crash of the whole machine may lose the last 10 s; a crash of
        // Baton or of Cassandra's JVM alone loses nothing, which is what dev and tests exercise.
        "commitlog_sync: periodic",
        "commitlog_sync_period: 10000ms",
        "commitlog_segment_size: 8MiB",
        "memtable_heap_space: 64MiB",
        "memtable_offheap_space: 64MiB",
        "concurrent_reads: 8",
        "concurrent_writes: 16",
        "concurrent_compactors: 1",
        "key_cache_size: 8MiB",
        "counter_cache_size: 0MiB",
        "disk_access_mode: mmap_index_only",
        "auto_snapshot: false",
        "dynamic_snitch: false",
        "hinted_handoff_enabled: false",
        "compaction_throughput: 0MiB/s",
        "");
  }

  static String logback(Path logDir) {
    return """
        <configuration>
          <appender name="FILE" class="ch.qos.logback.core.FileAppender">
            <file>%s/system.log</file>
            <encoder><pattern>%%d{ISO8601} %%-5level [%%thread] %%logger{36} - %%msg%%n</pattern></encoder>
          </appender>
          <root level="INFO"><appender-ref ref="FILE"/></root>
        </configuration>
        """
        .formatted(logDir);
  }
}
