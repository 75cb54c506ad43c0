package io.dbjobs.manager.api;

import io.dbjobs.common.http.HttpCall;
import io.dbjobs.common.http.HttpHandler;
import io.dbjobs.common.http.HttpReply;
import io.dbjobs.common.http.HttpRouter;
import java.io.IOException;
import java.util.Map;

/**
 * The API's routes, on the shared {@link HttpRouter}: a method and a path pattern whose {@code
 * {name}} segments match one path segment each (URL-decoded). Routes are tried in the order they
 * were added, so a literal segment ({@code /v1/jobs/{node}/by-key/{key}}) is added before a
 * parameter in its place. Endpoints add theirs through {@link ApiEndpoints}; each answers an {@link
 * ApiRequest} with an {@link ApiResponse}, written as JSON ({@link ApiJson}) unless it says
 * otherwise.
 */
public final class ApiRouter {
  /** Answers one request. */
  @FunctionalInterface
  public interface Handler {
    ApiResponse handle(ApiRequest request) throws IOException;
  }

  /** A route that matched, with its path parameters. */
  record Match(HttpRouter.Route route, Map<String, String> params) {}

  private final HttpRouter routes = new HttpRouter();

  /** A GET that needs the token. */
  public ApiRouter get(String pattern, Handler h) {
    routes.get(pattern, adapt(h));
    return this;
  }

  /** A POST that needs the token. */
  public ApiRouter post(String pattern, Handler h) {
    routes.post(pattern, adapt(h));
    return this;
  }

  /** A GET anyone may call, without a token, answered on the network thread: health only. */
  ApiRouter openGet(String pattern, Handler h) {
    routes.open("GET", pattern, adapt(h));
    return this;
  }

  /**
   * The route for this method and raw path; null when none; {@code methodMismatch} when the path
   * matches another method.
   */
  Match match(String method, String rawPath, boolean[] methodMismatch) {
    HttpRouter.Lookup l = routes.lookup(method, rawPath);
    if (!l.found()) {
      methodMismatch[0] |= l.otherMethod();
      return null;
    }
    return new Match(l.route(), l.params());
  }

  /** The routes as the server serves them. */
  HttpRouter routes() {
    return routes;
  }

  private static HttpHandler adapt(Handler h) {
    return call -> reply(h.handle(request(call)));
  }

  private static ApiRequest request(HttpCall c) {
    return new ApiRequest(c.method(), c.rawPath(), c.pathParams(), c.query(), c.body());
  }

  private static HttpReply reply(ApiResponse r) throws IOException {
    if (r.contentType() != null) {
      return HttpReply.text(r.status(), r.contentType(), String.valueOf(r.body()));
    }
    return HttpReply.json(r.status(), r.body(), ApiJson.MAPPER);
  }
}
