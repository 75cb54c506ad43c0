package io.dbjobs.common.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a handler answers: a status, a content type and the body's bytes, plus extra headers (the
 * server adds {@code Content-Length} and {@code Connection} itself).
 */
public record HttpReply(int status, String contentType, byte[] body, Map<String, String> headers) {
  public static final String JSON = "application/json";

  public HttpReply {
    headers = Map.copyOf(headers);
  }

  /** {@code doc} written as JSON by {@code mapper}. */
  public static HttpReply json(int status, Object doc, ObjectMapper mapper) throws IOException {
    return new HttpReply(status, JSON, mapper.writeValueAsBytes(doc), Map.of());
  }

  /** A text document, e.g. Prometheus metrics. */
  public static HttpReply text(int status, String contentType, String text) {
    return new HttpReply(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** The same answer with one more header. */
  public HttpReply withHeader(String name, String value) {
    Map<String, String> h = new java.util.LinkedHashMap<>(headers);
    h.put(name, value);
    return new HttpReply(status, contentType, body, h);
  }
}
