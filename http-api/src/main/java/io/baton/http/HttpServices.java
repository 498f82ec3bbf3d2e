package io.baton.http;

import io.baton.http.console.ConsoleData;
import io.baton.http.metrics.HttpMetrics;
import io.baton.persistence.files.FileStore;

import io.baton.actors.app.SessionService;
import io.baton.http.admin.FleetAdmin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * What the HTTP layer needs from the node it runs in, as one value so {@link HttpServer#start} does
 * not grow a parameter per feature. Each piece is an interface or a library type, so this module
 * depends on nothing of the workers' or the orchestrator's.
 *
 * @param sessions the application layer: how every API submits, follows and describes sessions
 * @param fleet the worker agents' side of the admin API
 * @param metrics the node's one registry: the HTTP layer records into it and serves it on /metrics
 * @param files the file store for batch input and output
 * @param httpMetrics the session and latency meters, shared with the batch drivers so that one
 *     in-flight gauge counts both
 * @param console the node's copy of the admin event feed, for /admin/events and the console
 */
public record HttpServices(
    SessionService sessions, FleetAdmin fleet, PrometheusMeterRegistry metrics, FileStore files,
    HttpMetrics httpMetrics, ConsoleData console) {}
