package io.dbjobs.common.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The routes of a {@link GuardedHttpServer}: a method and a path pattern whose {@code {name}}
 * segments match one path segment each (URL-decoded). Routes are tried in the order they were
 * added, so a literal segment ({@code /v1/jobs/{node}/by-key/{key}}) is added before a parameter in
 * its place; trailing slashes do not matter.
 *
 * <p>A route needs the server's bearer token unless it is added with {@link #open}: an open route
 * (health) is answered on the network thread, before and apart from every other request, so its
 * handler must only read memory, never block.
 */
public final class HttpRouter {
  /** A route: its method, pattern, whether it is open, and its handler. */
  public record Route(String method, List<String> pattern, boolean open, HttpHandler handler) {}

  /**
   * The outcome of a lookup: the route and its decoded path parameters, or none; {@code
   * otherMethod} tells a path known for another method (405) from an unknown path (404).
   */
  public record Lookup(Route route, Map<String, String> params, boolean otherMethod) {
    public boolean found() {
      return route != null;
    }
  }

  private final List<Route> routes = new CopyOnWriteArrayList<>();

  /** A GET that needs the token. */
  public HttpRouter get(String pattern, HttpHandler h) {
    return add("GET", pattern, false, h);
  }

  /** A POST that needs the token. */
  public HttpRouter post(String pattern, HttpHandler h) {
    return add("POST", pattern, false, h);
  }

  /** A route anyone may call without a token; answered on the network thread (must not block). */
  public HttpRouter open(String method, String pattern, HttpHandler h) {
    return add(method, pattern, true, h);
  }

  private HttpRouter add(String method, String pattern, boolean open, HttpHandler h) {
    routes.add(new Route(method, List.of(split(pattern)), open, h));
    return this;
  }

  /** The route for this method and raw (URL-encoded) path. */
  public Lookup lookup(String method, String rawPath) {
    String[] segments = split(rawPath);
    boolean otherMethod = false;
    for (Route r : routes) {
      Map<String, String> params = matches(r.pattern(), segments);
      if (params == null) {
        continue;
      }
      if (r.method().equals(method)) {
        return new Lookup(r, params, false);
      }
      otherMethod = true;
    }
    return new Lookup(null, Map.of(), otherMethod);
  }

  private static Map<String, String> matches(List<String> pattern, String[] path) {
    if (pattern.size() != path.length) {
      return null;
    }
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < path.length; i++) {
      String p = pattern.get(i);
      if (p.startsWith("{") && p.endsWith("}")) {
        String v;
        try {
          v = URLDecoder.decode(path[i], StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return null; // a malformed %-escape matches no parameter: the path is unknown
        }
        params.put(p.substring(1, p.length() - 1), v);
      } else if (!p.equals(path[i])) {
        return null;
      }
    }
    return params;
  }

  private static String[] split(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.isEmpty() ? new String[0] : p.split("/", -1);
  }
}
