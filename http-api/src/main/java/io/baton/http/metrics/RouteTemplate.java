package io.baton.http.metrics;

import java.util.List;

/**
 * The route a request path belongs to, as a template ({@code /v1/sessions/{id}}), for the
 * {@code route} tag of {@code baton_http_requests_seconds}. Ids never become tag values: each one
 * would be a series of its own. A path that matches no route Baton serves (a 404, a scanner's
 * probe) is {@value #OTHER}, so the number of series stays bounded whatever clients send.
 *
 * <p>The list mirrors the routes of {@code ApiRoutes}; a route added there and not here is
 * counted as {@value #OTHER} until it is added.
 */
public final class RouteTemplate {
  public static final String OTHER = "other";
  private static final String ID = "{id}";

  private static final List<String> TEMPLATES = List.of(
      "/health/alive", "/health/ready", "/metrics",
      "/v1/completions", "/v1/chat/completions", "/v1/models", "/v1/models/{id}",
      "/v1/responses", "/v1/responses/{id}", "/v1/responses/{id}/cancel", "/v1/responses/{id}/input_items",
      "/v1/sessions/{id}", "/v1/sessions/{id}/events", "/v1/sessions/{id}/stream",
      "/v1/files", "/v1/files/{id}", "/v1/files/{id}/content",
      "/v1/batches", "/v1/batches/{id}", "/v1/batches/{id}/cancel",
      "/admin/workers", "/admin/workers/{id}", "/admin/workers/{id}/cordon", "/admin/workers/{id}/uncordon",
      "/admin/workers/{id}/drain", "/admin/tenants", "/admin/queues", "/admin/sessions/{id}/preempt",
      "/admin/chaos/workers/{id}/xid", "/admin/chaos/workers/{id}/slow",
      "/admin/events", "/admin/overview", "/admin/pools", "/admin/topology", "/admin/throughput",
      "/admin/sessions", "/admin/sessions/{id}", "/admin/sessions/{id}/events",
      "/console", "/console/", "/console/{id}", "/console/js/{id}", "/console/webjars/uplot/{id}");

  private static final List<String[]> SPLIT = TEMPLATES.stream().map(RouteTemplate::segments).toList();

  private RouteTemplate() {}

  /** The template of {@code path} (the request's path, without query), or {@value #OTHER}. */
  public static String of(String path) {
    String[] segments = segments(path);
    // Static templates are listed before any template they could be confused with, and a
    // template's static segments must all match, so the first match is the only one.
    for (int i = 0; i < SPLIT.size(); i++) {
      if (matches(SPLIT.get(i), segments)) {
        return TEMPLATES.get(i);
      }
    }
    return OTHER;
  }

  /** Every template, for documentation and tests. */
  public static List<String> all() {
    return TEMPLATES;
  }

  private static boolean matches(String[] template, String[] segments) {
    if (template.length != segments.length) {
      return false;
    }
    for (int i = 0; i < template.length; i++) {
      boolean same = template[i].equals(ID) ? !segments[i].isEmpty() : template[i].equals(segments[i]);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /** "/v1/models/" keeps its empty last segment: Pekko's pathEnd does not match it either. */
  private static String[] segments(String path) {
    if (path == null || !path.startsWith("/")) {
      return new String[] {"\u0000"}; // matches no template
    }
    return path.substring(1).split("/", -1);
  }
}
