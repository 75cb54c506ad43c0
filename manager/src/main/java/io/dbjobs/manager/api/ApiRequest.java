package io.dbjobs.manager.api;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.util.Map;

/** One request as a route sees it: path parameters, query parameters and the JSON body. */
public final class ApiRequest {
  private final String method;
  private final String path;
  private final Map<String, String> pathParams;
  private final Map<String, String> query;
  private final byte[] body;

  ApiRequest(
      String method,
      String path,
      Map<String, String> pathParams,
      Map<String, String> query,
      byte[] body) {
    this.method = method;
    this.path = path;
    this.pathParams = Map.copyOf(pathParams);
    this.query = Map.copyOf(query);
    this.body = body;
  }

  public String method() {
    return method;
  }

  public String path() {
    return path;
  }

  /** The decoded value of {@code {name}} in the route's pattern. */
  public String param(String name) {
    String v = pathParams.get(name);
    if (v == null) {
      throw new IllegalArgumentException("the route has no {" + name + "}");
    }
    return v;
  }

  /** A path parameter that must be a whole number, e.g. a job id. */
  public long longParam(String name) {
    String v = param(name);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new DbJobsException(ErrorCode.USAGE, name + " must be a number, not '" + v + "'");
    }
  }

  /** A query parameter, or null when absent or empty. */
  public String query(String name) {
    String v = query.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** A whole-number query parameter in [min, max], or {@code dflt} when absent. */
  public int intQuery(String name, int dflt, int min, int max) {
    String v = query(name);
    if (v == null) {
      return dflt;
    }
    try {
      int i = Integer.parseInt(v);
      if (i >= min && i <= max) {
        return i;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new DbJobsException(
        ErrorCode.USAGE,
        name + " must be a number from " + min + " to " + max + ", not '" + v + "'");
  }

  /** The JSON body as {@code type}; null when the body is empty. */
  public <T> T body(Class<T> type) {
    if (body.length == 0) {
      return null;
    }
    try {
      return ApiJson.MAPPER.readValue(body, type);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.USAGE,
          "the request body is not a valid "
              + type.getSimpleName()
              + " document: "
              + e.getMessage(),
          e);
    }
  }
}
