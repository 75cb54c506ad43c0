package io.dbjobs.manager.api;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The API's routes: a method and a path pattern whose {@code {name}} segments match one path
 * segment each (URL-decoded). Routes are tried in the order they were added, so a literal segment
 * ({@code /v1/jobs/{node}/by-key/{key}}) is added before a parameter in its place. Endpoints add
 * theirs through {@link ApiEndpoints}.
 */
public final class ApiRouter {
  /** Answers one request. */
  @FunctionalInterface
  public interface Handler {
    ApiResponse handle(ApiRequest request) throws IOException;
  }

  record Route(String method, String[] pattern, boolean open, Handler handler) {}

  /** A route that matched, with its path parameters. */
  record Match(Route route, Map<String, String> params) {}

  private final List<Route> routes = new ArrayList<>();

  /** A GET that needs the token. */
  public ApiRouter get(String pattern, Handler h) {
    return add("GET", pattern, false, h);
  }

  /** A POST that needs the token. */
  public ApiRouter post(String pattern, Handler h) {
    return add("POST", pattern, false, h);
  }

  /** A GET anyone may call, without a token (health only). */
  ApiRouter openGet(String pattern, Handler h) {
    return add("GET", pattern, true, h);
  }

  private synchronized ApiRouter add(String method, String pattern, boolean open, Handler h) {
    routes.add(new Route(method, split(pattern), open, h));
    return this;
  }

  /**
   * The route for this method and raw path; null when none; {@code methodMismatch} when the path
   * matches another method.
   */
  synchronized Match match(String method, String rawPath, boolean[] methodMismatch) {
    String[] segments = split(rawPath);
    for (Route r : routes) {
      Map<String, String> params = matches(r.pattern(), segments);
      if (params == null) {
        continue;
      }
      if (r.method().equals(method)) {
        return new Match(r, params);
      }
      methodMismatch[0] = true;
    }
    return null;
  }

  private static Map<String, String> matches(String[] pattern, String[] path) {
    if (pattern.length != path.length) {
      return null;
    }
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < pattern.length; i++) {
      String p = pattern[i];
      if (p.startsWith("{") && p.endsWith("}")) {
        params.put(
            p.substring(1, p.length() - 1), URLDecoder.decode(path[i], StandardCharsets.UTF_8));
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
