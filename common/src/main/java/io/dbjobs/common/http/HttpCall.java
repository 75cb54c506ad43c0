package io.dbjobs.common.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * One request as a route's handler sees it: already authenticated (unless the route is open), its
 * body complete and within the server's limit.
 *
 * @param method e.g. {@code GET}
 * @param rawPath the path as sent (still URL-encoded)
 * @param pathParams the decoded values of the route pattern's {@code {name}} segments
 * @param query the decoded query parameters (the first value of each)
 * @param body the request body, empty when there was none
 * @param remote the client's address
 */
public record HttpCall(
    String method,
    String rawPath,
    Map<String, String> pathParams,
    Map<String, String> query,
    byte[] body,
    InetSocketAddress remote) {

  public HttpCall {
    pathParams = Map.copyOf(pathParams);
    query = Map.copyOf(query);
  }

  /** The decoded value of {@code {name}} in the route's pattern. */
  public String param(String name) {
    String v = pathParams.get(name);
    if (v == null) {
      throw new IllegalArgumentException("the route has no {" + name + "}");
    }
    return v;
  }

  /**
   * The JSON body as {@code type}; null when the body is empty.
   *
   * @throws DbJobsException USAGE when the body is not such a document
   */
  public <T> T json(ObjectMapper mapper, Class<T> type) {
    if (body.length == 0) {
      return null;
    }
    try {
      return mapper.readValue(body, type);
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
